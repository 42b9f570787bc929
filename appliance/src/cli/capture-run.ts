// Runs one packet source through the pipeline. A capture that breaks off (truncated file) is
// not thrown away: the result carries the error so the command can report what was read first.

import { CaptureInputError, type PacketSource } from '../capture/packet-source.js';
import { PacketPipeline, type EchoPacketSink, type PipelineOptions } from '../pipeline/packet-pipeline.js';
import { classCountsByPaperLabel, type SummaryEvent } from '../pipeline/events.js';

export interface CaptureRunResult {
  pipeline: PacketPipeline;
  source: PacketSource;
  wallSeconds: number;
  inputError: CaptureInputError | undefined;
}

export async function runCapture(source: PacketSource, options: PipelineOptions, sink: EchoPacketSink): Promise<CaptureRunResult> {
  const pipeline = new PacketPipeline(options, sink);
  const started = process.hrtime.bigint();
  let inputError: CaptureInputError | undefined;
  try {
    await source.run((frame) => pipeline.push(frame));
  } catch (error) {
    if (!(error instanceof CaptureInputError)) throw error;
    inputError = error;
  }
  pipeline.finish();
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { pipeline, source, wallSeconds, inputError };
}

export function summaryEvent(run: CaptureRunResult, alerts = 0): SummaryEvent {
  const { pipeline, wallSeconds } = run;
  const counts = pipeline.counts;
  const decode = pipeline.decodeCounters;
  const skipped: Record<string, number> = {};
  for (const [reason, n] of Object.entries(decode.byReason)) if (n > 0) skipped[reason] = n;
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
    alerts,
    capture_dropped: run.source.stats().dropped,
    capture_seconds: counts.frames > 0 ? (counts.lastTimeUs - counts.firstTimeUs) / 1e6 : 0,
    wall_seconds: wallSeconds,
    packets_per_second: wallSeconds > 0 ? Math.round(counts.frames / wallSeconds) : 0,
  };
}
