import { macKeyAt } from './address-keys.js';
import { SKIP } from './skip-codes.js';
import { LinkType, type DecodedPacket } from './types.js';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const LINKTYPE_RAW_ALT_12 = 12;
const LINKTYPE_RAW_ALT_14 = 14;
// BSD loopback puts AF_INET6 in the header, and it differs per OS (NetBSD/OpenBSD, FreeBSD, Darwin).
const AF_INET = 2;
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

function noteSourceMac(b: Uint8Array, o: number, pkt: DecodedPacket): void {
  pkt.srcMacOffset = o;
  pkt.srcMacKey = macKeyAt(b, o);
}

function isVlanTpid(type: number): boolean {
  // 0x9100 is the pre-802.1ad QinQ TPID some switches still emit.
  return type === 0x8100 || type === 0x88a8 || type === 0x9100;
}

/**
 * Follows an ethertype (read at `typeOffset`) through any VLAN tags that start at `off`.
 * Returns the IP header offset or a negative SKIP code.
 */
function afterEthertype(b: Uint8Array, typeOffset: number, off: number, pkt: DecodedPacket): number {
  let type = (b[typeOffset] << 8) | b[typeOffset + 1];
  while (isVlanTpid(type)) {
    if (off + 4 > b.length) return SKIP['truncated-link-header'];
    if (pkt.vlanId === undefined) pkt.vlanId = ((b[off] << 8) | b[off + 1]) & 0x0fff;
    type = (b[off + 2] << 8) | b[off + 3];
    off += 4;
  }
  if (type === ETHERTYPE_IPV4) pkt.ipVersion = 4;
  else if (type === ETHERTYPE_IPV6) pkt.ipVersion = 6;
  else return SKIP['not-ip'];
  return off;
}

function rawIp(b: Uint8Array, off: number, pkt: DecodedPacket): number {
  if (off >= b.length) return SKIP['truncated-ip-header'];
  const version = b[off] >> 4;
  if (version === 4) pkt.ipVersion = 4;
  else if (version === 6) pkt.ipVersion = 6;
  else return SKIP['bad-ip-header'];
  return off;
}

function loopback(b: Uint8Array, pkt: DecodedPacket): number {
  if (b.length < 4) return SKIP['truncated-link-header'];
  // The family is in the capturing host's byte order, which the file does not record.
  const big = b[0] === 0 && b[1] === 0 ? b[3] : -1;
  const little = b[2] === 0 && b[3] === 0 ? b[0] : -1;
  const family = big > 0 ? big : little;
  if (family === AF_INET) pkt.ipVersion = 4;
  else if (family === AF_INET6_BSD || family === AF_INET6_FREEBSD || family === AF_INET6_DARWIN) pkt.ipVersion = 6;
  else return SKIP['not-ip'];
  return 4;
}

/**
 * Decodes the link-layer header. Returns the offset of the IP header, or a negative SKIP code.
 * Notes the source MAC, `vlanId` and `ipVersion` (the version the link layer announces) on `pkt`.
 */
export function decodeLinkLayer(b: Uint8Array, linkType: number, pkt: DecodedPacket): number {
  switch (linkType) {
    case LinkType.ETHERNET:
      if (b.length < 14) return SKIP['truncated-link-header'];
      noteSourceMac(b, 6, pkt);
      return afterEthertype(b, 12, 14, pkt);
    case LinkType.LINUX_SLL:
      if (b.length < 16) return SKIP['truncated-link-header'];
      if (b[4] === 0 && b[5] === 6) noteSourceMac(b, 6, pkt);
      return afterEthertype(b, 14, 16, pkt);
    case LinkType.LINUX_SLL2:
      if (b.length < 20) return SKIP['truncated-link-header'];
      if (b[11] === 6) noteSourceMac(b, 12, pkt);
      return afterEthertype(b, 0, 20, pkt);
    case LinkType.RAW:
    case LINKTYPE_RAW_ALT_12:
    case LINKTYPE_RAW_ALT_14:
      return rawIp(b, 0, pkt);
    case LinkType.NULL:
      return loopback(b, pkt);
    default:
      return SKIP['unsupported-link-type'];
  }
}
