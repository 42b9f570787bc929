// Runs one packet source through decode -> flows -> features -> judge. A capture that breaks off
// (truncated file) is not thrown away: the result carries the error so the command can report
// what was read first.

import { CaptureInputError, type PacketSource } from '../capture/packet-source.js';
import type { CapturedFrame, DecodedPacket } from '../decode/types.js';
import type { PaperFeatures } from '../features/paper-features.js';
import type { JudgeEvent } from '../judge/judge-events.js';
import { Judge, type UploadPacket } from '../judge/judge.js';
import { uploadBytes } from '../judge/upload-filter.js';
import type { PacketContext } from '../flows/packet-context.js';
import type { FlowTuple } from '../judge/judge-events.js';
import { PacketPipeline, type DeviceLane, type PipelineOptions } from './packet-pipeline.js';
import { classCountsByPaperLabel, type DeviceSummary, type SummaryEvent } from './events.js';

export interface CaptureRunHandlers {
  /** Each TCP packet an Echo sent, with its features, label and the bytes it adds to an upload. */
  packet?: (packet: DecodedPacket, features: PaperFeatures, uploadBytes: number, lane: DeviceLane) => void;
  /** Alerts and alert ends, in the order the judges raise them; each names its Echo. */
  judge?: (event: JudgeEvent) => void;
}

export interface CaptureRunResult {
  pipeline: PacketPipeline;
  /** Every Echo's judge, by lane: what the run found for each. */
  judges: readonly Judge[];
  source: PacketSource;
  wallSeconds: number;
  inputError: CaptureInputError | undefined;
}

export interface Analysis {
  pipeline: PacketPipeline;
  /** One judge per Echo, in the pipeline's lane order. */
  readonly judges: readonly Judge[];
  /** The first Echo's judge (the only one on a single-device box). */
  readonly judge: Judge;
  judgeOf(lane: DeviceLane): Judge;
  push(frame: CapturedFrame): void;
  /** The capture clock moved on without a packet (the service's housekeeping): every Echo's quiet check. */
  tick(nowUs: number): void;
  finish(): void;
}

/**
 * decode -> flows -> features -> judge, wired once for replay, features and the service. Each
 * Echo has its own judge, so one Echo's episode, verdict and flood never touch another's: the
 * work per packet is one lane's, whichever Echo sends the most.
 */
export function buildAnalysis(options: PipelineOptions, handlers: CaptureRunHandlers = {}): Analysis {
  const judges: Judge[] = [];
  const judgeOf = (lane: DeviceLane): Judge => {
    let judge = judges[lane.index];
    if (!judge) {
      const { id, name, mic } = lane.device;
      judge = new Judge({ mic, graceS: options.graceS, device: { id, name } }, (event) => handlers.judge?.(event));
      judges[lane.index] = judge;
    }
    return judge;
  };
  // One object carries every upload to a judge, so the packet path allocates nothing for it;
  // the five-tuple is written out only when a judge first meets a connection in an episode.
  let current: PacketContext | undefined;
  const upload: UploadPacket = { timeUs: 0, bytes: 0, stream: 0, flowTuple: () => flowTupleOf(current!) };
  const toJudge = (lane: DeviceLane, context: PacketContext, bytes: number): void => {
    const timeUs = context.packet.timeUs;
    const judge = judgeOf(lane);
    if (bytes === 0) return judge.tick(timeUs);
    current = context;
    upload.timeUs = timeUs;
    upload.bytes = bytes;
    upload.stream = context.streamIndex;
    judge.upload(upload);
    current = undefined;
  };
  const pipeline = new PacketPipeline(
    options,
    (lane, context, features) => {
      const bytes = uploadBytes(context);
      handlers.packet?.(context.packet, features, bytes, lane);
      toJudge(lane, context, bytes);
    },
    (lane, context) => {
      const length = context.packet.payloadLength;
      if (length > 0) judgeOf(lane).download(context.packet.timeUs, length);
    },
    (lane, context) => toJudge(lane, context, uploadBytes(context)),
  );
  // Every configured Echo has its judge from the start, so a summary lists it even if it stayed silent.
  for (const lane of pipeline.lanes) judgeOf(lane);
  const allJudges = (): Judge[] => pipeline.lanes.map(judgeOf);
  return {
    pipeline,
    get judges() {
      return allJudges();
    },
    get judge() {
      return judgeOf(pipeline.lanes[0]);
    },
    judgeOf,
    push: (frame) => pipeline.push(frame),
    tick: (nowUs) => {
      for (const judge of allJudges()) judge.tick(nowUs, true);
    },
    finish: () => {
      pipeline.finish();
      for (const judge of allJudges()) judge.finish();
    },
  };
}

