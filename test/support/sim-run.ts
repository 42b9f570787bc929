// Runs `earshot-sim simulate` and `earshot features` in-process for the simulator's tests, and reads
// what they wrote: the capture's frames, the mic timeline, truth.json and the dataset rows.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import type { CliIo } from '../../appliance/src/cli/cli-io.js';
import { runCli } from '../../appliance/src/cli/main.js';
import { runSimCli } from '../../sim/src/cli/sim-main.js';
import type { CapturedFrame } from '../../appliance/src/decode/types.js';
import { parseDatasetCsv, type DatasetRow } from '../../sim/src/realism-stats.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function capture(run: (argv: string[], io: CliIo) => Promise<number>, argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** The product's `earshot ARGV`. */
export const cli = (argv: string[]): Promise<CliResult> => capture(runCli, argv);
/** The simulator's `earshot-sim ARGV`. */
export const simCli = (argv: string[]): Promise<CliResult> => capture(runSimCli, argv);

export interface TruthEpisode {
  id: string;
  kind: string;
  start: string;
  end: string;
  start_us: number;
  end_us: number;
  bytes: number;
  records: number;
  tcp_payload_bytes: number;
  packets: number;
  retransmissions: number;
  dst: string;
  flow: { protocol: string; src: string; srcPort: number; dst: string; dstPort: number };
  /** Every connection of the episode, `flow` first (two for the split leak). */
  flows: TruthEpisode['flow'][];
  mic: string;
  voice_like: boolean;
  expected_verdict: 'critical' | 'warning' | 'expected' | 'none';
  alert: boolean;
  utterance?: string;
  codec?: string;
}

export interface Truth {
  format: string;
  generator: { mode: string; scenario: string; seed: number; time_scale: number };
  device: { ip: string; mac: string };
  capture: { file: string; start: string; end: string; frames: number };
  mic_timeline: { file: string; grace_s: number };
  segments: { scenario: string; start: string; end: string }[];
  episodes: TruthEpisode[];
  heartbeats: { kind: string; time: string; time_us: number; length: number; dst: string; flow: TruthEpisode['flow'] }[];
  streams: { id: string; service: string; start_us: number; end_us: number; download_bytes: number; echo_acks: number; echo_frames: number; flows: TruthEpisode['flow'][] }[];
  counts: Record<string, unknown> & { episodes_by_verdict: Record<string, number> };
}

export interface SimulatedRun {
  dir: string;
  result: CliResult;
  capture: string;
  mic: string;
  truth: Truth;
  remove(): void;
}

/** `earshot-sim simulate ARGS --out TMPDIR`; throws with stderr when it does not exit 0. */
export async function simulate(args: string[]): Promise<SimulatedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-sim-test-'));
  const result = await simCli(['simulate', ...args, '--out', dir]);
  if (result.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`earshot-sim simulate ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
  return {
    dir,
    result,
    capture: join(dir, 'capture.pcap'),
    mic: join(dir, 'mic.csv'),
    truth: JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function readFrames(capture: string): Promise<CapturedFrame[]> {
  const frames: CapturedFrame[] = [];
  await new FileSource(capture).run((frame) => frames.push(frame));
  return frames;
}

/** `earshot features` on a simulated run, with its mic timeline and the Echo's address. */
export async function featureRows(run: SimulatedRun): Promise<DatasetRow[]> {
  const out = join(run.dir, 'features.csv');
  const result = await cli(['features', run.capture, '--mic', run.mic, '--device', run.truth.device.ip, '-o', out]);
  if (result.code !== 0) throw new Error(`earshot features exited ${result.code}: ${result.stderr}`);
  return parseDatasetCsv(readFileSync(out, 'utf8'));
}

export const iso = (text: string): number => Date.parse(text) * 1000;
