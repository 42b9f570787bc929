// What the recorder keeps of a frame: its link, IP and transport headers, and for TCP the 5-byte
// TLS record header when the segment starts with one. No payload byte (nor padding) is kept (design.md: never
// store payload bytes). The pcap record's original length stays the frame's, so tshark shows the
// cut ("Packet size limited during capture") and every length feature can be recomputed. Pure.

import type { CapturedFrame, DecodedPacket } from '../decode/types.js';

/** type, version (2 bytes), length (2 bytes): plaintext framing, not content. */
export const TLS_RECORD_HEADER_BYTES = 5;
const MAX_TLS_RECORD_LENGTH = 16384 + 2048;

/** True when these bytes open a TLS record: content type 20-24, version 3.x, a legal length. */
export function startsWithTlsRecordHeader(payload: Uint8Array): boolean {
  if (payload.length < TLS_RECORD_HEADER_BYTES) return false;
  const type = payload[0];
  const length = (payload[3] << 8) | payload[4];
  return type >= 20 && type <= 24 && payload[1] === 3 && payload[2] <= 4 && length <= MAX_TLS_RECORD_LENGTH;
}

/** How many leading bytes of `frame` to keep, given its decode. */
export function headersOnlyLength(frame: CapturedFrame, packet: DecodedPacket): number {
  const headersEnd = Math.min(packet.headersLength, frame.bytes.length);
  // An ICMP error quotes the datagram it answers, so for ICMP and fragments the cut is at the IP header too.
  const keepTls = packet.tcp !== undefined && startsWithTlsRecordHeader(packet.payload);
  return headersEnd + (keepTls ? TLS_RECORD_HEADER_BYTES : 0);
}

/** The frame's bytes cut to headers only (a view, not a copy). */
export function headersOnlyFrame(frame: CapturedFrame, packet: DecodedPacket): Uint8Array {
  return frame.bytes.subarray(0, headersOnlyLength(frame, packet));
}
