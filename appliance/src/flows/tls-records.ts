// Finds TLS record headers in one direction of a TCP stream. Records routinely span segments
// (a 16 KB app-data record covers a dozen frames), so the tracker remembers, in sequence-number
// space, where the next header must start. That keeps the content types of later records right
// after a long record, a header cut by a segment boundary, a retransmission, or segments that
// arrive out of order (which happens on veths and on Wi-Fi alike).
//
//   in order:      walk headers from nextHeaderSeq, advance contiguousEnd
//   ahead (gap):   hold the segment until the gap fills; its records are reported with the
//                  segment that fills it, as tshark reports a reassembled PDU with its last frame
//   hole persists: skip it after HOLE_TIMEOUT_US or MAX_PENDING segments; sync is lost only
//                  if a header lay inside it, and regained at the next segment starting on one
//   old data:      a retransmission; headers are read only if it starts on one
//
// Held segments stay in memory until the direction's next segment a second later, or the flow
// table's next sweep (a minute at most), and are never written anywhere.

export const TlsContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
  HEARTBEAT: 24,
} as const;

/** TLS 1.2 allows 2^14 + 2048 bytes of ciphertext; anything longer is not a record header. */
const MAX_RECORD_LENGTH = 16384 + 2048;
const MAX_PENDING = 32;
const MAX_PENDING_BYTES = 128 * 1024;
const HOLE_TIMEOUT_US = 1_000_000;

export interface TlsRecordHeader {
  contentType: number;
  version: number;
  length: number;
}

interface HeldSegment {
  seq: number;
  bytes: Uint8Array;
  payloadLength: number;
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
  /** Everything before this sequence number has been walked. */
  private contiguousEnd = 0;
  /** Content type of the record in progress (0 before the first record). */
  private currentType = 0;
  /** Bytes of a header cut by a segment boundary; they start at nextHeaderSeq. */
  private readonly partialHeader = new Uint8Array(5);
  private partialLength = 0;
  private held: HeldSegment[] = [];
  private heldBytes = 0;
  private holeSinceUs = 0;

  /** Content type of a record continued from earlier segments into the last one observed, or 0. */
  continuedType = 0;

  /**
   * Reports into `out` (cleared first) the headers of records that start in this segment, plus
   * those of held segments it makes contiguous. `payload` is the captured part; `payloadLength`
   * the length on the wire; `timeUs` the capture time, which bounds how long a hole is awaited.
   */
  observe(seq: number, payload: Uint8Array, payloadLength: number, out: TlsRecordHeader[], timeUs = 0): void {
    out.length = 0;
    this.continuedType = 0;
    if (payloadLength === 0) return;
    if (this.held.length > 0 && timeUs - this.holeSinceUs > HOLE_TIMEOUT_US) this.skipHole(out);
    if (!this.synced && !this.trySync(seq, payload)) return;
    const end = (seq + payloadLength) >>> 0;
    if (seqDiff(seq, this.contiguousEnd) > 0) {
      this.continuedType = this.currentType;
      this.hold(seq, payload, payloadLength, timeUs);
      if (this.held.length > MAX_PENDING || this.heldBytes > MAX_PENDING_BYTES || timeUs - this.holeSinceUs > HOLE_TIMEOUT_US) {
        this.skipHole(out);
      }
      return;
    }
    if (seqDiff(end, this.contiguousEnd) <= 0) {
      if (looksLikeTlsHeader(payload, 0)) walkStateless(payload, payloadLength, out);
      return;
    }
    if (this.partialLength === 0 && seqDiff(this.nextHeaderSeq, seq) > 0) this.continuedType = this.currentType;
    this.consume(seq, payload, payloadLength, out);
    this.drainHeld(out);
  }

  /** Gives up a hole older than the timeout even if the direction has gone quiet. */
  expireHeld(nowUs: number): void {
    if (this.held.length > 0 && nowUs - this.holeSinceUs > HOLE_TIMEOUT_US) this.skipHole([]);
  }

  private trySync(seq: number, payload: Uint8Array): boolean {
    if (!looksLikeTlsHeader(payload, 0)) return false;
    this.synced = true;
    this.nextHeaderSeq = seq;
    this.contiguousEnd = seq;
    this.partialLength = 0;
    return true;
  }

  private loseSync(): void {
    this.synced = false;
    this.partialLength = 0;
    this.held = [];
    this.heldBytes = 0;
  }