export async function runCapture(source: PacketSource, options: PipelineOptions, handlers: CaptureRunHandlers = {}): Promise<CaptureRunResult> {
  const analysis = buildAnalysis(options, handlers);
  const started = process.hrtime.bigint();
  let inputError: CaptureInputError | undefined;
  try {
    await source.run(analysis.push);
  } catch (error) {
    if (!(error instanceof CaptureInputError)) throw error;
    inputError = error;
  }
  analysis.finish();
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { pipeline: analysis.pipeline, judges: analysis.judges, source, wallSeconds, inputError };
}

function flowTupleOf(context: PacketContext): FlowTuple {
  const packet = context.packet;
  const ports = (packet.tcp ?? packet.udp)!;
  return { protocol: packet.tcp ? 'tcp' : 'udp', src: packet.src, srcPort: ports.srcPort, dst: packet.dst, dstPort: ports.dstPort };
}

export function summaryEvent(run: CaptureRunResult): SummaryEvent {
  const { pipeline, judges, wallSeconds } = run;
  const counts = pipeline.counts;
  const decode = pipeline.decodeCounters;
  const skipped: Record<string, number> = {};
  for (const [reason, n] of Object.entries(decode.byReason)) if (n > 0) skipped[reason] = n;
  const total = (pick: (judge: Judge) => number): number => judges.reduce((sum, judge) => sum + pick(judge), 0);
  return {
    type: 'summary',
    capture: run.source.description,
    device: pipeline.device?.description ?? null,
    frames: counts.frames,
    decoded: decode.decoded,
    skipped,
    fragments: decode.fragments,
    echo_packets: counts.echoPackets,
    classes: classCountsByPaperLabel(counts.byClass),
    alerts: total((j) => j.counts.alerts),
    alerts_by_severity: { critical: total((j) => j.counts.critical), warning: total((j) => j.counts.warning) },
    upload_episodes: total((j) => j.counts.episodes),
    voice_like_episodes: total((j) => j.counts.audioLikeEpisodes),
    alert_latency_ms: latencySummary(judges.flatMap((j) => j.counts.latenciesUs)),
    devices: pipeline.lanes.map((lane) => deviceSummary(lane, judges[lane.index])),
    capture_dropped: run.source.stats().dropped,
    capture_seconds: counts.frames > 0 ? (counts.lastTimeUs - counts.firstTimeUs) / 1e6 : 0,
    wall_seconds: wallSeconds,
    packets_per_second: wallSeconds > 0 ? Math.round(counts.frames / wallSeconds) : 0,
  };
}

function deviceSummary(lane: DeviceLane, judge: Judge | undefined): DeviceSummary {
  return {
    id: lane.id,
    name: lane.device.name,
    address: lane.matcher?.description ?? null,
    echo_packets: lane.echoPackets,
    alerts: judge?.counts.alerts ?? 0,
    alerts_by_severity: { critical: judge?.counts.critical ?? 0, warning: judge?.counts.warning ?? 0 },
    upload_episodes: judge?.counts.episodes ?? 0,
    alert_latency_ms: latencySummary(judge?.counts.latenciesUs ?? []),
  };
}

function latencySummary(latenciesUs: readonly number[]): { median: number; max: number } | null {
  if (latenciesUs.length === 0) return null;
  const sorted = [...latenciesUs].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)] / 1000), max: Math.round(sorted[sorted.length - 1] / 1000) };
}
