// The dataset recorder: frames cut to headers (no payload byte survives), segments rotated and
// trimmed to the disk budget, and rows on disk after each flush. Driven by the demo session
// through the real analysis, as the service drives it, with the recorder's clock in the test's hand.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { LinkType, TcpFlag, type CapturedFrame } from '../../appliance/src/decode/types.js';
import { DATASET_HEADER } from '../../appliance/src/features/dataset-csv.js';
import { parseFigureCsv } from '../../appliance/src/figures/figure-dataset.js';
import { parseMicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { buildAnalysis } from '../../appliance/src/pipeline/capture-run.js';
import { DatasetRecorder } from '../../appliance/src/record/dataset-recorder.js';
import { headersOnlyFrame, headersOnlyLength } from '../../appliance/src/record/headers-only.js';
import { PcapChunks } from '../../appliance/src/record/pcap-chunks.js';
import { pcapFileHeader } from '../../appliance/src/capture/capture-writer.js';
import { segmentStem, segmentsToDelete, shouldRotate } from '../../appliance/src/record/segment-policy.js';
import { demoSession, micTimelineCsv } from '../../sim/src/echo-session.js';
import { concat, icmpEchoFrame, tcpFrame, timestampOptions, tlsRecord, udpFrame } from '../../sim/src/frame-builder.js';
import { cloud, echo } from '../support/decode-fixtures.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'earshot-record-'));
  dirs.push(d);
  return d;
};

const captured = (bytes: Uint8Array, timeUs = 1_700_000_000_000_000): CapturedFrame => ({ timeUs, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes });
const decoded = (frame: CapturedFrame) => {
  const r = decodeFrame(frame);
  assert.ok(r.ok);
  return r.packet;
};
/** True when `needle` occurs in `haystack`. */
const contains = (haystack: Uint8Array, needle: Uint8Array): boolean => Buffer.from(haystack).includes(Buffer.from(needle));

describe('a frame cut to its headers', () => {
  const secret = new TextEncoder().encode('the kitchen conversation');

  it('keeps a TLS record header and no byte of the record', () => {
    const record = tlsRecord(23, 600, 0x5a);
    const frame = captured(tcpFrame({ from: echo, to: cloud, seq: 1, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, payload: record, options: timestampOptions(5, 6) }));
    const cut = headersOnlyFrame(frame, decoded(frame));
    assert.equal(cut.length, 14 + 20 + 32 + 5);
    assert.deepEqual([...cut.subarray(-5)], [...record.subarray(0, 5)]);
    // The cut frame still decodes to the same packet shape and lengths (IP's total length is kept).
    const again = decoded({ ...frame, bytes: cut });
    assert.equal(again.tcp?.srcPort, echo.port);
    assert.equal(again.payloadLength, record.length);
  });

  it('keeps no byte of a TCP payload that is not TLS, nor of a UDP payload', () => {
    const tcp = captured(tcpFrame({ from: echo, to: cloud, seq: 1, ack: 1, flags: TcpFlag.ACK, payload: secret }));
    assert.equal(headersOnlyLength(tcp, decoded(tcp)), 14 + 20 + 20);
    const udp = captured(udpFrame({ from: echo, to: { ...cloud, port: 53 }, payload: secret }));
    const cut = headersOnlyFrame(udp, decoded(udp));
    assert.equal(cut.length, 14 + 20 + 8);
    assert.ok(!contains(cut, secret));
    // UDP payload that happens to look like a TLS header is still cut: only TCP carries TLS here.
    const lookalike = captured(udpFrame({ from: echo, to: cloud, payload: tlsRecord(23, 40) }));
    assert.equal(headersOnlyLength(lookalike, decoded(lookalike)), 14 + 20 + 8);
  });

  it('keeps a bare ACK whole (it is all headers) but not the padding of a short frame', () => {
    const ack = captured(tcpFrame({ from: echo, to: cloud, seq: 1, ack: 1, flags: TcpFlag.ACK }));
    assert.equal(headersOnlyFrame(ack, decoded(ack)).length, ack.bytes.length);
    const padded = captured(concat(ack.bytes, new Uint8Array(6).fill(0xee)));
    assert.equal(headersOnlyFrame(padded, decoded(padded)).length, ack.bytes.length);
  });

  it('cuts an ICMP message at its IP header, since an ICMP error quotes the datagram it answers', () => {
    const icmp = captured(icmpEchoFrame({ from: cloud, to: echo, identifier: 1, sequence: 1, payload: secret }));
    const cut = headersOnlyFrame(icmp, decoded(icmp));
    assert.equal(cut.length, 14 + 20);
    assert.ok(contains(icmp.bytes, secret) && !contains(cut, secret));
  });
});

