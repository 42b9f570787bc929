import { parseHttpRequestLine } from './http-request.js';
import { decodeIpLayer } from './ip-layer.js';
import { decodeLinkLayer } from './link-layer.js';
import { SKIP_REASONS, skipResult } from './skip-codes.js';
import { IPPROTO_TCP, IPPROTO_UDP, decodeTransportLayer } from './transport-layer.js';
import { DecodedPacket } from './decoded-packet.js';
import type { CapturedFrame, DecodeResult, SkipReason } from './types.js';

export { SKIP_REASONS } from './skip-codes.js';

/**
 * Decodes one captured frame down to the transport payload. Never throws: every read is bounds
 * checked against the captured bytes, and malformed frames come back as `{ ok: false, reason }`.
 */
export function decodeFrame(frame: CapturedFrame): DecodeResult {
  const b = frame.bytes;
  const pkt = new DecodedPacket(b, frame.timeUs, frame.originalLength);
  let off = decodeLinkLayer(b, frame.linkType, pkt);
  if (off < 0) return skipResult(off);
  off = decodeIpLayer(b, off, pkt);
  if (off < 0) return skipResult(off);
  if (pkt.isFragment || (pkt.ipProtocol !== IPPROTO_TCP && pkt.ipProtocol !== IPPROTO_UDP)) {
    pkt.payloadLength = 0;
    pkt.headersLength = off;
    return { ok: true, packet: pkt };
  }
  off = decodeTransportLayer(b, off, pkt);
  if (off < 0) return skipResult(off);
  pkt.headersLength = off;
  // The IP/UDP lengths bound the payload, which drops Ethernet padding; the capture bounds it too.
  const declaredEnd = off + pkt.payloadLength;
  const end = declaredEnd < b.length ? declaredEnd : b.length;
  if (end > off) {
    pkt.payload = b.subarray(off, end);
    if (pkt.tcp !== undefined) pkt.httpRequest = parseHttpRequestLine(b, off, end);
  }
  return { ok: true, packet: pkt };
}

function zeroCounts(): Record<SkipReason, number> {
  const counts = {} as Record<SkipReason, number>;
  for (const reason of SKIP_REASONS) counts[reason] = 0;
  return counts;
}

export class DecodeCounters {
  decoded = 0;
  skipped = 0;
  byReason: Record<SkipReason, number> = zeroCounts();
  /** Decoded IPv4/IPv6 fragments (also counted in `decoded`). */
  fragments = 0;

  record(result: DecodeResult): void {
    if (result.ok) {
      this.decoded++;
      if (result.packet.isFragment) this.fragments++;
    } else {
      this.skipped++;
      this.byReason[result.reason]++;
    }
  }
}
