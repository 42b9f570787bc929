// Finds TLS record headers in one direction of a TCP stream. Records routinely span segments
// (a 16 KB app-data record covers a dozen frames), so the tracker remembers, in sequence-number
// space, where the next header must start; that keeps the content types of later records right
// even after a long record, a lost capture segment or a retransmission.

export const TlsContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
  HEARTBEAT: 24,
} as const;

/** TLS 1.2 allows 2^14 + 2048 bytes of ciphertext; anything longer is not a record header. */
const MAX_RECORD_LENGTH = 16384 + 2048;

export interface TlsRecordHeader {
  contentType: number;
  version: number;
  length: number;
}

export function looksLikeTlsHeader(bytes: Uint8Array, offset: number): boolean {
  if (offset + 5 > bytes.length) return false;
  const type = bytes[offset];
  if (type < 20 || type > 24) return false;
  if (bytes[offset + 1] !== 3 || bytes[offset + 2] > 4) return false;
  const length = (bytes[offset + 3] << 8) | bytes[offset + 4];
  return length > 0 && length <= MAX_RECORD_LENGTH;
}

/** Signed distance a - b in 32-bit sequence space. */
export const seqDiff = (a: number, b: number): number => (a - b) | 0;

export class TlsRecordTracker {
  private synced = false;
  /** Sequence number at which the next record header starts. */
  private nextHeaderSeq = 0;
  /** Content type of the record in progress (0 before the first record). */
  private currentType = 0;
  /** Bytes of a header that was cut by a segment boundary. */
  private readonly partialHeader = new Uint8Array(5);
  private partialLength = 0;
  private highestEnd = 0;
  private seenData = false;

  /** Content type of a record continued from earlier segments into the last one observed, or 0. */
  continuedType = 0;

  /**
   * Reports the headers of records that start in this segment into `out` (cleared first).
   * `payload` is the captured part; `payloadLength` the length on the wire.
   */
  observe(seq: number, payload: Uint8Array, payloadLength: number, out: TlsRecordHeader[]): void {
    out.length = 0;
    this.continuedType = 0;
    if (payloadLength === 0) return;
    const end = (seq + payloadLength) >>> 0;
    const isOldData = this.seenData && seqDiff(end, this.highestEnd) <= 0;
    if (!this.seenData || seqDiff(end, this.highestEnd) > 0) this.highestEnd = end;
    this.seenData = true;

    if (isOldData) {
      // A retransmission: read headers only if it starts on one, and leave the stream state alone.
      if (looksLikeTlsHeader(payload, 0)) walkHeaders(payload, 0, payloadLength, out);
      return;
    }
    if (this.synced && this.partialLength > 0) {
      if (seqDiff(seq, this.nextHeaderSeq + this.partialLength) !== 0) this.synced = false;
      else {
        this.completePartialHeader(seq, payload, payloadLength, out);
        return;
      }
    }
    if (!this.synced || seqDiff(this.nextHeaderSeq, seq) < 0) {
      // Unknown position (capture began mid-stream, or the boundary fell in a missed segment).
      if (!looksLikeTlsHeader(payload, 0)) {
        this.synced = false;
        return;
      }
      this.synced = true;
      this.nextHeaderSeq = seq;
    }
    const offset = seqDiff(this.nextHeaderSeq, seq);
    if (offset >= payloadLength) {
      this.continuedType = this.currentType;
      return;
    }
    if (offset > 0) this.continuedType = this.currentType;
    this.walkFrom(seq, payload, payloadLength, offset, out);
  }

  private walkFrom(seq: number, payload: Uint8Array, payloadLength: number, start: number, out: TlsRecordHeader[]): void {
    let offset = start;
    while (offset < payloadLength) {
      if (offset + 5 > payload.length) {
        if (offset + 5 > payloadLength && payload.length === payloadLength) {
          this.partialHeader.set(payload.subarray(offset), 0);
          this.partialLength = payloadLength - offset;
          this.nextHeaderSeq = (seq + offset) >>> 0;
          return;
        }
        this.synced = false; // header lost to the snap length
        return;
      }
      if (!looksLikeTlsHeader(payload, offset)) {
        this.synced = false;
        return;
      }
      const header = readHeader(payload, offset);
      out.push(header);
      this.currentType = header.contentType;
      offset += 5 + header.length;
    }
    this.partialLength = 0;
    this.nextHeaderSeq = (seq + offset) >>> 0;
  }

  private completePartialHeader(seq: number, payload: Uint8Array, payloadLength: number, out: TlsRecordHeader[]): void {
    const missing = 5 - this.partialLength;
    if (payload.length < missing) {
      this.synced = false;
      this.partialLength = 0;
      return;
    }
    this.partialHeader.set(payload.subarray(0, missing), this.partialLength);
    this.partialLength = 0;
    if (!looksLikeTlsHeader(this.partialHeader, 0)) {
      this.synced = false;
      return;
    }
    const header = readHeader(this.partialHeader, 0);
    out.push(header);
    this.currentType = header.contentType;
    const next = missing + header.length;
    if (next >= payloadLength) {
      this.nextHeaderSeq = (seq + next) >>> 0;
      return;
    }
    this.walkFrom(seq, payload, payloadLength, next, out);
  }
}

function readHeader(bytes: Uint8Array, offset: number): TlsRecordHeader {
  return {
    contentType: bytes[offset],
    version: (bytes[offset + 1] << 8) | bytes[offset + 2],
    length: (bytes[offset + 3] << 8) | bytes[offset + 4],
  };
}

/** Stateless walk for segments outside the tracked stream (retransmissions). */
function walkHeaders(payload: Uint8Array, start: number, payloadLength: number, out: TlsRecordHeader[]): void {
  let offset = start;
  while (offset < payloadLength && looksLikeTlsHeader(payload, offset)) {
    const header = readHeader(payload, offset);
    out.push(header);
    offset += 5 + header.length;
  }
}
