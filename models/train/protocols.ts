// The two evaluations side by side. The paper's: SMOTE on all rows, then a random 70/30 split
// of single packets, so synthetic rows made from test packets sit in the training set and
// packets of one capture fall on both sides. The honest one: leave one capture out, SMOTE only
// the training part, test on the untouched capture. Pure: the data comes in already loaded.

import { FeatureVector, type FeatureName } from '../../appliance/src/classify/features.js';
import { CompactForest } from '../../appliance/src/classify/compact-forest.js';
import { PACKET_CLASSES } from '../../appliance/src/features/packet-class.js';
import { compileForest } from './compile-forest.js';
import type { Capture } from './dataset.js';
import { fitForest, type ForestParams } from './fit-forest.js';
import { addToConfusion, emptyConfusion } from './metrics.js';
import { seededRandom, shuffle, type Random } from './rng.js';
import { smote } from './smote.js';

export const CLASS_COUNT = PACKET_CLASSES.length;
const ACK = PACKET_CLASSES.indexOf('ack');
/** The paper kept 5% of the ACKs (2,413 of 48,252), chosen at random. */
export const ACK_KEEP = 0.05;

export interface DataOptions {
  features: readonly FeatureName[];
  /** `context`: the mic state the capture's context implies, where known (see Capture.contextMic). */
  mic: 'recorded' | 'context';
  dropDuplicates: boolean;
}

export interface EvalData {
  X: number[][];
  y: number[];
  /** Index into `groupNames`: the capture a row came from. */
  groups: number[];
  groupNames: string[];
  features: readonly FeatureName[];
}

export function buildEvalData(captures: readonly Capture[], options: DataOptions): EvalData {
  const vector = new FeatureVector(options.features);
  const kept = captures.filter((c) => !(options.dropDuplicates && c.duplicateOf));
  const data: EvalData = { X: [], y: [], groups: [], groupNames: kept.map((c) => c.name), features: options.features };
  kept.forEach((capture, g) => {
    const mic = options.mic === 'context' ? capture.contextMic : undefined;
    capture.rows.forEach((row, i) => {
      data.X.push(vector.of(mic === undefined ? row : { ...row, microphone: mic }));
      data.y.push(PACKET_CLASSES.indexOf(capture.labels[i]));
      data.groups.push(g);
    });
  });
  return data;
}

/** Row indices after keeping a random `keep` share of one class (exactly, rounded) and all others. */
export function thinClass(y: readonly number[], cls: number, keep: number, random: Random): number[] {
  const members = shuffle(y.flatMap((v, i) => (v === cls ? [i] : [])), random);
  const keepSet = new Set(members.slice(0, Math.round(members.length * keep)));
  return y.flatMap((v, i) => (v !== cls || keepSet.has(i) ? [i] : []));
}

/** Fits mean and standard deviation on the training rows, as sklearn's StandardScaler. */
export function standardiser(X: readonly number[][]): (row: readonly number[]) => number[] {
  const n = X.length;
  const d = X[0].length;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const row of X) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  for (const row of X) for (let j = 0; j < d; j++) sd[j] += (row[j] - mean[j]) ** 2 / n;
  const scale = sd.map((v) => (v > 0 ? Math.sqrt(v) : 1));
  return (row) => row.map((v, j) => (v - mean[j]) / scale[j]);
}

export interface Evaluation {
  confusion: number[][];
  /** Decrease in impurity, averaged over the forests trained. */
  importance: number[];
  trainRows: number;
  testRows: number;
}

