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
import { PacketPipeline, type PipelineOptions } from './packet-pipeline.js';
import { classCountsByPaperLabel, type SummaryEvent } from './events.js';

export interface CaptureRunHandlers {
  /** Each TCP packet the Echo sent, with its features, label and the bytes it adds to an upload. */
  packet?: (packet: DecodedPacket, features: PaperFeatures, uploadBytes: number) => void;
  /** Alerts and alert ends, in the order the judge raises them. */
  judge?: (event: JudgeEvent) => void;
}

export interface CaptureRunResult {
  pipeline: PacketPipeline;
  judge: Judge;
  source: PacketSource;
  wallSeconds: number;
  inputError: CaptureInputError | undefined;
}

export interface Analysis {
  pipeline: PacketPipeline;
  judge: Judge;
  push(frame: CapturedFrame): void;
  finish(): void;
}

/** decode -> flows -> features -> judge, wired once for replay, features and the service. */
export function buildAnalysis(options: PipelineOptions, handlers: CaptureRunHandlers = {}): Analysis {
  const judge = new Judge({ mic: options.mic, graceS: options.graceS }, (event) => handlers.judge?.(event));
  // One object carries every upload to the judge, so the packet path allocates nothing for it;
  // the five-tuple is written out only when the judge first meets a connection in an episode.
  let current: PacketContext | undefined;
  const upload: UploadPacket = { timeUs: 0, bytes: 0, stream: 0, flowTuple: () => flowTupleOf(current!) };
  const toJudge = (context: PacketContext, bytes: number): void => {
    const timeUs = context.packet.timeUs;
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
    (context, features) => {
      const bytes = uploadBytes(context);
      handlers.packet?.(context.packet, features, bytes);
      toJudge(context, bytes);
    },
    (context) => {
      const length = context.packet.payloadLength;
      if (length > 0) judge.download(context.packet.timeUs, length);
    },
    (context) => toJudge(context, uploadBytes(context)),
  );
  return {
    pipeline,
    judge,
    push: (frame) => pipeline.push(frame),
    finish: () => {
      pipeline.finish();
      judge.finish();
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
  return { pipeline: analysis.pipeline, judge: analysis.judge, source, wallSeconds, inputError };
}

function flowTupleOf(context: PacketContext): FlowTuple {
  const packet = context.packet;
  const ports = (packet.tcp ?? packet.udp)!;
  return { protocol: packet.tcp ? 'tcp' : 'udp', src: packet.src, srcPort: ports.srcPort, dst: packet.dst, dstPort: ports.dstPort };
}

export function summaryEvent(run: CaptureRunResult): SummaryEvent {
  const { pipeline, judge, wallSeconds } = run;
  const counts = pipeline.counts;
  const decode = pipeline.decodeCounters;
  const skipped: Record<string, number> = {};
  for (const [reason, n] of Object.entries(decode.byReason)) if (n > 0) skipped[reason] = n;
  const latencies = [...judge.counts.latenciesUs].sort((a, b) => a - b);
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
    alerts: judge.counts.alerts,
    alerts_by_severity: { critical: judge.counts.critical, warning: judge.counts.warning },
    upload_episodes: judge.counts.episodes,
    voice_like_episodes: judge.counts.audioLikeEpisodes,
    alert_latency_ms:
      latencies.length === 0 ? null : { median: Math.round(latencies[Math.floor(latencies.length / 2)] / 1000), max: Math.round(latencies[latencies.length - 1] / 1000) },
    capture_dropped: run.source.stats().dropped,
    capture_seconds: counts.frames > 0 ? (counts.lastTimeUs - counts.firstTimeUs) / 1e6 : 0,
    wall_seconds: wallSeconds,
    packets_per_second: wallSeconds > 0 ? Math.round(counts.frames / wallSeconds) : 0,
  };
}
