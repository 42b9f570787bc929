import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PcapBuilder } from '../../appliance/src/capture/capture-writer.js';
import { CaptureFileParser } from '../../appliance/src/capture/capture-file-parser.js';
import { CaptureInputError } from '../../appliance/src/capture/packet-source.js';
import { LinkType, type CapturedFrame } from '../../appliance/src/decode/types.js';
import { tcpFrame, udpFrame } from '../../sim/src/frame-builder.js';
import { BLOCK, classicPcap, concat, PcapngWriter } from '../support/pcapng-writer.js';

const client = { mac: '02:00:00:00:00:01', ip: '192.0.2.2', port: 50000 };
const server = { mac: '02:00:00:00:00:02', ip: '192.0.2.1', port: 443 };
const T0 = 1_700_000_000_123_456; // µs

function sampleFrames(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? tcpFrame({ from: client, to: server, seq: 1000 + i, ack: 1, flags: 0x18, payload: new Uint8Array(i * 37).fill(i) })
      : udpFrame({ from: server, to: client, payload: new Uint8Array(i * 11 + 1).fill(i) }),
  );
}

function parse(bytes: Uint8Array, chunkSize = bytes.length || 1): { frames: CapturedFrame[]; error: CaptureInputError | undefined } {
  const frames: CapturedFrame[] = [];
  const parser = new CaptureFileParser('t.pcap', (f) => frames.push(f));
  try {
    for (let off = 0; off < bytes.length; off += chunkSize) parser.push(bytes.subarray(off, off + chunkSize));
    parser.finish();
    return { frames, error: undefined };
  } catch (error) {
    assert.ok(error instanceof CaptureInputError, `expected CaptureInputError, got ${String(error)}`);
    return { frames, error };
  }
}

function parseOk(bytes: Uint8Array, chunkSize?: number): CapturedFrame[] {
  const { frames, error } = parse(bytes, chunkSize);
  assert.equal(error, undefined);
  return frames;
}

function builtPcap(frames: Uint8Array[]): Uint8Array {
  const builder = new PcapBuilder(LinkType.ETHERNET);
  frames.forEach((f, i) => builder.add(T0 + i * 1500, f));
  return concat(builder.take());
}

/** pcapng with two sections (LE then BE), µs/ns/base-2 interfaces, SPB, PB and skippable blocks. */
function richPcapng(frames: Uint8Array[]): Uint8Array {
  const w = new PcapngWriter().section(true);
  const eth = w.addInterface({ linkType: LinkType.ETHERNET });
  w.otherBlock(BLOCK.NRB, 30).otherBlock(0x00000bad, 0);
  w.enhancedPacket(eth, BigInt(T0), frames[0], { comment: 'options after the data' });
  w.simplePacket(frames[1]);
  w.section(false);
  w.addInterface({ linkType: LinkType.RAW, tsresol: 9 });
  const second = w.addInterface({ linkType: LinkType.ETHERNET, tsresol: 0x80 | 20, tsoffsetSeconds: 100 });
  w.enhancedPacket(0, BigInt(T0 + 10) * 1000n + 999n, frames[2].subarray(14));
  w.otherBlock(BLOCK.ISB, 24);
  w.enhancedPacket(second, 3n << 19n, frames[3]);
  w.obsoletePacket(0, BigInt(T0 + 20) * 1000n, frames[4].subarray(14));
  return w.bytes();
}

