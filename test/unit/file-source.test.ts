import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PcapBuilder } from '../../appliance/src/capture/capture-writer.js';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { CaptureInputError } from '../../appliance/src/capture/packet-source.js';
import { LinkType, type CapturedFrame } from '../../appliance/src/decode/types.js';
import { tcpFrame } from '../../sim/src/frame-builder.js';

const a = { mac: '02:00:00:00:00:01', ip: '192.0.2.2', port: 50000 };
const b = { mac: '02:00:00:00:00:02', ip: '192.0.2.1', port: 443 };
const T0 = 1_700_000_000_000_000;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earshot-file-source-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Frame i carries its index in the TCP sequence number and a payload of `sizeOf(i)` bytes. */
function framePayload(i: number, size: number): Uint8Array {
  return tcpFrame({ from: a, to: b, seq: i, ack: 1, flags: 0x18, payload: new Uint8Array(size).fill(i & 0xff) });
}

async function writePcap(name: string, count: number, size: (i: number) => number, spacingUs = 100): Promise<{ path: string; bytes: Buffer }> {
  const builder = new PcapBuilder(LinkType.ETHERNET);
  for (let i = 0; i < count; i++) builder.add(T0 + i * spacingUs, framePayload(i, size(i)));
  const bytes = Buffer.concat(builder.take());
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, bytes };
}

async function collect(source: FileSource): Promise<{ frames: CapturedFrame[]; error: unknown }> {
  const frames: CapturedFrame[] = [];
  try {
    await source.run((f) => frames.push(f));
    return { frames, error: undefined };
  } catch (error) {
    return { frames, error };
  }
}

const seqOf = (f: CapturedFrame): number => new DataView(f.bytes.buffer, f.bytes.byteOffset + 14 + 20 + 4, 4).getUint32(0);

