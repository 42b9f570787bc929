// Just enough Ethernet/IPv4/TCP/TLS parsing for the live-capture test to check what it captured.
// It is deliberately independent of earshot's decoder: it reassembles whole streams first and
// walks records afterwards, so it is the reference that the streaming tracker is compared to.

import type { CapturedFrame } from '../../appliance/src/decode/types.js';

export interface Segment {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  flags: number;
  payload: Uint8Array;
}

export interface TlsRecord {
  contentType: number;
  version: number;
  length: number;
  /** The record's fragment (may be cut short at the end of the stream). */
  body: Uint8Array;
}

const SYN = 0x02;

export function tcpSegment(frame: CapturedFrame): Segment | undefined {
  const b = frame.bytes;
  if (frame.linkType !== 1 || b.length < 14 + 20 + 20) return undefined;
  if (((b[12] << 8) | b[13]) !== 0x0800 || b[14] >> 4 !== 4 || b[23] !== 6) return undefined;
  const ipHeader = (b[14] & 0x0f) * 4;
  const ipTotal = (b[16] << 8) | b[17];
  const t = 14 + ipHeader;
  const tcpHeader = (b[t + 12] >> 4) * 4;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    src: b.subarray(26, 30).join('.'),
    dst: b.subarray(30, 34).join('.'),
    srcPort: view.getUint16(t),
    dstPort: view.getUint16(t + 2),
    seq: view.getUint32(t + 4),
    flags: b[t + 13],
    payload: b.subarray(t + tcpHeader, 14 + ipTotal),
  };
}

/** Rebuilds one direction's byte stream from its segments; `gaps` counts holes (lost segments). */
export function reassemble(segments: Segment[]): { stream: Uint8Array; gaps: number } {
  const syn = segments.find((s) => s.flags & SYN);
  const isn = syn ? syn.seq : Math.min(...segments.map((s) => s.seq)) - 1;
  const pieces = segments
    .filter((s) => s.payload.length > 0)
    .map((s) => ({ offset: (s.seq - isn - 1) >>> 0, payload: s.payload }))
    .sort((x, y) => x.offset - y.offset);
  const total = pieces.reduce((n, p) => Math.max(n, p.offset + p.payload.length), 0);
  const stream = new Uint8Array(total);
  let covered = 0;
  let gaps = 0;
  for (const p of pieces) {
    if (p.offset > covered) gaps++;
    stream.set(p.payload, p.offset);
    covered = Math.max(covered, p.offset + p.payload.length);
  }
  return { stream, gaps };
}

export function tlsRecords(stream: Uint8Array): TlsRecord[] {
  const records: TlsRecord[] = [];
  for (let p = 0; p + 5 <= stream.length; ) {
    const length = (stream[p + 3] << 8) | stream[p + 4];
    records.push({ contentType: stream[p], version: (stream[p + 1] << 8) | stream[p + 2], length, body: stream.subarray(p + 5, p + 5 + length) });
    p += 5 + length;
  }
  return records;
}

/** The supported_versions (extension 43) values of a ClientHello (1) or ServerHello (2) record. */
export function helloSupportedVersions(record: TlsRecord): number[] {
  const h = record.body;
  const type = h[0];
  let p = 4 + 2 + 32; // handshake header, legacy_version, random
  p += 1 + h[p]; // session id
  if (type === 1) {
    p += 2 + ((h[p] << 8) | h[p + 1]); // cipher suites
    p += 1 + h[p]; // compression methods
  } else {
    p += 2 + 1; // chosen cipher suite and compression method
  }
  const end = Math.min(h.length, p + 2 + ((h[p] << 8) | h[p + 1]));
  for (p += 2; p + 4 <= end; ) {
    const extType = (h[p] << 8) | h[p + 1];
    const extLength = (h[p + 2] << 8) | h[p + 3];
    const data = h.subarray(p + 4, p + 4 + extLength);
    if (extType === 43) {
      const list = type === 1 ? data.subarray(1, 1 + data[0]) : data;
      const versions: number[] = [];
      for (let i = 0; i + 1 < list.length; i += 2) versions.push((list[i] << 8) | list[i + 1]);
      return versions;
    }
    p += 4 + extLength;
  }
  return [];
}
