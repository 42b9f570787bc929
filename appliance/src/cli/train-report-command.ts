// `earshot train-report DATA... [-o models/REPORT.md]`: evaluates the forest the paper's way and
// the honest way, with each dataset defect and feature set, and writes REPORT.md and its charts.
// Each held-out capture is a job; the jobs run on child processes, one per core.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeModel } from '../classify/model-format.js';
import { SHIPPED_MODEL_NAME } from '../classify/model-file.js';
import type { WorkerRequest } from '../../../models/train/fold-worker.js';
import type { Evaluation, FoldResult } from '../../../models/train/protocols.js';
import type { MicConflict, ReportInput } from '../../../models/train/report-markdown.js';
import { fromCheckout } from './checkout-only.js';
import { EXIT_OK, UsageError, type CliIo } from './cli-io.js';
import { startProgress } from './train-progress.js';

export const TRAIN_REPORT_USAGE = 'train-report PAPER_DATASET [-o REPORT.md] [--workers N]';

export async function trainReportCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o', default: 'models/REPORT.md' }, workers: { type: 'string' } },
  });
  if (positionals.length === 0) throw new UsageError(`name the paper's dataset folder; usage: earshot ${TRAIN_REPORT_USAGE}`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) throw new UsageError(`--workers: must be an integer between 1 and 64, not '${values.workers}'`);
  // Loaded here, not at start-up: `earshot run` never needs the training code, and the box has none.
  const [{ DEFAULT_FOREST_PARAMS }, { datasetHash, loadCaptures }, { runJobs }, { poolFolds }, { renderReport }, { VARIANTS }] = await fromCheckout(() =>
    Promise.all([
      import('../../../models/train/forest-params.js'),
      import('../../../models/train/dataset.js'),
      import('../../../models/train/fold-pool.js'),
      import('../../../models/train/protocols.js'),
      import('../../../models/train/report-markdown.js'),
      import('../../../models/train/report-plan.js'),
    ]),
  );
  const captures = loadCaptures(positionals);
  const params = DEFAULT_FOREST_PARAMS;
  const seed = params.seed;
  const requests: Array<Omit<WorkerRequest, 'id'>> = VARIANTS.flatMap((v) => {
    const groups = captures.filter((c) => !(v.data.dropDuplicates && c.duplicateOf)).length;
    const folds = v.protocol === 'paper' ? [-1] : Array.from({ length: groups }, (_, g) => g);
    return folds.map((fold) => ({ variant: v.key, fold, inputs: positionals, params, seed }));
  });

  const started = performance.now();
  const progress = startProgress('earshot train-report: evaluations', requests.length, io);
  const results = await runJobs<Evaluation | FoldResult>(requests, (done) => progress.update(done), workers);
  progress.stop();
  const byVariant: ReportInput['results'] = {};
  for (const v of VARIANTS) {
    const mine = results.filter((_, i) => requests[i].variant === v.key);
    byVariant[v.key] = v.protocol === 'paper' ? (mine[0] as Evaluation) : poolFolds(mine as FoldResult[], v.data.features.length);
  }

  const micConflicts: MicConflict[] = captures.flatMap((c) => {
    if (c.contextMic === undefined || c.duplicateOf) return [];
    const byLabel: Record<string, number> = {};
    c.rows.forEach((row, i) => {
      if (row.microphone !== undefined && row.microphone !== c.contextMic) byLabel[c.labels[i]] = (byLabel[c.labels[i]] ?? 0) + 1;
    });
    return Object.keys(byLabel).length > 0 ? [{ capture: c.name, contextMic: c.contextMic, byLabel }] : [];
  });
  const out = values.output!;
  const modelPath = join(dirname(out), SHIPPED_MODEL_NAME);
  let shipped: ReportInput['shipped'];
  if (existsSync(modelPath)) {
    const text = readFileSync(modelPath, 'utf8');
    const model = decodeModel(text, modelPath);
    shipped = { modelVersion: model.modelVersion, bytes: statSync(modelPath).size, trees: model.forest.treeCount, nodes: model.forest.nodeCount, features: model.features };
  }
  const kept = captures.filter((c) => !c.duplicateOf);
  const report = renderReport({
    command: `earshot ${['train-report', 'PAPER_DATASET', ...(values.output === 'models/REPORT.md' ? [] : ['-o', out])].join(' ')}`,
    params,
    seed,
    dataset: {
      sha256: datasetHash(captures),
      files: captures.length,
      rows: captures.reduce((a, c) => a + c.rows.length, 0),
      duplicates: captures.filter((c) => c.duplicateOf).map((c) => ({ name: c.name, of: c.duplicateOf! })),
    },
    micConflicts,
    results: byVariant,
    seconds: (performance.now() - started) / 1000,
    shipped,
  });
  const chartDir = join(dirname(out), 'charts');
  mkdirSync(chartDir, { recursive: true });
  for (const [name, svg] of Object.entries(report.charts)) writeFileSync(join(chartDir, name), svg);
  writeFileSync(out, report.markdown);
  io.stderr(`earshot train-report: ${requests.length} evaluations over ${kept.length} captures in ${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${out} and ${Object.keys(report.charts).length} charts in ${chartDir}\n`);
  return EXIT_OK;
}
