// `earshot-sim simulate`: synthetic Echo traffic for a scenario (the paper's four contexts and the
// leaks), written as DIR/capture.pcap, DIR/mic.csv and DIR/truth.json. Offline by default (a
// synthetic clock, deterministic for a seed); `--live` plays the same plan with real TLS through
// network namespaces; `--report` writes the realism report (docs/simulator.md).

import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PcapBuilder } from '../../../appliance/src/capture/capture-writer.js';
import { LinkType } from '../wire-constants.js';
import { parseTimestampUs } from '../../../appliance/src/mic/mic-timeline.js';
import type { Codec } from '../echo-profile.js';
import { micTimelineCsv } from '../echo-session.js';
import { offlineTruth, simulateOffline } from '../offline-simulator.js';
import { buildPlan, minimumDurationS, parseScenarioList, SCENARIO_NOTES, SCENARIOS, type Plan, type ScenarioName } from '../scenario-plan.js';
import { EXIT_OK, UsageError, type CliIo } from '../../../appliance/src/cli/cli-io.js';
import { describeFsError } from '../../../appliance/src/cli/inputs.js';
import { simulateLive } from './simulate-live.js';
import { simulateReport } from './simulate-report.js';

export const SIMULATE_USAGE =
  'simulate --scenario NAME[,NAME...] --out DIR [--seed N] [--duration SECONDS] [--start ISO] [--codec opus|lpcm] [--live [--time-scale X]] | simulate --list | simulate --report [--shared DIR] [--doc FILE] [--reference FILE]';

export const OUTPUT_FILES = { capture: 'capture.pcap', mic: 'mic.csv', truth: 'truth.json' } as const;

/** A fixed default start, so the same seed gives the same bytes on every machine and every day. */
const DEFAULT_START = '2026-01-15T12:00:00Z';
const FLUSH_FRAMES = 20_000;

const OPTIONS = {
  scenario: { type: 'string' },
  out: { type: 'string', short: 'o' },
  seed: { type: 'string' },
  duration: { type: 'string' },
  start: { type: 'string' },
  codec: { type: 'string' },
  live: { type: 'boolean', default: false },
  'time-scale': { type: 'string' },
  list: { type: 'boolean', default: false },
  report: { type: 'boolean', default: false },
  shared: { type: 'string' },
  doc: { type: 'string' },
  reference: { type: 'string' },
} as const;

export interface SimulateRequest {
  names: ScenarioName[];
  plan: Plan;
  out: string;
  timeScale: number;
}

