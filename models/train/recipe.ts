// The shipped model's recipe, shared by `earshot train`, the benchmark and the tests: drop copied
// captures, build the feature rows, keep 5% of the ACKs and SMOTE the rest to balance (as the
// paper did), then fit the bounded forest. No standardising: trees split on thresholds, so a
// per-feature affine scale changes no partition, and the box is spared the arithmetic.

import { createHash } from 'node:crypto';
import type { RandomForestClassifier } from 'ml-random-forest';
import type { CompactForestArrays } from '../../appliance/src/classify/compact-forest.js';
import type { FeatureName } from '../../appliance/src/classify/features.js';
import { encodeModel, MODEL_FORMAT_VERSION, type ModelMetadata, type TrainingDataInfo } from '../../appliance/src/classify/model-format.js';
import { PACKET_CLASSES, paperLabel } from '../../appliance/src/features/packet-class.js';
import { compileForest } from './compile-forest.js';
import { datasetHash, type Capture } from './dataset.js';
import { fitForest, type ForestParams } from './fit-forest.js';
import { ACK_KEEP, buildEvalData, CLASS_COUNT, thinClass } from './protocols.js';
import { seededRandom } from './rng.js';
import { smote } from './smote.js';

export interface RecipeOptions {
  features: readonly FeatureName[];
  mic: 'recorded' | 'context';
  keepDuplicates: boolean;
  forest: ForestParams;
}

export interface TrainedModel {
  meta: ModelMetadata;
  arrays: CompactForestArrays;
  /** The library's own classifier, for checking the compact one against it. */
  reference: RandomForestClassifier;
  importance: number[];
  /** Rows after ACK thinning, and after SMOTE. */
  rows: { kept: number; balanced: number };
}

export function trainModel(captures: readonly Capture[], options: RecipeOptions, onTree?: (done: number, total: number) => void): TrainedModel {
  const used = captures.filter((c) => options.keepDuplicates || !c.duplicateOf);
  const data = buildEvalData(used, { features: options.features, mic: options.mic, dropDuplicates: false });
  const random = seededRandom(options.forest.seed);
  const kept = thinClass(data.y, PACKET_CLASSES.indexOf('ack'), ACK_KEEP, random);
  const balanced = smote(kept.map((i) => data.X[i]), kept.map((i) => data.y[i]), random);
  const fitted = fitForest(balanced.X, balanced.y, options.forest, onTree);
  const arrays = compileForest(fitted.forest, options.features.length, CLASS_COUNT);
  const trainingData: TrainingDataInfo = {
    sha256: datasetHash(used),
    rows: data.y.length,
    captures: used.map((c) => ({ name: c.name, sha256: c.sha256, rows: c.rows.length })),
    dropped: captures.filter((c) => !used.includes(c)).map((c) => ({ name: c.name, reason: `byte-for-byte copy of ${c.duplicateOf}` })),
    micSource: options.mic === 'context' && used.some((c) => c.contextMic !== undefined) ? 'context' : 'recorded',
    payloadSource: used.every((c) => c.hasPayload) ? 'measured' : used.some((c) => c.hasPayload) ? 'mixed' : 'estimated',
  };
  const meta: ModelMetadata = {
    modelVersion: '',
    features: [...options.features],
    labels: PACKET_CLASSES.map(paperLabel),
    seed: options.forest.seed,
    trainingData,
    params: { ...options.forest, ackKeep: ACK_KEEP, smote: { k: 5, target: 'largest class' }, keepDuplicates: options.keepDuplicates, standardised: false },
  };
  // Same data, parameters and seed give the same forest, hence the same version.
  meta.modelVersion = `f${MODEL_FORMAT_VERSION}-${createHash('sha256').update(encodeModel(meta, arrays)).digest('hex').slice(0, 12)}`;
  return { meta, arrays, reference: fitted.forest, importance: fitted.importance, rows: { kept: kept.length, balanced: balanced.y.length } };
}
