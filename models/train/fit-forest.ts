// Training with ml-random-forest, bounded. ml-cart's split search costs about the square of the
// rows (225 s per tree on 20k rows here), so each tree gets its own bootstrap of `samplesPerTree`
// rows, as sklearn's `max_samples` does: the cost per tree is then fixed whatever the data's size,
// and the trees still see different rows. Each tree is a one-tree ml-random-forest (which adds its
// own feature bagging), and the trees are joined into one classifier through the library's load().

import { RandomForestClassifier } from 'ml-random-forest';
import { forestInternals, type CartNode } from './compile-forest.js';
import type { ForestParams } from './forest-params.js';
import { randomInt, randomSeed, seededRandom } from './rng.js';

export type { ForestParams } from './forest-params.js';

export interface FittedForest {
  forest: RandomForestClassifier;
  /** Mean decrease in Gini impurity per feature, each tree normalised to 1, averaged. */
  importance: number[];
}

export function fitForest(X: readonly number[][], y: readonly number[], params: ForestParams, onTree?: (done: number, total: number) => void): FittedForest {
  if (X.length === 0) throw new RangeError('no training rows');
  if (!y.every((v) => Number.isInteger(v) && v >= 0)) throw new RangeError('labels must be non-negative integers');
  if (!Number.isInteger(params.seed)) throw new RangeError(`seed must be an integer, not ${params.seed}`);
  const featureCount = X[0].length;
  const random = seededRandom(params.seed);
  const estimators: unknown[] = [];
  const indexes: number[][] = [];
  const importance = new Array<number>(featureCount).fill(0);
  let base: ReturnType<RandomForestClassifier['toJSON']>['baseModel'] | undefined;
  for (let t = 0; t < params.trees; t++) {
    const rows = Array.from({ length: params.samplesPerTree }, () => randomInt(random, X.length));
    const one = new RandomForestClassifier({
      nEstimators: 1,
      seed: randomSeed(random),
      maxFeatures: params.maxFeatures,
      replacement: params.replacement,
      // The bootstrap is ours (above); with one tree the library's out-of-bag pass would throw.
      useSampleBagging: false,
      noOOB: true,
      treeOptions: params.treeOptions,
    });
    one.train(rows.map((r) => X[r] as number[]), rows.map((r) => y[r]));
    const internals = forestInternals(one);
    addImportance(importance, internals.estimators[0].root, internals.indexes[0]);
    const json = one.toJSON();
    base ??= json.baseModel;
    estimators.push(json.baseModel.estimators[0]);
    indexes.push(json.baseModel.indexes[0]);
    onTree?.(t + 1, params.trees);
  }
  const forest = RandomForestClassifier.load({
    name: 'RFClassifier',
    baseModel: { ...base!, nEstimators: params.trees, estimators: estimators as never, indexes },
  });
  const total = importance.reduce((a, b) => a + b, 0);
  return { forest, importance: importance.map((v) => (total > 0 ? v / total : 0)) };
}

/** sklearn's mean decrease in impurity for one tree: gain times samples at each split. */
function addImportance(into: number[], root: CartNode, columns: number[]): void {
  const perTree = new Array<number>(into.length).fill(0);
  const walk = (node: CartNode): void => {
    if (!node.left || !node.right) return;
    perTree[columns[node.splitColumn!]] += Math.max(0, node.gain ?? 0) * (node.numberSamples ?? 0);
    walk(node.left);
    walk(node.right);
  };
  walk(root);
  const sum = perTree.reduce((a, b) => a + b, 0);
  if (sum > 0) perTree.forEach((v, f) => (into[f] += v / sum));
}
