// `earshot replay CAPTURE`: the pipeline and the judge over a capture file, as the contract's
// JSON lines or as a human timeline of mic states and alerts followed by a summary.

import { parseArgs } from 'node:util';
import { FileSource } from '../capture/file-source.js';
import { withFileProgress } from './file-progress.js';
import { loadModelFile } from '../classify/model-file.js';
import { PacketClassifier } from '../classify/packet-classifier.js';
import type { JudgeEvent } from '../judge/judge-events.js';
import { packetEvent } from '../pipeline/events.js';
import type { CliIo } from './cli-io.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './cli-io.js';
import { runCapture, summaryEvent } from '../pipeline/capture-run.js';
import { captureArgument, micNote, pipelineOptions, SHARED_OPTIONS } from './pipeline-options.js';
import { formatReplaySummary, formatTimeline } from './replay-report.js';
import { stdoutPalette } from './colour.js';

export const REPLAY_USAGE = 'replay CAPTURE [--mic MIC.csv] [--device IP|MAC] [--model FILE] [--grace SECONDS] [--jsonl] [--mqtt URL [--id ID] [--pace recorded|fast]]';

export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...SHARED_OPTIONS,
      jsonl: { type: 'boolean', default: false },
      model: { type: 'string' },
      mqtt: { type: 'string' },
      id: { type: 'string' },
      pace: { type: 'string' },
    },
  });
  const capture = captureArgument(positionals, REPLAY_USAGE);
  // Loaded only with --mqtt: the service's wiring (mqtt.js, the config validator, the access point
  // and sensor adapters) is about 27 MB that a plain replay does not need (docs/service.md).
  if (values.mqtt !== undefined) return (await import('./replay-mqtt.js')).replayToBroker(capture, values, io);
  const { options, mic } = await pipelineOptions(values);
  // The forest's classes are reported when a model is named; otherwise the labelling rules'.
  if (values.model !== undefined) options.classifier = new PacketClassifier(loadModelFile(values.model));
  const jsonl = values.jsonl === true;
  let buffered: string[] = [];
  const flush = (): void => {
    if (buffered.length > 0) io.stdout(buffered.join(''));
    buffered = [];
  };
  const write = (event: object): void => {
    buffered.push(JSON.stringify(event) + '\n');
    // Small batches: 4,096 lines per write kept a megabyte of strings alive long enough to be
    // promoted, and a 400k-frame --jsonl replay peaked at 111 MB RSS; 64 lines peak at 71 MB, and
    // are faster too (bench/memory-bench.ts).
    if (buffered.length >= 64) flush();
  };
  const judgeEvents: JudgeEvent[] = [];
  const run = await runCapture(withFileProgress(new FileSource(capture), capture), options, {
    packet: jsonl ? (packet, features) => write(packetEvent(packet, features)) : undefined,
    judge: (event) => (jsonl ? write(event) : judgeEvents.push(event)),
  });
  // Nothing read at all (not a capture, unreadable): the one-line error is the whole answer.
  if (run.inputError && run.pipeline.counts.frames === 0) throw run.inputError;
  const summary = summaryEvent(run);
  if (jsonl) {
    write(summary);
    flush();
  } else {
    const counts = run.pipeline.counts;
    io.stdout(formatTimeline(mic?.changes() ?? [], judgeEvents, counts.firstTimeUs, counts.lastTimeUs, stdoutPalette()));
    io.stdout(formatReplaySummary(summary, micNote(mic, values.mic)));
  }
  if (run.inputError) {
    io.stderr(`earshot replay: ${run.inputError.message}\n`);
    return EXIT_BAD_INPUT;
  }
  return EXIT_OK;
}