describe('file source', () => {
  test('reads a 5 MiB capture through 1 MiB chunks with every frame intact and in order', async () => {
    const count = 8000;
    const size = (i: number): number => (i * 7919) % 1400;
    const { path, bytes } = await writePcap('big.pcap', count, size);
    assert.ok(bytes.length >= 5 * 1024 * 1024, `fixture is only ${bytes.length} bytes`);
    const source = new FileSource(path);
    const { frames, error } = await collect(source);
    assert.equal(error, undefined);
    assert.equal(frames.length, count);
    for (let i = 0; i < count; i++) {
      assert.equal(seqOf(frames[i]), i);
      assert.equal(frames[i].bytes.length, 54 + size(i));
      if (size(i) > 0) assert.equal(frames[i].bytes.at(-1), i & 0xff);
      assert.equal(frames[i].timeUs, T0 + i * 100);
    }
    assert.deepEqual(source.stats(), { received: count, dropped: 0, interfaceDropped: 0 });
    assert.equal(source.description, `file ${path}`);
  });

  test('reads ahead by 1, 2 or 5 chunks of sizes that do not divide the file, every frame intact and in order', async () => {
    const count = 2000;
    const size = (i: number): number => (i * 577) % 1400;
    const { path, bytes } = await writePcap('ahead.pcap', count, size);
    for (const readAhead of [1, 2, 5]) {
      for (const chunkSize of [4096, 65_537, bytes.length, bytes.length + 1]) {
        const { frames, error } = await collect(new FileSource(path, { readAhead, chunkSize }));
        assert.equal(error, undefined, `read ahead ${readAhead}, chunks of ${chunkSize}`);
        assert.equal(frames.length, count, `read ahead ${readAhead}, chunks of ${chunkSize}`);
        for (let i = 0; i < count; i += 97) assert.equal(seqOf(frames[i]), i);
      }
    }
  });

  test('reads a capture from a named pipe (no positions, short reads) with every frame intact and in order', async (t) => {
    const count = 3000;
    const size = (i: number): number => (i * 131) % 1400;
    const { path } = await writePcap('piped.pcap', count, size);
    const fifo = join(dir, 'capture.fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo is not available');
    // The writer pushes the file through the pipe in small pieces, so reads come back short.
    const writer = spawn('dd', [`if=${path}`, `of=${fifo}`, 'bs=4096'], { stdio: 'ignore' });
    const written = once(writer, 'exit');
    const { frames, error } = await collect(new FileSource(fifo));
    assert.deepEqual(await written, [0, null]);
    assert.equal(error, undefined);
    assert.equal(frames.length, count);
    for (let i = 0; i < count; i++) {
      assert.equal(seqOf(frames[i]), i);
      assert.equal(frames[i].bytes.length, 54 + size(i));
    }
  });

  test('says a missing file cannot be opened because there is no such file', async () => {
    const path = join(dir, 'nope.pcap');
    const { error } = await collect(new FileSource(path));
    assert.ok(error instanceof CaptureInputError);
    assert.equal(error.message, `${path}: cannot open: no such file`);
  });

  test('says a directory is not a capture file', async () => {
    const { error } = await collect(new FileSource(dir));
    assert.ok(error instanceof CaptureInputError);
    assert.equal(error.message, `${dir}: cannot open: is a directory, not a capture file`);
  });

  test('says a text file is not a capture and delivers nothing', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'shopping list: milk, eggs\n');
    const { frames, error } = await collect(new FileSource(path));
    assert.equal(frames.length, 0);
    assert.ok(error instanceof CaptureInputError);
    assert.equal(error.message, `${path}: file header: not a pcap or pcapng capture (starts with 0x73686f70)`);
  });

  test('says a capture of a link type the decoder cannot read is not supported, naming the type', async () => {
    const path = join(dir, 'radiotap.pcap');
    const pcap = new PcapBuilder(127);
    pcap.add(1_700_000_000_000_000, new Uint8Array(60));
    await writeFile(path, Buffer.concat(pcap.take()));
    for (const pace of ['fast', 'recorded'] as const) {
      const { frames, error } = await collect(new FileSource(path, { pace }));
      assert.equal(frames.length, 0);
      assert.ok(error instanceof CaptureInputError);
      assert.equal(error.message, `${path}: link type: 127 (IEEE802_11_RADIOTAP) is not supported (earshot reads NULL (BSD loopback), ETHERNET, RAW (IP), LINUX_SLL, LINUX_SLL2)`);
    }
  });

  test('delivers every frame before the cut of a truncated file, then says where it stopped', async () => {
    const { bytes } = await writePcap('whole.pcap', 3000, () => 1000);
    const recordLength = 16 + 54 + 1000;
    const cutRecord = 2500; // zero-based, well past the first 1 MiB chunk
    const path = join(dir, 'cut.pcap');
    await writeFile(path, bytes.subarray(0, 24 + cutRecord * recordLength + 16 + 300));
    const { frames, error } = await collect(new FileSource(path));
    assert.equal(frames.length, cutRecord);
    assert.equal(seqOf(frames[cutRecord - 1]), cutRecord - 1);
    assert.ok(error instanceof CaptureInputError);
    assert.equal(error.message, `${path}: record ${cutRecord + 1} at byte ${24 + cutRecord * recordLength}: truncated (header says 1054 bytes, file ends after 300); kept ${cutRecord} frames`);
  });

  test('stops delivering when stop() is called from inside onFrame', async () => {
    const { path } = await writePcap('stop.pcap', 100, () => 10);
    const source = new FileSource(path);
    let seen = 0;
    await source.run(() => {
      if (++seen === 10) source.stop();
    });
    assert.equal(seen, 10);
  });

  test('delivers frames at their recorded spacing when paced', async () => {
    const { path } = await writePcap('paced.pcap', 4, () => 10, 40_000);
    const arrivals: number[] = [];
    const started = performance.now();
    await new FileSource(path, { pace: 'recorded' }).run(() => arrivals.push(performance.now() - started));
    assert.equal(arrivals.length, 4);
    // 40 ms apart in the capture; timers may fire late but never early.
    for (let i = 1; i < 4; i++) assert.ok(arrivals[i] - arrivals[0] >= i * 40 - 1, `frame ${i} came at ${arrivals[i].toFixed(1)} ms`);
  });

  test('delivers the good frames before a truncation when paced, then rejects', async () => {
    const { bytes } = await writePcap('paced-whole.pcap', 3, () => 10, 1000);
    const path = join(dir, 'paced-cut.pcap');
    await writeFile(path, bytes.subarray(0, bytes.length - 5));
    const { frames, error } = await collect(new FileSource(path, { pace: 'recorded' }));
    assert.equal(frames.length, 2);
    assert.match(String(error), /record 3 at byte \d+: truncated .*; kept 2 frames/);
  });
});
