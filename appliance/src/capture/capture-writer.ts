// Serialises frames into the classic pcap format (microsecond timestamps, little-endian),
// which tshark, tcpdump and earshot's own reader all accept.

const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;

export function pcapFileHeader(linkType: number, snapLength = 262144): Uint8Array {
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, PCAP_MAGIC_MICROSECONDS, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, snapLength, true);
  view.setUint32(20, linkType, true);
  return header;
}

export function pcapRecord(timeUs: number, frame: Uint8Array, originalLength = frame.length): Uint8Array {
  const record = new Uint8Array(16 + frame.length);
  const view = new DataView(record.buffer);
  const seconds = Math.floor(timeUs / 1e6);
  view.setUint32(0, seconds, true);
  view.setUint32(4, Math.round(timeUs - seconds * 1e6), true);
  view.setUint32(8, frame.length, true);
  view.setUint32(12, originalLength, true);
  record.set(frame, 16);
  return record;
}

/** Accumulates records in memory in large chunks; callers flush them to a file or stream. */
export class PcapBuilder {
  private readonly chunks: Uint8Array[] = [];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  packetCount = 0;

  constructor(linkType: number) {
    this.chunks.push(pcapFileHeader(linkType));
  }

  add(timeUs: number, frame: Uint8Array): void {
    const record = pcapRecord(timeUs, frame);
    this.pending.push(record);
    this.pendingBytes += record.length;
    this.packetCount++;
    if (this.pendingBytes > 1 << 20) this.flushPending();
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Takes the bytes built so far (the first call includes the file header). */
  take(): Uint8Array[] {
    this.flushPending();
    return this.chunks.splice(0, this.chunks.length);
  }
}
