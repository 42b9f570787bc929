// dnsmasq.conf from a checked ApConfig: DHCP and DNS on the AP interface only, with a static
// lease for the Echo when its MAC and address are configured.

import type { ApConfig } from './config.js';

export function renderDnsmasqConf(ap: ApConfig): string {
  const { lan } = ap;
  const lines = [
    '# Rendered by earshot (earshot ap render). Edit the earshot config instead: this file is replaced.',
    `interface=${ap.interface}`,
    // bind-dynamic: dnsmasq starts even if hostapd has not brought the interface up yet, and never
    // answers on the uplink.
    'bind-dynamic',
    'except-interface=lo',
    'domain-needed',
    'bogus-priv',
    'dhcp-authoritative',
    `dhcp-range=${lan.dhcp_range.start},${lan.dhcp_range.end},${lan.netmask},${lan.lease_time}`,
    `dhcp-option=option:router,${lan.address}`,
    `dhcp-option=option:dns-server,${lan.address}`,
    `dhcp-leasefile=${lan.lease_file}`,
  ];
  if (ap.echo?.ip) lines.push('', '# The Echo always gets the same address, so rules and the finder can name it.', `dhcp-host=${ap.echo.mac},${ap.echo.ip}`);
  lines.push('');
  return lines.join('\n');
}
