// `earshot train DATA... [-o FILE]`: trains the packet forest on the paper's dataset and/or CSVs
// from `earshot features`, and writes the compact model file the box loads.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CompactForest } from '../classify/compact-forest.js';
import { FEATURE_SETS, isFeatureSetName } from '../classify/features.js';
import { decodeModel, encodeModel } from '../classify/model-format.js';
import { fromCheckout } from './checkout-only.js';
import { EXIT_OK, UsageError, type CliIo } from './cli-io.js';
import { describeFsError } from './inputs.js';
import { startProgress } from './train-progress.js';

export const TRAIN_USAGE =
  'train DATA... [-o MODEL.json] [--features paper|traffic|paper+payload] [--mic context|recorded] [--trees N] [--samples-per-tree N] [--seed N] [--keep-duplicates]';

export async function trainCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o', default: 'models/earshot-forest.json' },
      features: { type: 'string', default: 'paper' },
      mic: { type: 'string', default: 'context' },
      trees: { type: 'string' },
      'samples-per-tree': { type: 'string' },
      seed: { type: 'string' },
      'keep-duplicates': { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError(`name the training data (the paper's dataset folder and/or CSVs from earshot features); usage: earshot ${TRAIN_USAGE}`);
  const featureSet = values.features!;
  if (!isFeatureSetName(featureSet)) throw new UsageError(`--features: unknown feature set '${featureSet}' (known: ${Object.keys(FEATURE_SETS).join(', ')})`);
  const mic = values.mic;
  if (mic !== 'context' && mic !== 'recorded') throw new UsageError(`--mic: must be context or recorded, not '${mic}'`);
  // Loaded here, not at start-up: `earshot run` never needs ml-random-forest, and the box has no trainer.
  const [{ DEFAULT_FOREST_PARAMS }, { loadCaptures }, { trainModel }] = await fromCheckout(() =>
    Promise.all([import('../../../models/train/forest-params.js'), import('../../../models/train/dataset.js'), import('../../../models/train/recipe.js')]),
  );
  const forest = {
    ...DEFAULT_FOREST_PARAMS,
    trees: intOption('--trees', values.trees, DEFAULT_FOREST_PARAMS.trees, 1, 10_000),
    samplesPerTree: intOption('--samples-per-tree', values['samples-per-tree'], DEFAULT_FOREST_PARAMS.samplesPerTree, 10, 20_000),
    seed: intOption('--seed', values.seed, DEFAULT_FOREST_PARAMS.seed, 0, 0x7fffffff),
  };

  const captures = loadCaptures(positionals);
  for (const c of captures) {
    if (c.duplicateOf) io.stderr(`earshot train: ${c.name} is a byte-for-byte copy of ${c.duplicateOf}: ${values['keep-duplicates'] ? 'kept (--keep-duplicates)' : 'dropped'}\n`);
  }

  const started = performance.now();
  const progress = startProgress('earshot train: trees', forest.trees, io);
  const model = trainModel(captures, { features: FEATURE_SETS[featureSet], mic, keepDuplicates: values['keep-duplicates']!, forest }, (done) => progress.update(done));
  progress.stop();
  const seconds = (performance.now() - started) / 1000;

  const text = encodeModel(model.meta, model.arrays);
  // The file must load as the box will load it; a model that cannot is never written.
  decodeModel(text, values.output!);
  try {
    writeFileSync(values.output!, text);
  } catch (error) {
    throw new UsageError(`${values.output}: cannot write: ${describeFsError(error)}`);
  }
  const compact = new CompactForest(model.arrays);
  io.stderr(
    `earshot train: ${model.meta.modelVersion}: ${compact.treeCount} trees, ${compact.nodeCount} nodes, ${(text.length / 1024).toFixed(1)} KB, ` +
      `trained in ${seconds.toFixed(1)} s, each tree on ${forest.samplesPerTree} of ${model.rows.balanced} rows (${model.meta.trainingData.rows} packets from ` +
      `${model.meta.trainingData.captures.length} captures, ${model.rows.kept} after keeping 5% of ACKs, then balanced by SMOTE); written to ${values.output}\n`,
  );
  return EXIT_OK;
}

function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`${name}: must be an integer between ${min} and ${max}, not '${raw}'`);
  return v;
}