describe('capture file parser', () => {
  test('reads a little-endian microsecond pcap from capture-writer frame for frame', () => {
    const frames = sampleFrames(20);
    const parsed = parseOk(builtPcap(frames));
    assert.equal(parsed.length, 20);
    parsed.forEach((p, i) => {
      assert.deepEqual(p.bytes, frames[i]);
      assert.equal(p.timeUs, T0 + i * 1500);
      assert.equal(p.originalLength, frames[i].length);
      assert.equal(p.linkType, LinkType.ETHERNET);
    });
  });

  test('reads big-endian and nanosecond pcap files to the same microsecond timestamps', () => {
    const data = sampleFrames(3);
    for (const littleEndian of [true, false]) {
      for (const nanos of [true, false]) {
        const records = data.map((d, i) => ({ seconds: 1_700_000_000 + i, fraction: nanos ? 123_456_789 : 123_456, data: d, originalLength: d.length + 100 }));
        const parsed = parseOk(classicPcap({ littleEndian, nanos, linkType: LinkType.LINUX_SLL }, records));
        const label = `${littleEndian ? 'LE' : 'BE'} ${nanos ? 'ns' : 'µs'}`;
        assert.deepEqual(parsed.map((p) => p.timeUs), [0, 1, 2].map((i) => (1_700_000_000 + i) * 1e6 + 123_456), label);
        assert.deepEqual(parsed.map((p) => p.bytes), data, label);
        assert.deepEqual(parsed.map((p) => p.originalLength), data.map((d) => d.length + 100), label);
        assert.ok(parsed.every((p) => p.linkType === LinkType.LINUX_SLL), label);
      }
    }
  });

  test('ignores the FCS bits in the upper half of a pcap link-type field', () => {
    const file = classicPcap({ littleEndian: true, nanos: false, linkType: 0x14000000 | LinkType.ETHERNET }, [{ seconds: 1, fraction: 0, data: sampleFrames(1)[0] }]);
    assert.equal(parseOk(file)[0].linkType, LinkType.ETHERNET);
  });

  test('reads pcapng sections of both byte orders with µs, ns and base-2 interfaces of different link types', () => {
    const frames = sampleFrames(5);
    const parsed = parseOk(richPcapng(frames));
    assert.deepEqual(parsed.map((p) => p.linkType), [LinkType.ETHERNET, LinkType.ETHERNET, LinkType.RAW, LinkType.ETHERNET, LinkType.RAW]);
    assert.deepEqual(parsed.map((p) => p.bytes), [frames[0], frames[1], frames[2].subarray(14), frames[3], frames[4].subarray(14)]);
    assert.deepEqual(parsed.map((p) => p.timeUs), [
      T0,
      T0, // simple packet block: no timestamp, so the previous frame's
      T0 + 10, // 999 ns dropped, not rounded up
      1.5e6 + 100e6, // 3 * 2^19 units of 2^-20 s = 1.5 s, plus the 100 s offset
      T0 + 20, // obsolete packet block on the ns interface
    ]);
  });

  test('reads nanosecond timestamps of present-day captures exactly to the microsecond', () => {
    const w = new PcapngWriter().section(true);
    w.addInterface({ linkType: LinkType.ETHERNET, tsresol: 9 });
    const times = [T0, T0 + 1, 4_102_444_800_000_000 - 1]; // up to the last µs of 2099
    for (const t of times) w.enhancedPacket(0, BigInt(t) * 1000n + 999n, sampleFrames(1)[0]);
    assert.deepEqual(parseOk(w.bytes()).map((p) => p.timeUs), times);
  });

  test('gives the same frames when fed one byte at a time as in one chunk', () => {
    const frames = sampleFrames(6);
    for (const file of [builtPcap(frames), richPcapng(frames)]) {
      const whole = parseOk(file);
      assert.ok(whole.length >= 5);
      assert.deepEqual(parseOk(file, 1), whole);
    }
  });

  test('gives the same frames for chunk sizes that split headers and bodies everywhere', () => {
    const frames = sampleFrames(30);
    for (const file of [builtPcap(frames), richPcapng(frames)]) {
      const whole = parseOk(file);
      for (const size of [2, 3, 7, 13, 16, 17, 29, 64, 333, 4096]) assert.deepEqual(parseOk(file, size), whole, `chunk size ${size}`);
    }
  });

  test('hands out frame bytes that stay intact when the caller reuses its chunk buffer', () => {
    const expected = sampleFrames(4);
    const file = builtPcap(expected);
    const frames: CapturedFrame[] = [];
    const parser = new CaptureFileParser('t.pcap', (f) => frames.push(f));
    const chunk = new Uint8Array(100);
    for (let off = 0; off < file.length; off += chunk.length) {
      const n = Math.min(chunk.length, file.length - off);
      chunk.set(file.subarray(off, off + n));
      parser.push(chunk.subarray(0, n));
      chunk.fill(0xee);
    }
    parser.finish();
    assert.deepEqual(frames.map((f) => f.bytes), expected);
  });

  test('frames of chunks handed over for good are views into them, and those across a chunk boundary are copies', () => {
    const expected = sampleFrames(30);
    for (const file of [builtPcap(expected), richPcapng(expected)]) {
      const whole = parseOk(file);
      for (const size of [7, 333, 4096]) {
        const frames: CapturedFrame[] = [];
        const parser = new CaptureFileParser('t.pcap', (f) => frames.push(f));
        const chunks: Uint8Array[] = [];
        for (let off = 0; off < file.length; off += size) {
          const chunk = file.slice(off, off + size); // a fresh buffer, as the file source reads
          chunks.push(chunk);
          parser.push(chunk, true);
        }
        parser.finish();
        assert.deepEqual(frames, whole, `chunk size ${size}`);
        const inPlace = frames.filter((f) => chunks.some((chunk) => chunk.buffer === f.bytes.buffer)).length;
        if (size === 4096) assert.ok(inPlace >= frames.length - 2, `${inPlace} of ${frames.length} frames in place`);
        // Whatever was parsed from the parser's own carry buffer must not change when it is reused.
        for (const chunk of chunks) chunk.fill(0xee);
        const carried = frames.filter((f) => !chunks.some((chunk) => chunk.buffer === f.bytes.buffer));
        for (const frame of carried) assert.deepEqual(frame, whole[frames.indexOf(frame)]);
      }
    }
  });

  test('copies frames out of a Buffer chunk, whose slice() would only make a view', () => {
    const expected = sampleFrames(2);
    const file = Buffer.from(builtPcap(expected));
    const frames: CapturedFrame[] = [];
    const parser = new CaptureFileParser('t.pcap', (f) => frames.push(f));
    parser.push(file);
    file.fill(0);
    assert.deepEqual(frames.map((f) => f.bytes), expected);
  });
});

