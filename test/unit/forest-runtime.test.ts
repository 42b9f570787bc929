import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompactForest } from '../../appliance/src/classify/compact-forest.js';
import { compileForest } from '../../models/train/compile-forest.js';
import { fitForest } from '../../models/train/fit-forest.js';
import { DEFAULT_FOREST_PARAMS } from '../../models/train/forest-params.js';
import { seededRandom } from '../../models/train/rng.js';

/** Four classes that overlap, over five features of which two are noise, like packet sizes and gaps. */
function rows(count: number, seed: number): { X: number[][]; y: number[] } {
  const random = seededRandom(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = Math.floor(random() * 4);
    X.push([label * 60 + Math.round(random() * 90), label % 2, Math.round(random() * 1000), Math.round(random() * 3), label === 3 ? 23 : Math.round(random()) * 22]);
    y.push(label);
  }
  return { X, y };
}

const SMALL = { ...DEFAULT_FOREST_PARAMS, trees: 9, samplesPerTree: 150 };

test('the compact forest predicts exactly what ml-random-forest predicts on held-out rows', () => {
  const train = rows(600, 1);
  const heldOut = rows(2000, 2);
  const { forest } = fitForest(train.X, train.y, SMALL);
  const compact = new CompactForest(compileForest(forest, 5, 4));
  const reference = forest.predict(heldOut.X);
  const ours = heldOut.X.map((x) => compact.predict(x));
  assert.deepEqual(ours, reference);
  // A forest that predicted one class everywhere would pass the line above trivially.
  assert.ok(new Set(ours).size >= 3, `only classes ${[...new Set(ours)]} were predicted`);
});

test('the compact forest matches ml-random-forest when feature bagging picks columns with replacement', () => {
  const train = rows(500, 3);
  const heldOut = rows(1000, 4);
  const { forest } = fitForest(train.X, train.y, { ...SMALL, replacement: true, maxFeatures: 0.6 });
  const compact = new CompactForest(compileForest(forest, 5, 4));
  assert.deepEqual(heldOut.X.map((x) => compact.predict(x)), forest.predict(heldOut.X));
});

test('a missing value (NaN) takes the right branch, as in ml-cart', () => {
  const train = rows(400, 5);
  const { forest } = fitForest(train.X, train.y, SMALL);
  const compact = new CompactForest(compileForest(forest, 5, 4));
  const probes = [[NaN, 0, 10, 1, 0], [130, NaN, 500, 2, 22], [NaN, NaN, NaN, NaN, NaN]];
  assert.deepEqual(probes.map((x) => compact.predict(x)), forest.predict(probes));
});

test('a tied vote goes to the class that reached the winning count first, as ml-random-forest breaks it', () => {
  // Four one-leaf trees voting 2, 1, 1, 2: classes 1 and 2 tie at two votes; 1 got there first.
  const forest = new CompactForest({
    featureCount: 1,
    classCount: 3,
    roots: Int32Array.from([~2, ~1, ~1, ~2]),
    feature: new Uint8Array(0),
    threshold: new Float64Array(0),
    left: new Int32Array(0),
    right: new Int32Array(0),
  });
  assert.equal(forest.predict([0]), 1);
});

test('a split sends values below the threshold left and the threshold itself right', () => {
  const forest = new CompactForest({
    featureCount: 2,
    classCount: 2,
    roots: Int32Array.from([0]),
    feature: Uint8Array.from([1]),
    threshold: Float64Array.from([66.5]),
    left: Int32Array.from([~0]),
    right: Int32Array.from([~1]),
  });
  assert.equal(forest.predict([0, 66]), 0);
  assert.equal(forest.predict([0, 66.5]), 1);
});

test('a forest whose child points back to its parent is refused, so a corrupt file cannot loop forever', () => {
  assert.throws(
    () => new CompactForest({ featureCount: 1, classCount: 2, roots: Int32Array.from([0]), feature: Uint8Array.from([0]), threshold: Float64Array.from([1]), left: Int32Array.from([0]), right: Int32Array.from([~1]) }),
    /node 0 has a left child before it/,
  );
});

test('a forest that reads a feature it does not have is refused', () => {
  assert.throws(
    () => new CompactForest({ featureCount: 1, classCount: 2, roots: Int32Array.from([0]), feature: Uint8Array.from([3]), threshold: Float64Array.from([1]), left: Int32Array.from([~0]), right: Int32Array.from([~1]) }),
    /reads feature 3 of 1/,
  );
});

test('training refuses labels that are not non-negative integers and a seed that is not an integer', () => {
  const { X } = rows(20, 6);
  assert.throws(() => fitForest(X, X.map(() => 0.5), SMALL), /non-negative integers/);
  assert.throws(() => fitForest(X, X.map(() => -1), SMALL), /non-negative integers/);
  assert.throws(() => fitForest(X, X.map(() => 1), { ...SMALL, seed: 1.5 }), /seed must be an integer/);
});

test('feature importance sums to one and ranks an informative feature above pure noise', () => {
  const train = rows(600, 7);
  const { importance } = fitForest(train.X, train.y, SMALL);
  assert.ok(Math.abs(importance.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(importance[0] > importance[2], `size ${importance[0]} should beat noise ${importance[2]}`);
});
