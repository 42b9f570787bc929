// The checks a JSON schema cannot express: SSID length in bytes, passphrase rules per security
// mode, channel plans, and addresses that must sit inside the LAN. Each returns issues with the
// field's path and the value (or, for the passphrase, only its length).

import { isRadioProblem, radioLayout, type ChannelWidth, type HwMode } from './channels.js';
import type { ConfigIssue } from './config-errors.js';
import { describeValue } from './config-errors.js';
import { formatIpv4, formatSubnet, isHostOf, parseCidr, parseIpv4, subnetOf, type Ipv4Subnet } from './ipv4.js';

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const HEX64 = /^[0-9A-Fa-f]{64}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** dnsmasq refuses leases shorter than two minutes. */
const LEASE_TIME = /^(\d+)([smhdw]?)$/;
const SECONDS_PER_UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

export function checkSsid(ssid: string): string | undefined {
  const bytes = Buffer.byteLength(ssid, 'utf8');
  if (bytes < 1 || bytes > 32) return `expected 1–32 bytes of UTF-8 (got ${bytes} bytes)`;
  if (CONTROL_CHARACTERS.test(ssid)) return `control characters are not allowed (got ${describeValue(ssid)})`;
  return undefined;
}

export type SecurityMode = 'wpa2' | 'wpa3' | 'wpa2-wpa3';

/** Never mentions the passphrase itself, only its length and what kind of problem it has. */
export function checkPassphrase(passphrase: string, security: SecurityMode): string | undefined {
  const length = passphrase.length;
  const printable = PRINTABLE_ASCII.test(passphrase);
  if (security === 'wpa2') {
    if (HEX64.test(passphrase)) return undefined;
    if (length >= 8 && length <= 63 && printable) return undefined;
    const why = length === 64 ? ', not all of them hex digits' : !printable ? ', not all of them printable ASCII' : '';
    return `expected 8–63 printable ASCII characters or 64 hex digits (got ${length} characters${why})`;
  }
  // SAE derives its key from the password itself, so a raw 64-hex PSK cannot serve WPA3.
  if (length >= 8 && length <= 63 && printable) return undefined;
  const name = security === 'wpa3' ? 'WPA3-SAE' : 'WPA2/WPA3 transition mode';
  const why = HEX64.test(passphrase) ? ', a raw PSK, which SAE cannot use' : !printable ? ', not all of them printable ASCII' : '';
  return `${name} needs 8–63 printable ASCII characters (got ${length} characters${why})`;
}

/** Lower-case, colon-separated; '-' separators are accepted as many labels print them. */
export function normaliseMac(text: string): string | undefined {
  const mac = text.toLowerCase().replaceAll('-', ':');
  return MAC.test(mac) ? mac : undefined;
}

export function checkMac(text: string): string | undefined {
  const mac = normaliseMac(text);
  if (!mac) return `expected a MAC address such as 44:65:0d:12:34:56 (got ${describeValue(text)})`;
  if (parseInt(mac.slice(0, 2), 16) & 1) return `a multicast address cannot be a station (got ${describeValue(text)})`;
  return undefined;
}

export function leaseSeconds(text: string): number | undefined {
  if (text === 'infinite') return Infinity;
  const match = LEASE_TIME.exec(text);
  return match ? Number(match[1]) * SECONDS_PER_UNIT[match[2]] : undefined;
}

export function checkLeaseTime(text: string): string | undefined {
  const seconds = leaseSeconds(text);
  if (seconds === undefined || seconds < 120) return `expected a duration of at least 2m, such as 12h, 30m or 1d, or "infinite" (got ${describeValue(text)})`;
  return undefined;
}

/** The subnet, or why it is not one. */
export function checkSubnet(text: string): Ipv4Subnet | string {
  const cidr = parseCidr(text);
  if (!cidr) return `expected an IPv4 network in CIDR form, such as 192.168.73.0/24 (got ${describeValue(text)})`;
  if (cidr.prefix < 16 || cidr.prefix > 30) return `expected a prefix from /16 to /30 (got ${describeValue(text)})`;
  const subnet = subnetOf(cidr.address, cidr.prefix);
  if (subnet.network !== cidr.address) return `host bits are set (got ${describeValue(text)}; the network is ${formatSubnet(subnet)})`;
  return subnet;
}

/** A host address of the subnet, or why it is not one. */
export function checkHostAddress(text: string, subnet: Ipv4Subnet): number | string {
  const address = parseIpv4(text);
  if (address === undefined) return `expected an IPv4 address such as ${formatIpv4(subnet.network + 1)} (got ${describeValue(text)})`;
  if (!isHostOf(subnet, address)) return `expected a host address inside ${formatSubnet(subnet)}, not its network or broadcast address (got ${describeValue(text)})`;
  return address;
}

export interface LanInput {
  subnet: string;
  address?: string;
  dhcp_range?: { start: string; end: string };
  lease_time: string;
}

export interface LanPlan {
  subnet: Ipv4Subnet;
  address: number;
  start: number;
  end: number;
}

/** Checks the LAN block; `prefix` is its path, e.g. "ap.lan". */
export function checkLan(lan: LanInput, prefix: string, issues: ConfigIssue[]): LanPlan | undefined {
  const before = issues.length;
  const lease = checkLeaseTime(lan.lease_time);
  if (lease) issues.push({ path: `${prefix}.lease_time`, message: lease });
  const subnet = checkSubnet(lan.subnet);
  if (typeof subnet === 'string') {
    issues.push({ path: `${prefix}.subnet`, message: subnet });
    return undefined;
  }
  let address = subnet.network + 1;
  if (lan.address !== undefined) {
    const checked = checkHostAddress(lan.address, subnet);
    if (typeof checked === 'string') issues.push({ path: `${prefix}.address`, message: checked });
    else address = checked;
  }
  // By default DHCP hands out the upper half of the hosts, leaving the lower half for static use.
  let start = subnet.network + (subnet.broadcast - subnet.network + 1) / 2;
  let end = subnet.broadcast - 1;
  if (lan.dhcp_range) {
    const s = checkHostAddress(lan.dhcp_range.start, subnet);
    const e = checkHostAddress(lan.dhcp_range.end, subnet);
    if (typeof s === 'string') issues.push({ path: `${prefix}.dhcp_range.start`, message: s });
    if (typeof e === 'string') issues.push({ path: `${prefix}.dhcp_range.end`, message: e });
    if (typeof s === 'number' && typeof e === 'number') {
      if (s > e) issues.push({ path: `${prefix}.dhcp_range`, message: `start must not be after end (got ${formatIpv4(s)}–${formatIpv4(e)})` });
      [start, end] = [s, e];
    }
  }
  if (issues.length === before && address >= start && address <= end) {
    issues.push({ path: `${prefix}.dhcp_range`, message: `the range ${formatIpv4(start)}–${formatIpv4(end)} includes the box's own address ${formatIpv4(address)}` });
  }
  return issues.length === before ? { subnet, address, start, end } : undefined;
}

export interface RadioInput {
  hw_mode: HwMode;
  channel: number;
  channel_width: ChannelWidth;
  ieee80211n: boolean;
  ieee80211ac: boolean;
}

export function checkRadio(radio: RadioInput, prefix: string, issues: ConfigIssue[]): void {
  const layout = radioLayout(radio);
  if (isRadioProblem(layout)) issues.push({ path: `${prefix}.${layout.field}`, message: layout.message });
}