describe('capture file parser errors', () => {
  test('rejects a file that is neither pcap nor pcapng, naming its first bytes', () => {
    const { frames, error } = parse(new TextEncoder().encode('hello, this is text\n'));
    assert.equal(frames.length, 0);
    assert.equal(error?.message, 't.pcap: file header: not a pcap or pcapng capture (starts with 0x68656c6c)');
  });

  test('rejects an empty file and one shorter than a pcap file header', () => {
    assert.equal(parse(new Uint8Array(0)).error?.message, 't.pcap: file header: empty file, not a pcap or pcapng capture');
    assert.equal(parse(builtPcap([]).subarray(0, 10)).error?.message, 't.pcap: file header: truncated pcap file header (10 of 24 bytes)');
  });

  test('rejects an absurd captured length by record and byte offset after delivering the records before it', () => {
    const data = sampleFrames(3);
    const file = classicPcap({ littleEndian: true, nanos: false, linkType: 1 }, [
      { seconds: 1, fraction: 0, data: data[0] },
      { seconds: 2, fraction: 0, data: data[1] },
      { seconds: 3, fraction: 0, data: data[2], caplen: 300_000 },
    ]);
    const { frames, error } = parse(file);
    assert.equal(frames.length, 2);
    const offset = 24 + 32 + data[0].length + data[1].length;
    assert.equal(error?.message, `t.pcap: record 3 at byte ${offset}: captured length 300000 is absurd (limit 262144); kept 2 frames`);
    assert.equal(error?.byteOffset, offset);
    assert.equal(error?.framesRead, 2);
  });

  test('reports a pcap cut inside a record body with the record, its offset, the lengths and the frames kept', () => {
    const data = sampleFrames(5);
    const file = builtPcap(data);
    const cutRecordAt = 24 + data.slice(0, 4).reduce((n, d) => n + 16 + d.length, 0);
    for (const chunkSize of [file.length, 1, 50]) {
      const { frames, error } = parse(file.subarray(0, cutRecordAt + 16 + 10), chunkSize);
      assert.deepEqual(frames.map((f) => f.bytes), data.slice(0, 4));
      assert.equal(error?.message, `t.pcap: record 5 at byte ${cutRecordAt}: truncated (header says ${data[4].length} bytes, file ends after 10); kept 4 frames`);
    }
  });

  test('reports a pcap cut inside a record header', () => {
    const data = sampleFrames(2);
    const file = builtPcap(data);
    const { frames, error } = parse(file.subarray(0, 24 + 16 + data[0].length + 7));
    assert.equal(frames.length, 1);
    assert.equal(error?.message, `t.pcap: record 2 at byte ${24 + 16 + data[0].length}: truncated inside the 16-byte record header (file ends after 7 bytes); kept 1 frame`);
  });

  test('rejects a pcapng block length that is too small or not a multiple of four', () => {
    for (const bad of [8, 13]) {
      const w = new PcapngWriter().section(true);
      w.addInterface({ linkType: 1 });
      w.enhancedPacket(0, 1n, sampleFrames(1)[0]);
      const goodLength = w.bytes().length;
      w.raw(w.blockBytes(BLOCK.EPB, new Uint8Array(20), bad));
      const { frames, error } = parse(w.bytes());
      assert.equal(frames.length, 1);
      assert.equal(error?.message, `t.pcap: block 4 at byte ${goodLength}: bad block length ${bad}; kept 1 frame`);
    }
  });

  test('rejects an absurd pcapng packet block length without waiting for its bytes', () => {
    const w = new PcapngWriter().section(true);
    w.addInterface({ linkType: 1 });
    const offset = w.bytes().length;
    w.raw(w.blockBytes(BLOCK.EPB, new Uint8Array(20), 0x7ffffff0));
    assert.equal(parse(w.bytes()).error?.message, `t.pcap: block 3 at byte ${offset}: block length 2147483632 is absurd (limit 1048576); kept 0 frames`);
  });

  test('rejects an enhanced packet block whose captured length is absurd or overruns the block', () => {
    for (const [caplen, problem] of [
      [300_000, 'captured length 300000 is absurd (limit 262144)'],
      [100, 'captured length 100 does not fit in a 64-byte block'],
    ] as const) {
      const w = new PcapngWriter().section(true);
      w.addInterface({ linkType: 1 });
      const offset = w.bytes().length;
      const body = new Uint8Array(52);
      new DataView(body.buffer).setUint32(12, caplen, true);
      w.raw(w.blockBytes(BLOCK.EPB, body));
      assert.equal(parse(w.bytes()).error?.message, `t.pcap: block 3 at byte ${offset}: ${problem}; kept 0 frames`);
    }
  });

  test('rejects a pcapng block whose trailing length disagrees with its header', () => {
    const w = new PcapngWriter().section(true);
    w.addInterface({ linkType: 1 });
    const offset = w.bytes().length;
    const block = w.blockBytes(BLOCK.EPB, new Uint8Array(20));
    block[block.length - 4] = 99;
    w.raw(block);
    assert.equal(parse(w.bytes()).error?.message, `t.pcap: block 3 at byte ${offset}: block length 32 does not match its trailer 99; kept 0 frames`);
  });

  test('rejects a packet that refers to an interface its section never described', () => {
    const w = new PcapngWriter().section(true);
    w.addInterface({ linkType: 1 });
    w.enhancedPacket(0, 1n, sampleFrames(1)[0]);
    w.section(true); // a new section forgets the interfaces of the last one
    const offset = w.bytes().length;
    w.enhancedPacket(0, 2n, sampleFrames(1)[0]);
    const { frames, error } = parse(w.bytes());
    assert.equal(frames.length, 1);
    assert.equal(error?.message, `t.pcap: block 5 at byte ${offset}: packet refers to interface 0, but the section describes 0; kept 1 frame`);
  });

  test('rejects a section header with an unknown byte-order magic', () => {
    const file = new PcapngWriter().section(true).bytes();
    file.set([1, 2, 3, 4], 8);
    assert.equal(parse(file).error?.message, 't.pcap: block 1 at byte 0: bad section byte-order magic 0x04030201; kept 0 frames');
  });

  test('reports a pcapng file cut inside a packet block, inside a block header and inside a skipped block', () => {
    const w = new PcapngWriter().section(false);
    w.addInterface({ linkType: 1 });
    w.enhancedPacket(0, 1n, sampleFrames(1)[0]);
    const at = w.bytes().length;
    w.enhancedPacket(0, 2n, sampleFrames(1)[0]);
    const blockLength = w.bytes().length - at;
    w.otherBlock(0x00000bad, 100);
    const file = w.bytes();
    const cases: [number, string][] = [
      [at + 40, `block 4 at byte ${at}: truncated (block length says ${blockLength} bytes, file ends after 40); kept 1 frame`],
      [at + 5, `block 4 at byte ${at}: truncated inside the block header (file ends after 5 bytes); kept 1 frame`],
      [file.length - 50, `block 5 at byte ${at + blockLength}: truncated (block length says 112 bytes, file ends after 62); kept 2 frames`],
    ];
    for (const [cut, message] of cases) {
      for (const chunkSize of [cut, 1, 17]) assert.equal(parse(file.subarray(0, cut), chunkSize).error?.message, `t.pcap: ${message}`, `cut ${cut} chunk ${chunkSize}`);
    }
  });

  test('keeps failing with the same error once the input was found bad', () => {
    const parser = new CaptureFileParser('t.pcap', () => {});
    assert.throws(() => parser.push(new TextEncoder().encode('GIF89a')), /not a pcap/);
    assert.throws(() => parser.push(builtPcap([])), /not a pcap/);
    assert.throws(() => parser.finish(), /not a pcap/);
  });
});
