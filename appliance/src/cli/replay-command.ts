// `earshot replay CAPTURE`: the pipeline over a capture file, as JSON lines or a human summary.

import { parseArgs } from 'node:util';
import { FileSource } from '../capture/file-source.js';
import { packetEvent } from '../pipeline/events.js';
import type { CliIo } from './cli-io.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './cli-io.js';
import { runCapture, summaryEvent } from './capture-run.js';
import { captureArgument, micNote, pipelineOptions, SHARED_OPTIONS } from './pipeline-options.js';
import { formatReplaySummary } from './replay-report.js';

const USAGE = 'replay CAPTURE [--mic MIC.csv] [--device IP|MAC] [--grace SECONDS] [--jsonl]';

export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...SHARED_OPTIONS, jsonl: { type: 'boolean', default: false } },
  });
  const capture = captureArgument(positionals, USAGE);
  const { options, mic } = await pipelineOptions(values);
  const jsonl = values.jsonl === true;
  let buffered: string[] = [];
  const flush = (): void => {
    if (buffered.length > 0) io.stdout(buffered.join(''));
    buffered = [];
  };
  const run = await runCapture(new FileSource(capture), options, (packet, features) => {
    if (!jsonl) return;
    buffered.push(JSON.stringify(packetEvent(packet, features)) + '\n');
    if (buffered.length >= 4096) flush();
  });
  // Nothing read at all (not a capture, unreadable): the one-line error is the whole answer.
  if (run.inputError && run.pipeline.counts.frames === 0) throw run.inputError;
  const summary = summaryEvent(run);
  if (jsonl) {
    buffered.push(JSON.stringify(summary) + '\n');
    flush();
  } else io.stdout(formatReplaySummary(summary, micNote(mic, values.mic)));
  if (run.inputError) {
    io.stderr(`earshot replay: ${run.inputError.message}\n`);
    return EXIT_BAD_INPUT;
  }
  return EXIT_OK;
}
