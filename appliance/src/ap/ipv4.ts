// IPv4 arithmetic for the AP's LAN settings. Addresses are unsigned 32-bit numbers so ranges and
// subnet membership are plain comparisons.

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** A dotted quad in its canonical form (no leading zeros, which some tools read as octal). */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Ipv4Subnet {
  /** The network address. */
  network: number;
  prefix: number;
  broadcast: number;
}

/** "a.b.c.d/p" with the address and prefix as written, host bits and all. */
export function parseCidr(text: string): { address: number; prefix: number } | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const address = parseIpv4(match[1]);
  const prefix = Number(match[2]);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix };
}

export function subnetOf(address: number, prefix: number): Ipv4Subnet {
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  return { network, prefix, broadcast: network + size - 1 };
}

export const netmask = (prefix: number): string => formatIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

export const formatSubnet = (s: Ipv4Subnet): string => `${formatIpv4(s.network)}/${s.prefix}`;

/** Inside the subnet and usable by a host: neither the network nor the broadcast address. */
export const isHostOf = (s: Ipv4Subnet, address: number): boolean => address > s.network && address < s.broadcast;