describe('pcap records in large chunks', () => {
  it('reads back record for record across chunk boundaries, with each frame\'s original length', async () => {
    const chunks = new PcapChunks();
    const sizes = Array.from({ length: 30_000 }, (_, i) => 40 + (i % 61));
    sizes.forEach((n, i) => chunks.append(1_700_000_000_000_000 + i * 1000, new Uint8Array(n).fill(i % 251), n + 1400));
    assert.equal(chunks.count, sizes.length);
    const taken = chunks.take();
    assert.ok(taken.length >= 2, 'the records span more than one chunk');
    assert.ok(chunks.empty);
    const path = join(tempDir(), 'chunks.pcap');
    writeFileSync(path, Buffer.concat([pcapFileHeader(LinkType.ETHERNET), ...taken]));
    const frames: CapturedFrame[] = [];
    await new FileSource(path).run((f) => frames.push(f));
    assert.deepEqual(frames.map((f) => f.bytes.length), sizes);
    assert.deepEqual(frames.map((f) => f.originalLength), sizes.map((n) => n + 1400));
    assert.equal(frames[12_345].bytes[7], 12_345 % 251);
    assert.equal(frames[12_345].timeUs, 1_700_000_000_000_000 + 12_345_000);
  });
});

describe('segments and the disk budget', () => {
  const limits = { maxTotalBytes: 1000, segmentBytes: 200, segmentMs: 60_000 };

  it('rotates at the segment size or age, whichever comes first', () => {
    assert.equal(shouldRotate({ bytes: 199, startedMs: 0 }, 59_999, limits), false);
    assert.equal(shouldRotate({ bytes: 200, startedMs: 0 }, 1, limits), true);
    assert.equal(shouldRotate({ bytes: 0, startedMs: 0 }, 60_000, limits), true);
  });

  it('deletes the oldest closed segments until the folder fits, never the current one', () => {
    const segs = [{ stem: 'a', bytes: 400 }, { stem: 'b', bytes: 400 }, { stem: 'c', bytes: 300 }, { stem: 'now', bytes: 100 }];
    assert.deepEqual(segmentsToDelete(segs, 1000), ['a']);
    assert.deepEqual(segmentsToDelete(segs, 500), ['a', 'b']);
    assert.deepEqual(segmentsToDelete([{ stem: 'now', bytes: 5000 }], 1000), []);
  });

  it('names segments by their start so names sort by time', () => {
    assert.equal(segmentStem(Date.UTC(2026, 11, 6, 19, 27, 0, 123)), 'earshot-20261206T192700123Z');
    assert.ok(segmentStem(Date.UTC(2026, 11, 6, 9)) < segmentStem(Date.UTC(2026, 11, 6, 10)));
  });
});

