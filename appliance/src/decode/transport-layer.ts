import { SKIP } from './skip-codes.js';
import type { DecodedPacket, TcpOptions } from './types.js';

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

const TCPOPT_EOL = 0;
const TCPOPT_NOP = 1;
const TCPOPT_MSS = 2;
const TCPOPT_WSCALE = 3;
const TCPOPT_SACK_PERMITTED = 4;
const TCPOPT_SACK = 5;
const TCPOPT_TIMESTAMP = 8;

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/**
 * Options are advisory for earshot, so a malformed list ends parsing instead of rejecting the
 * segment; known kinds with an unexpected length are skipped by their length.
 */
export function parseTcpOptions(b: Uint8Array, p: number, end: number): TcpOptions {
  const options: TcpOptions = {};
  while (p < end) {
    const kind = b[p];
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) break;
    const length = b[p + 1];
    if (length < 2 || p + length > end) break;
    if (kind === TCPOPT_MSS && length === 4) options.mss = (b[p + 2] << 8) | b[p + 3];
    else if (kind === TCPOPT_WSCALE && length === 3) options.windowScale = b[p + 2];
    else if (kind === TCPOPT_SACK_PERMITTED && length === 2) options.sackPermitted = true;
    else if (kind === TCPOPT_SACK && length > 2 && (length - 2) % 8 === 0) {
      const blocks: number[] = [];
      for (let q = p + 2; q < p + length; q += 4) blocks.push(u32(b, q));
      options.sackBlocks = blocks;
    } else if (kind === TCPOPT_TIMESTAMP && length === 10) {
      options.timestampValue = u32(b, p + 2);
      options.timestampEcho = u32(b, p + 6);
    }
    p += length;
  }
  return options;
}

function decodeTcp(b: Uint8Array, off: number, pkt: DecodedPacket): number {
  const segmentLength = pkt.payloadLength;
  if (segmentLength < 20) return SKIP['bad-transport-header'];
  if (b.length - off < 20) return SKIP['truncated-transport-header'];
  const headerLength = (b[off + 12] >> 4) * 4;
  if (headerLength < 20 || headerLength > segmentLength) return SKIP['bad-transport-header'];
  if (off + headerLength > b.length) return SKIP['truncated-transport-header'];
  pkt.tcp = {
    srcPort: (b[off] << 8) | b[off + 1],
    dstPort: (b[off + 2] << 8) | b[off + 3],
    seq: u32(b, off + 4),
    ack: u32(b, off + 8),
    flags: b[off + 13],
    window: (b[off + 14] << 8) | b[off + 15],
    headerLength,
    options: parseTcpOptions(b, off + 20, off + headerLength),
  };
  pkt.payloadLength = segmentLength - headerLength;
  return off + headerLength;
}

function decodeUdp(b: Uint8Array, off: number, pkt: DecodedPacket): number {
  const segmentLength = pkt.payloadLength;
  if (segmentLength < 8) return SKIP['bad-transport-header'];
  if (b.length - off < 8) return SKIP['truncated-transport-header'];
  const udpLength = (b[off + 4] << 8) | b[off + 5];
  if (udpLength < 8) return SKIP['bad-transport-header'];
  pkt.udp = { srcPort: (b[off] << 8) | b[off + 1], dstPort: (b[off + 2] << 8) | b[off + 3] };
  pkt.payloadLength = (udpLength < segmentLength ? udpLength : segmentLength) - 8;
  return off + 8;
}

/**
 * Decodes a TCP or UDP header at `off`; `pkt.payloadLength` must hold the segment length the IP
 * layer declared. Returns the payload offset (and narrows `payloadLength`) or a negative SKIP code.
 */
export function decodeTransportLayer(b: Uint8Array, off: number, pkt: DecodedPacket): number {
  return pkt.ipProtocol === IPPROTO_TCP ? decodeTcp(b, off, pkt) : decodeUdp(b, off, pkt);
}
