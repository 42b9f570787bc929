// `earshot features CAPTURE -o OUT.csv`: the paper's dataset columns for the Echo's packets.
// Rows are written as they are produced, so a capture that breaks off keeps every row before it.

import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FileSource } from '../capture/file-source.js';
import { withFileProgress } from './file-progress.js';
import { DATASET_HEADER, datasetRow } from '../features/dataset-csv.js';
import type { CliIo } from './cli-io.js';
import { EXIT_BAD_INPUT, EXIT_OK, UsageError } from './cli-io.js';
import { runCapture } from '../pipeline/capture-run.js';
import { describeFsError } from './inputs.js';
import { captureArgument, pipelineOptions, SHARED_OPTIONS } from './pipeline-options.js';

export const FEATURES_USAGE = 'features CAPTURE [--mic MIC.csv] [--device IP|MAC] [--grace SECONDS] -o OUT.csv';
const FLUSH_ROWS = 8192;

export async function featuresCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...SHARED_OPTIONS, output: { type: 'string', short: 'o' } },
  });
  const capture = captureArgument(positionals, FEATURES_USAGE);
  if (values.output === undefined) throw new UsageError(`-o OUT.csv is required; usage: earshot ${FEATURES_USAGE}`);
  const { options } = await pipelineOptions(values);
  const out = values.output;
  let fd: number;
  try {
    fd = openSync(out, 'w');
  } catch (error) {
    throw new UsageError(`${out}: cannot write: ${describeFsError(error)}`);
  }
  let rows: string[] = [DATASET_HEADER];
  let written = 0;
  const flush = (): void => {
    if (rows.length === 0) return;
    writeSync(fd, rows.join('\n') + '\n');
    rows = [];
  };
  try {
    const run = await runCapture(withFileProgress(new FileSource(capture), capture), options, {
      packet: (_packet, features) => {
        rows.push(datasetRow(features));
        written++;
        if (rows.length >= FLUSH_ROWS) flush();
      },
    });
    flush();
    if (run.inputError && run.pipeline.counts.frames === 0) {
      unlinkSync(out); // leave no header-only file behind for input that was never a capture
      throw run.inputError;
    }
    io.stderr(`earshot features: ${written} rows from ${run.pipeline.device?.description ?? 'no Echo found'} written to ${out}\n`);
    if (run.inputError) {
      io.stderr(`earshot features: ${run.inputError.message}\n`);
      return EXIT_BAD_INPUT;
    }
  } finally {
    flush();
    closeSync(fd);
  }
  return EXIT_OK;
}