  /** Walks the headers in a segment that starts at or before contiguousEnd and reaches past it. */
  private consume(seq: number, payload: Uint8Array, payloadLength: number, out: TlsRecordHeader[]): void {
    this.contiguousEnd = (seq + payloadLength) >>> 0;
    const complete = payload.length === payloadLength;
    for (;;) {
      const offset = seqDiff(this.nextHeaderSeq, seq);
      if (this.partialLength > 0) {
        const start = offset + this.partialLength;
        if (start < 0 || start > payload.length) return this.loseSync();
        const take = Math.min(5 - this.partialLength, payload.length - start);
        this.partialHeader.set(payload.subarray(start, start + take), this.partialLength);
        this.partialLength += take;
        if (this.partialLength < 5) {
          if (!complete) this.loseSync();
          return;
        }
        this.partialLength = 0;
        if (!this.accept(this.partialHeader, 0, out)) return this.loseSync();
        continue;
      }
      if (offset >= payloadLength) return;
      if (offset < 0) return this.loseSync();
      if (offset + 5 > payloadLength) {
        if (!complete) return this.loseSync();
        this.partialHeader.set(payload.subarray(offset, payloadLength), 0);
        this.partialLength = payloadLength - offset;
        return;
      }
      if (offset + 5 > payload.length || !this.accept(payload, offset, out)) return this.loseSync();
    }
  }

  private accept(bytes: Uint8Array, offset: number, out: TlsRecordHeader[]): boolean {
    if (!looksLikeTlsHeader(bytes, offset)) return false;
    const header = readHeader(bytes, offset);
    out.push(header);
    this.currentType = header.contentType;
    this.nextHeaderSeq = (this.nextHeaderSeq + 5 + header.length) >>> 0;
    return true;
  }

  private hold(seq: number, payload: Uint8Array, payloadLength: number, timeUs: number): void {
    if (this.held.length === 0) this.holeSinceUs = timeUs;
    const segment = { seq, bytes: payload.slice(), payloadLength };
    let i = this.held.length;
    while (i > 0 && seqDiff(this.held[i - 1].seq, seq) > 0) i--;
    this.held.splice(i, 0, segment);
    this.heldBytes += payload.length;
  }

  private drainHeld(out: TlsRecordHeader[]): void {
    while (this.synced && this.held.length > 0 && seqDiff(this.held[0].seq, this.contiguousEnd) <= 0) {
      const segment = this.held.shift()!;
      this.heldBytes -= segment.bytes.length;
      if (seqDiff((segment.seq + segment.payloadLength) >>> 0, this.contiguousEnd) > 0) {
        this.consume(segment.seq, segment.bytes, segment.payloadLength, out);
      }
    }
    if (this.held.length === 0) this.heldBytes = 0;
  }

  /** Gives up on the missing bytes before the first held segment. */
  private skipHole(out: TlsRecordHeader[]): void {
    const first = this.held[0];
    const headerInHole = this.partialLength > 0 || seqDiff(this.nextHeaderSeq, first.seq) < 0;
    this.contiguousEnd = first.seq;
    if (headerInHole) {
      const held = this.held;
      this.loseSync();
      const restart = held.findIndex((s) => looksLikeTlsHeader(s.bytes, 0));
      if (restart < 0) return;
      this.trySync(held[restart].seq, held[restart].bytes);
      this.held = held.slice(restart);
      this.heldBytes = this.held.reduce((n, s) => n + s.bytes.length, 0);
    }
    this.drainHeld(out);
    if (this.held.length > 0) this.holeSinceUs = Number.NEGATIVE_INFINITY; // another hole: skip it next time
  }
}

function readHeader(bytes: Uint8Array, offset: number): TlsRecordHeader {
  return {
    contentType: bytes[offset],
    version: (bytes[offset + 1] << 8) | bytes[offset + 2],
    length: (bytes[offset + 3] << 8) | bytes[offset + 4],
  };
}

/** Headers in a segment outside the tracked stream (a retransmission), read from its start. */
function walkStateless(payload: Uint8Array, payloadLength: number, out: TlsRecordHeader[]): void {
  let offset = 0;
  while (offset < payloadLength && looksLikeTlsHeader(payload, offset)) {
    const header = readHeader(payload, offset);
    out.push(header);
    offset += 5 + header.length;
  }
}
