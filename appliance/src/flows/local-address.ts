// Which addresses are the home network's: the judge leaves uploads to them out, and the device
// election only considers senders among them. Here, below both, so neither imports the other.
// The packet path asks of the frame's bytes; the text form (tests, config) goes through the same rule.

import { isIPv4 } from 'node:net';
import { ipv6Bytes } from '../decode/address-keys.js';

/**
 * Whether the IPv4 (4 bytes) or IPv6 (16 bytes) address at `o` belongs to a home network: RFC 1918,
 * CGNAT, link-local, IPv6 ULA and link-local, multicast and broadcast, plus 192.0.2.0/24, the
 * documentation range earshot's simulator and tests use as the AP's LAN.
 */
export function isLocalAddressAt(b: Uint8Array, o: number, version: 4 | 6): boolean {
  if (version === 6) {
    const first = (b[o] << 8) | b[o + 1];
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
  }
  const a = b[o];
  const second = b[o + 1];
  return (
    a === 10 ||
    (a === 172 && second >= 16 && second <= 31) ||
    (a === 192 && second === 168) ||
    (a === 100 && second >= 64 && second <= 127) ||
    (a === 169 && second === 254) ||
    a >= 224 || // multicast (mDNS, SSDP) and broadcast never leave the home network
    (a === 192 && second === 0 && b[o + 2] === 2)
  );
}

export function isLocalAddress(ip: string): boolean {
  if (isIPv4(ip)) return isLocalAddressAt(Uint8Array.from(ip.split('.').map(Number)), 0, 4);
  const bytes = ipv6Bytes(ip);
  return bytes !== undefined && isLocalAddressAt(bytes, 0, 6);
}
