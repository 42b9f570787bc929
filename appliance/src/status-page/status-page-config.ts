// The status page's config section (`status_page:`) and the one rule the schema cannot say: the
// page is for the household's LAN, never for the Echo's Wi-Fi. Pure: values in, a verdict out.

import { isIP } from 'node:net';
import { BOOLEAN, section, text, wholeNumber } from '../config-fields.js';
import { parseCidr, parseIpv4, subnetOf } from '../ap/ipv4.js';

export interface StatusPageConfig {
  enabled: boolean;
  /** "auto" (the uplink's address on the box, else loopback) or an address to listen on. */
  bind: string;
  port: number;
  /** The actions' token; absent: read from `token_file` (written at first boot). */
  token?: string;
  token_file: string;
  /** Capture seconds the chart shows. */
  chart_s: number;
}

export const STATUS_PAGE_DEFAULTS = {
  enabled: true,
  bind: 'auto',
  port: 8080,
  token_file: '/etc/earshot/status-page.token',
  chart_s: 600,
} as const;

export const STATUS_PAGE_SCHEMA = section({
  enabled: BOOLEAN,
  bind: text('"auto" or an IP address of this box on the LAN side'),
  port: wholeNumber(1, 65535, 'a TCP port between 1 and 65535'),
  token: { type: 'string', minLength: 16, maxLength: 256, pattern: '^[\\x21-\\x7e]+$', 'x-expected': 'at least 16 printable characters without spaces', 'x-secret': true },
  token_file: text('a file path'),
  chart_s: wholeNumber(60, 86400, 'whole seconds between 60 and 86400'),
});

export interface SectionIssue {
  field: string;
  problem: string;
}

/**
 * Refuses a listening address that would serve the page to the Echo: one inside the AP's subnet,
 * or a wildcard (0.0.0.0, ::), which listens on the AP interface too. `apSubnet` is the `ap.lan`
 * subnet when the box runs the access point.
 */
export function checkStatusPageBind(page: StatusPageConfig, apSubnet: string | undefined): SectionIssue | undefined {
  const bind = page.bind;
  if (bind === 'auto') return undefined;
  if (isIP(bind) === 0) return { field: 'status_page.bind', problem: `expected "auto" or an IP address (got '${bind}')` };
  if (!apSubnet) return undefined;
  if (bind === '0.0.0.0' || bind === '::') {
    return { field: 'status_page.bind', problem: `'${bind}' listens on the Echo's Wi-Fi too; give the uplink's address or "auto"` };
  }
  const cidr = parseCidr(apSubnet);
  const address = parseIpv4(bind);
  if (cidr && address !== undefined && subnetOf(address, cidr.prefix).network === subnetOf(cidr.address, cidr.prefix).network) {
    return { field: 'status_page.bind', problem: `'${bind}' is on the Echo's Wi-Fi (ap.lan.subnet ${apSubnet}); the page is served on the uplink/LAN side only` };
  }
  return undefined;
}