describe('the recorder on the demo session', () => {
  const session = demoSession();
  const mic = parseMicTimeline(micTimelineCsv(session.mic), 'mic.csv');

  /** Feeds the session's frames from `from` to `to` (indices) through the analysis into the recorder. */
  function recording(recorder: DatasetRecorder) {
    const analysis = buildAnalysis({ device: { ip: session.echo.ip }, mic }, { packet: (_p, features) => recorder.row(features) });
    return (from: number, to: number): void => {
      for (const { timeUs, frame } of session.frames.slice(from, to)) {
        const f = captured(frame, timeUs);
        analysis.push(f);
        recorder.frame(f, analysis.pipeline.device);
      }
    };
  }
  const csvRows = (path: string): string[] => readFileSync(path, 'utf8').trimEnd().split('\n').slice(1);

  it('has every row and frame pushed before a flush on disk, with the ring\'s labels, even if it never stops', async () => {
    const dir = tempDir();
    let now = Date.UTC(2026, 0, 15, 12);
    const recorder = new DatasetRecorder({ dir, maxTotalBytes: 100e6, segmentBytes: 10e6, segmentMs: 3600e3, log: () => {}, now: () => now, flushMs: 3600e3 });
    recorder.start();
    const push = recording(recorder);
    push(0, session.frames.length);
    recorder.flush();
    now += 1000;
    push(0, 0);
    // No stop(): what is on disk now is what a power cut would leave.
    const stem = recorder.status().segment!;
    const rows = csvRows(join(dir, `${stem}.csv`));
    assert.equal(readFileSync(join(dir, `${stem}.csv`), 'utf8').split('\n')[0], DATASET_HEADER);
    assert.equal(rows.length, recorder.status().rows);
    assert.ok(rows.length > 500);
    const parsed = parseFigureCsv(readFileSync(join(dir, `${stem}.csv`), 'utf8'), 'seg.csv', 'demo').rows;
    // The muted upload at 160 s is not_justified with the mic off; the wanted command is expected.
    assert.ok(parsed.some((r) => r.packetClass === 'not_justified' && r.microphone === 0));
    assert.ok(parsed.some((r) => r.packetClass === 'expected' && r.microphone === 1));

    const frames: CapturedFrame[] = [];
    await new FileSource(join(dir, `${stem}.pcap`)).run((f) => frames.push(f));
    assert.equal(frames.length, session.frames.length, 'every frame of the demo is to or from the Echo');
    for (const [i, f] of frames.entries()) {
      assert.equal(f.originalLength, session.frames[i].frame.length);
      assert.ok(f.bytes.length <= 14 + 20 + 60 + 5, `frame ${i} keeps ${f.bytes.length} bytes`);
    }
    recorder.stop();
  });

  it('keeps the headers seen before the Echo is elected, once it is, from the packets the pipeline decoded', async () => {
    const dir = tempDir();
    const recorder = new DatasetRecorder({ dir, maxTotalBytes: 100e6, segmentBytes: 10e6, segmentMs: 3600e3, log: () => {}, now: () => Date.UTC(2026, 0, 15, 12), flushMs: 3600e3 });
    recorder.start();
    // No device: the pipeline elects the busiest local sender after 200 packets.
    const analysis = buildAnalysis({ mic, electionPackets: 200 }, {});
    const first = session.frames.slice(0, 600);
    for (const { timeUs, frame } of first) {
      const f = captured(frame, timeUs);
      analysis.push(f);
      recorder.frame(f, analysis.pipeline.device, analysis.pipeline.lastDecoded);
    }
    assert.equal(analysis.pipeline.device?.description, session.echo.ip);
    const stem = recorder.status().segment!;
    recorder.stop();
    const frames: CapturedFrame[] = [];
    await new FileSource(join(dir, `${stem}.pcap`)).run((f) => frames.push(f));
    assert.equal(frames.length, first.length);
    assert.deepEqual(frames.map((f) => f.originalLength), first.map((f) => f.frame.length));
  });

  it('rotates by age and deletes the oldest segments to stay within its budget, counting earlier runs', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'earshot-20260101T000000000Z.csv'), 'x'.repeat(30_000));
    writeFileSync(join(dir, 'notes.csv'), 'not a segment: never counted or deleted');
    let now = Date.UTC(2026, 0, 15, 12);
    const lines: string[] = [];
    const recorder = new DatasetRecorder({ dir, maxTotalBytes: 60_000, segmentBytes: 15_000, segmentMs: 10_000, log: (l) => lines.push(l), now: () => now, flushMs: 3600e3 });
    recorder.start();
    assert.equal(recorder.status().diskBytes, 30_000 + DATASET_HEADER.length + 1);
    const push = recording(recorder);
    const step = Math.ceil(session.frames.length / 40);
    for (let i = 0; i < session.frames.length; i += step) {
      push(i, i + step);
      now += 5_000;
      recorder.flush();
      const onDisk = readdirSync(dir).filter((n) => n.startsWith('earshot-')).reduce((a, n) => a + statSync(join(dir, n)).size, 0);
      assert.ok(onDisk <= 60_000 + 15_000, `${onDisk} bytes on disk`);
    }
    recorder.stop();
    const stems = new Set(readdirSync(dir).filter((n) => n.startsWith('earshot-')).map((n) => n.replace(/\.(csv|pcap)$/, '')));
    assert.ok(!stems.has('earshot-20260101T000000000Z'), 'the earlier run\'s segment went first');
    assert.ok(readdirSync(dir).includes('notes.csv'));
    assert.ok(stems.size >= 3, `${stems.size} segments`);
    assert.ok(recorder.status().deletedSegments >= 2);
    const total = [...readdirSync(dir)].filter((n) => n.startsWith('earshot-')).reduce((a, n) => a + statSync(join(dir, n)).size, 0);
    assert.equal(recorder.status().diskBytes, total);
    assert.ok(lines.some((l) => /^record: closed earshot-\S+ \(\d+ KB\); now earshot-/.test(l)));
    assert.ok(lines.some((l) => /^record: deleted earshot-20260101T000000000Z to stay within 60 KB$/.test(l)));
  });

  it('gives up with one line when its folder goes away, and says it is no longer recording', async () => {
    const dir = tempDir();
    let now = Date.UTC(2026, 0, 15, 12);
    let onStopped: (line: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => (onStopped = resolve));
    const log = (line: string): void => void (line.startsWith('record: stopped:') && onStopped(line));
    const recorder = new DatasetRecorder({ dir, maxTotalBytes: 1e6, segmentBytes: 1e5, segmentMs: 1000, log, now: () => now, flushMs: 20 });
    recorder.start();
    rmSync(dir, { recursive: true, force: true });
    now += 5000; // the next flush rotates, and the new segment cannot be opened
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((_, reject) => (timer = setTimeout(() => reject(new Error('the recorder never gave up')), 10_000)));
    assert.equal(await Promise.race([stopped, timedOut]), `record: stopped: ${dir}: the folder is gone`);
    clearTimeout(timer);
    assert.equal(recorder.status().recording, false);
    recorder.stop();
  });

  it('refuses a folder it cannot create with one line naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const recorder = new DatasetRecorder({ dir: join(dir, 'file', 'sub'), maxTotalBytes: 1e6, segmentBytes: 1e5, segmentMs: 1e4, log: () => {} });
    assert.throws(() => recorder.start(), /file\/sub: cannot record: not a folder$/);
  });
});