/** The paper's protocol (section 6), with our seeded shuffle in place of numpy's. */
export function paperProtocol(data: EvalData, params: ForestParams, seed: number): Evaluation & { smoteAdded: number } {
  const random = seededRandom(seed);
  const kept = thinClass(data.y, ACK, ACK_KEEP, random);
  const balanced = smote(kept.map((i) => data.X[i]), kept.map((i) => data.y[i]), random);
  const order = shuffle(balanced.y.map((_, i) => i), random);
  const testCount = Math.ceil(order.length * 0.3); // train_test_split rounds the test share up
  const test = order.slice(0, testCount);
  const train = order.slice(testCount);
  const scale = standardiser(train.map((i) => balanced.X[i]));
  const fitted = fitForest(train.map((i) => scale(balanced.X[i])), train.map((i) => balanced.y[i]), params);
  const forest = new CompactForest(compileForest(fitted.forest, data.features.length, CLASS_COUNT));
  const predicted = test.map((i) => forest.predict(scale(balanced.X[i])));
  return {
    confusion: addToConfusion(emptyConfusion(CLASS_COUNT), test.map((i) => balanced.y[i]), predicted),
    importance: fitted.importance,
    trainRows: train.length,
    testRows: test.length,
    smoteAdded: [...balanced.added.values()].reduce((a, b) => a + b, 0),
  };
}

export interface FoldResult {
  fold: number;
  truth: number[];
  predicted: number[];
  /** Every row of the held-out capture, ACKs not thinned: what the box would see. */
  truthAll: number[];
  predictedAll: number[];
  /** Per feature: predictions on the (thinned) test rows with that feature's column shuffled. */
  permuted: number[][];
  importance: number[];
  trainRows: number;
}

/** One fold of leave-one-capture-out. Deterministic in (seed, fold), so folds can run anywhere. */
export function captureFold(data: EvalData, fold: number, params: ForestParams, seed: number): FoldResult {
  // The same ACK thinning in every fold, as the paper thinned the whole dataset once.
  const kept = thinClass(data.y, ACK, ACK_KEEP, seededRandom(seed));
  const random = seededRandom(seed * 1009 + fold + 1);
  const train = kept.filter((i) => data.groups[i] !== fold);
  const test = kept.filter((i) => data.groups[i] === fold);
  const all = data.y.flatMap((_, i) => (data.groups[i] === fold ? [i] : []));
  const balanced = smote(train.map((i) => data.X[i]), train.map((i) => data.y[i]), random);
  const scale = standardiser(balanced.X);
  const fitted = fitForest(balanced.X.map(scale), balanced.y, { ...params, seed: params.seed + fold });
  const forest = new CompactForest(compileForest(fitted.forest, data.features.length, CLASS_COUNT));
  const testX = test.map((i) => scale(data.X[i]));
  const permuted = data.features.map((_, j) => {
    const column = shuffle(testX.map((row) => row[j]), random);
    return testX.map((row, r) => forest.predict(row.map((v, jj) => (jj === j ? column[r] : v))));
  });
  return {
    fold,
    truth: test.map((i) => data.y[i]),
    predicted: testX.map((row) => forest.predict(row)),
    truthAll: all.map((i) => data.y[i]),
    predictedAll: all.map((i) => forest.predict(scale(data.X[i]))),
    permuted,
    importance: fitted.importance,
    trainRows: balanced.y.length,
  };
}

export interface CaptureEvaluation extends Evaluation {
  /** Confusion over every row of the held-out captures (ACKs not thinned). */
  confusionAll: number[][];
  /** Per feature: the pooled confusion with that feature shuffled in the test rows. */
  permutedConfusion: number[][][];
}

/** Pools the folds' predictions into one confusion matrix, as if every capture were tested once. */
export function poolFolds(folds: readonly FoldResult[], featureCount: number): CaptureEvaluation {
  const confusion = emptyConfusion(CLASS_COUNT);
  const confusionAll = emptyConfusion(CLASS_COUNT);
  const permutedConfusion = Array.from({ length: featureCount }, () => emptyConfusion(CLASS_COUNT));
  const importance = new Array<number>(featureCount).fill(0);
  for (const f of folds) {
    addToConfusion(confusion, f.truth, f.predicted);
    addToConfusion(confusionAll, f.truthAll, f.predictedAll);
    f.permuted.forEach((p, j) => addToConfusion(permutedConfusion[j], f.truth, p));
    f.importance.forEach((v, j) => (importance[j] += v / folds.length));
  }
  const testRows = folds.reduce((a, f) => a + f.truth.length, 0);
  const trainRows = Math.round(folds.reduce((a, f) => a + f.trainRows, 0) / folds.length);
  return { confusion, confusionAll, permutedConfusion, importance, trainRows, testRows };
}
