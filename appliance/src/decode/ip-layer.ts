import { ipv4KeyAt, ipv6KeyAt } from './address-keys.js';
import { SKIP } from './skip-codes.js';
import type { DecodedPacket } from './types.js';

const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

const IPPROTO_HOPOPTS = 0;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;
// A legitimate chain is a handful of headers; the cap bounds work on hostile input.
const MAX_EXTENSION_HEADERS = 16;

/** An IPv4 address from its 32-bit number (address-keys.ts). */
export function ipv4Text(key: number): string {
  return DEC[key >>> 24] + '.' + DEC[(key >>> 16) & 0xff] + '.' + DEC[(key >>> 8) & 0xff] + '.' + DEC[key & 0xff];
}

export function ipv4String(b: Uint8Array, o: number): string {
  return ipv4Text(ipv4KeyAt(b, o));
}

/** RFC 5952 text form: lowercase, no leading zeros, the first longest run of ≥2 zero groups as `::`. */
export function ipv6String(b: Uint8Array, o: number): string {
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart + 1;
      }
    } else runStart = -1;
  }
  const bestEnd = bestStart < 0 ? -1 : bestStart + bestLen;
  let s = '';
  for (let i = 0; i < 8; ) {
    if (i === bestStart) {
      s += '::';
      i = bestEnd;
      continue;
    }
    if (i !== 0 && i !== bestEnd) s += ':';
    s += ((b[o + 2 * i] << 8) | b[o + 2 * i + 1]).toString(16);
    i++;
  }
  return s;
}

function decodeIpv4(b: Uint8Array, off: number, pkt: DecodedPacket): number {
  const captured = b.length - off;
  if (captured < 20) return SKIP['truncated-ip-header'];
  const versionIhl = b[off];
  if (versionIhl >> 4 !== 4) return SKIP['bad-ip-header'];
  const headerLength = (versionIhl & 0x0f) * 4;
  const totalLength = (b[off + 2] << 8) | b[off + 3];
  if (headerLength < 20 || totalLength < headerLength) return SKIP['bad-ip-header'];
  if (headerLength > captured) return SKIP['truncated-ip-header'];
  pkt.isFragment = (((b[off + 6] << 8) | b[off + 7]) & 0x3fff) !== 0; // MF flag or a fragment offset
  pkt.ipProtocol = b[off + 9];
  pkt.srcOffset = off + 12;
  pkt.dstOffset = off + 16;
  pkt.srcKey = ipv4KeyAt(b, off + 12);
  pkt.dstKey = ipv4KeyAt(b, off + 16);
  pkt.payloadLength = totalLength - headerLength;
  return off + headerLength;
}

function decodeIpv6(b: Uint8Array, off: number, pkt: DecodedPacket): number {
  if (b.length - off < 40) return SKIP['truncated-ip-header'];
  if (b[off] >> 4 !== 6) return SKIP['bad-ip-header'];
  pkt.srcOffset = off + 8;
  pkt.dstOffset = off + 24;
  pkt.srcKey = ipv6KeyAt(b, off + 8);
  pkt.dstKey = ipv6KeyAt(b, off + 24);
  let next = b[off + 6];
  let p = off + 40;
  const declaredEnd = p + ((b[off + 4] << 8) | b[off + 5]);
  for (let count = 0; ; count++) {
    let length: number;
    if (next === IPPROTO_HOPOPTS || next === IPPROTO_ROUTING || next === IPPROTO_DSTOPTS) {
      if (p + 2 > declaredEnd) return SKIP['bad-ip-header'];
      if (p + 2 > b.length) return SKIP['truncated-ip-header'];
      length = (b[p + 1] + 1) * 8;
    } else if (next === IPPROTO_AH) {
      if (p + 2 > declaredEnd) return SKIP['bad-ip-header'];
      if (p + 2 > b.length) return SKIP['truncated-ip-header'];
      length = (b[p + 1] + 2) * 4;
    } else if (next === IPPROTO_FRAGMENT) {
      length = 8;
      // Even the first fragment is not decoded further: its transport header may be incomplete.
      pkt.isFragment = true;
    } else break; // a transport, ESP (50), no-next-header (59) or anything unknown ends the walk
    if (count === MAX_EXTENSION_HEADERS) return SKIP['bad-ip-header'];
    if (p + length > declaredEnd) return SKIP['bad-ip-header'];
    if (p + length > b.length) return SKIP['truncated-ip-header'];
    next = b[p];
    p += length;
    if (pkt.isFragment) break;
  }
  pkt.ipProtocol = next;
  pkt.payloadLength = declaredEnd - p;
  return p;
}

/**
 * Decodes the IPv4/IPv6 header (and IPv6 extension headers). Returns the transport header offset or
 * a negative SKIP code. On success `pkt.payloadLength` holds the transport's declared length from
 * the IP header, which the transport layer then narrows to its own payload.
 */
export function decodeIpLayer(b: Uint8Array, off: number, pkt: DecodedPacket): number {
  return pkt.ipVersion === 4 ? decodeIpv4(b, off, pkt) : decodeIpv6(b, off, pkt);
}