export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; usage: earshot-sim ${SIMULATE_USAGE}`);
  if (values.list) {
    io.stdout(SCENARIOS.map((name) => `${name.padEnd(14)} ${SCENARIO_NOTES[name]}\n`).join(''));
    return EXIT_OK;
  }
  if (values.report) return simulateReport({ shared: values.shared, doc: values.doc, reference: values.reference }, io);
  const request = parseRequest(values);
  prepareOutputDirectory(request.out);
  if (values.live) return simulateLive(request, io);
  return simulateOfflineToFiles(request, io);
}

function parseRequest(values: { scenario?: string; out?: string; seed?: string; duration?: string; start?: string; codec?: string; live?: boolean; 'time-scale'?: string }): SimulateRequest {
  if (values.scenario === undefined) throw new UsageError(`--scenario is required (one of ${SCENARIOS.join(', ')}); usage: earshot-sim ${SIMULATE_USAGE}`);
  const names = parseScenarioList(values.scenario);
  if (!names) throw new UsageError(`--scenario: expected one of ${SCENARIOS.join(', ')}, or several joined by commas without 'all' (got '${values.scenario.slice(0, 60)}')`);
  if (values.out === undefined) throw new UsageError(`--out DIR is required; usage: earshot-sim ${SIMULATE_USAGE}`);
  let seed = 1;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || seed > 0xffffffff) throw new UsageError(`--seed: expected an integer from 0 to 4294967295 (got '${values.seed.slice(0, 40)}')`);
  }
  let durationS: number | undefined;
  if (values.duration !== undefined) {
    if (names[0] === 'all') throw new UsageError("--duration: 'all' has a fixed composition; give single scenarios to choose durations");
    durationS = Number(values.duration);
    const min = Math.max(...names.map((n) => minimumDurationS(n as Exclude<ScenarioName, 'all'>)));
    if (!Number.isFinite(durationS) || durationS < min || durationS > 7 * 86400) {
      throw new UsageError(`--duration: expected seconds from ${min} to ${7 * 86400} for ${names.join(',')} (got '${values.duration.slice(0, 40)}')`);
    }
  }
  const startUs = parseTimestampUs(values.start ?? DEFAULT_START);
  if (startUs === undefined) throw new UsageError(`--start: expected ISO-8601 with a zone, e.g. ${DEFAULT_START} (got '${(values.start ?? '').slice(0, 40)}')`);
  let codec: Codec | undefined;
  if (values.codec !== undefined) {
    if (values.codec !== 'opus' && values.codec !== 'lpcm') throw new UsageError(`--codec: expected opus or lpcm (got '${values.codec.slice(0, 40)}')`);
    codec = values.codec;
  }
  let timeScale = 1;
  if (values['time-scale'] !== undefined) {
    if (!values.live) throw new UsageError('--time-scale: only applies with --live (offline runs take no wall time)');
    timeScale = Number(values['time-scale']);
    if (!Number.isFinite(timeScale) || timeScale < 1 || timeScale > 1000) throw new UsageError(`--time-scale: expected a factor from 1 to 1000 (got '${values['time-scale'].slice(0, 40)}')`);
  }
  const plan = buildPlan(names, { seed, startUs, durationS, codec });
  return { names, plan, out: values.out, timeScale };
}

function prepareOutputDirectory(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
    if (!statSync(out).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'EEXIST' || code === 'ENOTDIR' || (error as Error).message === 'not a directory' ? 'is a file, not a directory' : describeFsError(error);
    throw new UsageError(`--out ${out}: cannot use as the output directory: ${problem}`);
  }
}

/** Writes a file, turning failures into a one-line usage error that names it. */
export function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new UsageError(`${path}: cannot write: ${describeFsError(error)}`);
  }
}

function simulateOfflineToFiles(request: SimulateRequest, io: CliIo): number {
  const { plan, out } = request;
  const capturePath = join(out, OUTPUT_FILES.capture);
  const started = process.hrtime.bigint();
  let fd: number;
  try {
    fd = openSync(capturePath, 'w');
  } catch (error) {
    throw new UsageError(`${capturePath}: cannot write: ${describeFsError(error)}`);
  }
  const pcap = new PcapBuilder(LinkType.ETHERNET);
  const flush = (): void => {
    for (const chunk of pcap.take()) writeSync(fd, chunk);
  };
  let result;
  try {
    result = simulateOffline(plan, (timeUs, frame) => {
      pcap.add(timeUs, frame);
      if (pcap.packetCount % FLUSH_FRAMES === 0) flush();
    });
    flush();
  } finally {
    closeSync(fd);
  }
  writeOutput(join(out, OUTPUT_FILES.mic), micTimelineCsv(plan.mic));
  const truth = offlineTruth(result, OUTPUT_FILES) as { episodes: unknown[]; heartbeats: unknown[]; streams: unknown[]; counts: { episodes_by_verdict: Record<string, number> } };
  writeOutput(join(out, OUTPUT_FILES.truth), JSON.stringify(truth, null, 1) + '\n');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  io.stderr(summaryLine(plan, result.frames, out, truth, seconds));
  return EXIT_OK;
}

export function summaryLine(plan: Plan, frames: number, out: string, truth: { episodes: unknown[]; heartbeats: unknown[]; streams: unknown[]; counts: { episodes_by_verdict: Record<string, number> } }, seconds: number): string {
  const v = truth.counts.episodes_by_verdict;
  const hours = (plan.endUs - plan.startUs) / 3.6e9;
  return (
    `earshot-sim simulate: ${plan.scenario} (seed ${plan.seed}): ${frames.toLocaleString('en-US')} frames over ${hours >= 1 ? `${hours.toFixed(1)} h` : `${(hours * 60).toFixed(1)} min`} in ${seconds.toFixed(1)} s\n` +
    `  ${join(out, OUTPUT_FILES.capture)}, ${join(out, OUTPUT_FILES.mic)}, ${join(out, OUTPUT_FILES.truth)}\n` +
    `  upload episodes: ${v.critical} critical, ${v.warning} warning, ${v.expected} expected, ${v.none} never alert; ${truth.heartbeats.length} heartbeats; ${truth.streams.length} streams\n`
  );
}
