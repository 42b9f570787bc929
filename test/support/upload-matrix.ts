// The whole matrix of issue 14, shared by the integration test and the bench: every shape is
// captured live once, then judged offline by `earshot replay` under each ring state. The hour of
// heartbeats cannot be captured live in a test, so it comes from the simulator's `muted` scenario
// (an hour of heartbeats and small telemetry, no upload) and is judged the same way.

import { join } from 'node:path';
import { runCommand } from './netns.js';
import { REPO_ROOT } from './shared-data.js';
import type { UploadLab } from './upload-lab.js';
import type { ShapeKind, UploadShape } from './upload-shapes.js';
import { judge, replayAlerts, RING_STATES, upstreamPayload, writeMicTimelines, type MatrixRow } from './upload-verdicts.js';

export interface CaptureToJudge {
  name: string;
  stack: string;
  shape: string;
  kind: ShapeKind;
  file: string;
  /** Any time before the capture's first frame: the mic timelines start here. */
  fromMs: number;
  device: string;
}

/** Captures every shape in turn (one pcap each). */
export async function captureShapes(lab: UploadLab, shapes: UploadShape[], log: (line: string) => void = () => {}): Promise<CaptureToJudge[]> {
  const captures: CaptureToJudge[] = [];
  for (const shape of shapes) {
    const started = Date.now();
    const capture = await lab.capture(shape.name, () => shape.run(lab));
    log(`captured ${shape.name} in ${((Date.now() - started) / 1000).toFixed(1)} s (${capture.tcpdumpSummary})`);
    captures.push({ ...shape, file: capture.file, fromMs: capture.listeningAtMs - 60_000, device: '192.0.2.10' });
  }
  return captures;
}

/** An hour of the simulator's muted-ring background (heartbeats, telemetry), built offline. */
export async function simulatedHeartbeatHour(dir: string): Promise<CaptureToJudge> {
  const out = join(dir, 'heartbeat-hour');
  const start = '2026-01-15T12:00:00.000Z';
  const args = ['--import', 'tsx', join(REPO_ROOT, 'sim/src/bin.ts'), 'simulate', '--scenario', 'muted', '--out', out, '--duration', '3600', '--seed', '14', '--start', start];
  const result = await runCommand(process.execPath, args, 120_000);
  if (result.code !== 0) throw new Error(`earshot-sim simulate failed (${result.code}): ${result.stderr.trim()}`);
  return {
    name: 'heartbeat-hour',
    stack: 'earshot-sim simulate (offline)',
    shape: "1 h of heartbeats and telemetry (simulator's muted scenario)",
    kind: 'negative',
    file: join(out, 'capture.pcap'),
    fromMs: Date.parse(start) - 60_000,
    device: '192.0.2.10',
  };
}

/** Judges each capture under each ring state with the real product. */
export async function judgeCaptures(dir: string, captures: CaptureToJudge[]): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  for (const capture of captures) {
    const upstream = await upstreamPayload(capture.file);
    const mics = writeMicTimelines(dir, capture.name, capture.fromMs);
    const replays = await Promise.all(RING_STATES.map((state) => replayAlerts(capture.file, mics[state], capture.device)));
    RING_STATES.forEach((state, index) => {
      const alerts = replays[index];
      rows.push({ name: capture.name, kind: capture.kind, stack: capture.stack, shape: capture.shape, state, alerts, judged: judge(capture.kind, state, alerts, upstream) });
    });
  }
  return rows;
}
