// `node --import tsx bench/record-bench.ts`: what the dataset recorder adds to each packet. The
// same generated session (music streaming, heartbeats, voice) goes through the analysis as the
// service runs it, with and without the recorder, rounds interleaved so machine noise hits both
// alike; the recorder writes to a temporary folder and flushes as it would each second.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkType, type CapturedFrame } from '../appliance/src/decode/types.js';
import { buildAnalysis } from '../appliance/src/pipeline/capture-run.js';
import { DatasetRecorder } from '../appliance/src/record/dataset-recorder.js';
import { benchmarkSession } from '../sim/src/echo-session.js';

const ROUNDS = Number(process.env.EARSHOT_BENCH_ROUNDS ?? 3);
const session = benchmarkSession(200_000);
const frames: CapturedFrame[] = session.frames.map(({ timeUs, frame }) => ({ timeUs, originalLength: frame.length, linkType: LinkType.ETHERNET, bytes: frame }));
const dir = mkdtempSync(join(tmpdir(), 'earshot-record-bench-'));

/**
 * Seconds for one pass; with a recorder, a flush every second of capture time, as live. Flushes
 * (write + fdatasync) are timed apart: live they happen once a wall-clock second, off the packets.
 */
function pass(record: boolean): { seconds: number; flushSeconds: number; flushes: number; written?: number } {
  let flushSeconds = 0;
  let flushes = 0;
  let now = 0;
  const recorder = record ? new DatasetRecorder({ dir, maxTotalBytes: 1e9, segmentBytes: 200e6, segmentMs: 3600e3, log: () => {}, now: () => now, flushMs: 3600e3 }) : undefined;
  recorder?.start();
  const analysis = buildAnalysis({ device: { ip: session.echo.ip } }, { packet: (_p, features) => recorder?.row(features) });
  let nextFlushUs = frames[0].timeUs + 1e6;
  const started = performance.now();
  for (const frame of frames) {
    analysis.push(frame);
    if (recorder) {
      recorder.frame(frame, analysis.pipeline.device);
      if (frame.timeUs >= nextFlushUs) {
        now += 1000;
        const t = performance.now();
        recorder.flush();
        flushSeconds += (performance.now() - t) / 1000;
        flushes++;
        nextFlushUs = frame.timeUs + 1e6;
      }
    }
  }
  analysis.finish();
  recorder?.stop();
  const seconds = (performance.now() - started) / 1000 - flushSeconds;
  return { seconds, flushSeconds, flushes, written: recorder?.status().diskBytes };
}

try {
  const plain: number[] = [];
  const recorded: number[] = [];
  let written = 0;
  const flushMs: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    plain.push(pass(false).seconds);
    const r = pass(true);
    recorded.push(r.seconds);
    written = r.written ?? 0;
    flushMs.push((r.flushSeconds / r.flushes) * 1000);
    console.log(`round ${round}: analysis ${Math.round(frames.length / plain.at(-1)!).toLocaleString('en-US')} pkt/s, with the recorder ${Math.round(frames.length / recorded.at(-1)!).toLocaleString('en-US')} pkt/s`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const addedUs = ((median(recorded) - median(plain)) / frames.length) * 1e6;
  console.log(`recorder: +${addedUs.toFixed(2)} us per packet on the packet path (median of ${ROUNDS}); a flush (write + fdatasync) takes ${median(flushMs).toFixed(1)} ms, once a second`);
  console.log(`recorder: ${frames.length.toLocaleString('en-US')} frames -> ${(written / 1e6).toFixed(1)} MB of CSV + headers-only pcap (${((written / frames.reduce((a, f) => a + f.bytes.length, 0)) * 100).toFixed(1)}% of the frames' bytes)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
