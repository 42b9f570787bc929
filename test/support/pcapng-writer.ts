// Writers for the capture-file variants the parser must read: pcapng (either byte order, any
// timestamp resolution, several interfaces and sections, odd blocks) and classic pcap in the
// forms capture-writer.ts does not produce (big-endian, nanosecond).

import { concat as concatBytes } from '../../sim/src/frame-builder.js';

export interface PcapngInterfaceSpec {
  linkType: number;
  /** Raw if_tsresol byte: 6 = µs (default), 9 = ns, 0x80 | n = 2^-n s. */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffsetSeconds?: number;
}

export const BLOCK = { SHB: 0x0a0d0d0a, IDB: 1, PB: 2, SPB: 3, NRB: 4, ISB: 5, EPB: 6 } as const;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

export class PcapngWriter {
  private readonly parts: Uint8Array[] = [];
  private le = true;
  private resolutions: number[] = [];

  /** Starts a section (the first call starts the file). */
  section(littleEndian: boolean): this {
    this.le = littleEndian;
    this.resolutions = [];
    const app = new TextEncoder().encode('earshot-test');
    const body = new Uint8Array(16 + 4 + pad4(app.length) + 4);
    const view = new DataView(body.buffer);
    view.setUint32(0, 0x1a2b3c4d, this.le);
    view.setUint16(4, 1, this.le);
    view.setUint16(6, 0, this.le);
    view.setBigInt64(8, -1n, this.le);
    view.setUint16(16, 4, this.le); // shb_userappl
    view.setUint16(18, app.length, this.le);
    body.set(app, 20);
    return this.block(BLOCK.SHB, body);
  }

  /** Adds an Interface Description Block; returns its interface id within the section. */
  addInterface(spec: PcapngInterfaceSpec): number {
    const options: Uint8Array[] = [];
    if (spec.tsresol !== undefined) options.push(this.option(9, Uint8Array.of(spec.tsresol)));
    if (spec.tsoffsetSeconds !== undefined) {
      const value = new Uint8Array(8);
      new DataView(value.buffer).setBigInt64(0, BigInt(spec.tsoffsetSeconds), this.le);
      options.push(this.option(14, value));
    }
    if (options.length > 0) options.push(new Uint8Array(4)); // opt_endofopt
    const fixed = new Uint8Array(8);
    const view = new DataView(fixed.buffer);
    view.setUint16(0, spec.linkType, this.le);
    view.setUint32(4, 262144, this.le);
    this.block(BLOCK.IDB, concat([fixed, ...options]));
    this.resolutions.push(spec.tsresol ?? 6);
    return this.resolutions.length - 1;
  }

  /** Enhanced Packet Block; `units` is the timestamp in the interface's resolution. */
  enhancedPacket(interfaceId: number, units: bigint, data: Uint8Array, options: { originalLength?: number; comment?: string } = {}): this {
    const fixed = new Uint8Array(20);
    const view = new DataView(fixed.buffer);
    view.setUint32(0, interfaceId, this.le);
    view.setUint32(4, Number(units >> 32n), this.le);
    view.setUint32(8, Number(units & 0xffffffffn), this.le);
    view.setUint32(12, data.length, this.le);
    view.setUint32(16, options.originalLength ?? data.length, this.le);
    const opts = options.comment === undefined ? [] : [this.option(1, new TextEncoder().encode(options.comment)), new Uint8Array(4)];
    return this.block(BLOCK.EPB, concat([fixed, padded(data), ...opts]));
  }

  simplePacket(data: Uint8Array, originalLength = data.length): this {
    const fixed = new Uint8Array(4);
    new DataView(fixed.buffer).setUint32(0, originalLength, this.le);
    return this.block(BLOCK.SPB, concat([fixed, padded(data)]));
  }

  /** The obsolete Packet Block (type 2). */
  obsoletePacket(interfaceId: number, units: bigint, data: Uint8Array): this {
    const fixed = new Uint8Array(20);
    const view = new DataView(fixed.buffer);
    view.setUint16(0, interfaceId, this.le);
    view.setUint32(4, Number(units >> 32n), this.le);
    view.setUint32(8, Number(units & 0xffffffffn), this.le);
    view.setUint32(12, data.length, this.le);
    view.setUint32(16, data.length, this.le);
    return this.block(BLOCK.PB, concat([fixed, padded(data)]));
  }

  /** Any other block (NRB, ISB, custom...) with a filler body. */
  otherBlock(type: number, bodyLength: number): this {
    return this.block(type, new Uint8Array(pad4(bodyLength)).fill(0x5a));
  }

  /** Appends raw bytes (for corrupt-file tests). */
  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  /** Builds a block with this section's byte order; exposed so tests can corrupt lengths. */
  blockBytes(type: number, body: Uint8Array, lengthOverride?: number): Uint8Array {
    const length = 12 + body.length;
    const out = new Uint8Array(length);
    const view = new DataView(out.buffer);
    view.setUint32(0, type, this.le);
    view.setUint32(4, lengthOverride ?? length, this.le);
    out.set(body, 8);
    view.setUint32(length - 4, lengthOverride ?? length, this.le);
    return out;
  }

  bytes(): Uint8Array {
    return concat(this.parts);
  }

  private block(type: number, body: Uint8Array): this {
    this.parts.push(this.blockBytes(type, body));
    return this;
  }

  private option(code: number, value: Uint8Array): Uint8Array {
    const out = new Uint8Array(4 + pad4(value.length));
    const view = new DataView(out.buffer);
    view.setUint16(0, code, this.le);
    view.setUint16(2, value.length, this.le);
    out.set(value, 4);
    return out;
  }
}

export interface PcapRecordSpec {
  seconds: number;
  /** Microseconds, or nanoseconds when the file is nanosecond-resolution. */
  fraction: number;
  data: Uint8Array;
  originalLength?: number;
  /** Overrides the caplen field (for corrupt-file tests). */
  caplen?: number;
}

/** A classic pcap file in either byte order, µs (a1b2c3d4) or ns (a1b23c4d) resolution. */
export function classicPcap(opts: { littleEndian: boolean; nanos: boolean; linkType: number }, records: PcapRecordSpec[]): Uint8Array {
  const le = opts.littleEndian;
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  hv.setUint16(4, 2, le);
  hv.setUint16(6, 4, le);
  hv.setUint32(16, 262144, le);
  hv.setUint32(20, opts.linkType, le);
  const parts = [header];
  for (const r of records) {
    const rec = new Uint8Array(16 + r.data.length);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, r.seconds, le);
    rv.setUint32(4, r.fraction, le);
    rv.setUint32(8, r.caplen ?? r.data.length, le);
    rv.setUint32(12, r.originalLength ?? r.data.length, le);
    rec.set(r.data, 16);
    parts.push(rec);
  }
  return concat(parts);
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(pad4(data.length));
  out.set(data);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  return concatBytes(...parts);
}
