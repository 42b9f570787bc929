import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../models/train/rng.js';
import { nearest, smote } from '../../models/train/smote.js';

/** Two features, three classes of 40, 12 and 5 rows, scattered around different centres. */
function imbalanced(seed = 1): { X: number[][]; y: number[] } {
  const random = seededRandom(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (const [label, count, cx, cy] of [[0, 40, 0, 0], [1, 12, 10, 5], [2, 5, -8, 20]] as const) {
    for (let i = 0; i < count; i++) {
      X.push([cx + random() * 6, cy + random() * 6]);
      y.push(label);
    }
  }
  return { X, y };
}

/** k nearest same-class rows by brute force, written independently of the implementation. */
function bruteNearest(X: number[][], y: number[], base: number, k: number): number[] {
  return X.map((row, i) => ({ i, d: (row[0] - X[base][0]) ** 2 + (row[1] - X[base][1]) ** 2 }))
    .filter(({ i }) => i !== base && y[i] === y[base])
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, k)
    .map(({ i }) => i);
}

/** Is p on the segment from a to b (p = a + u (b - a), 0 <= u <= 1)? */
function onSegment(p: number[], a: number[], b: number[]): boolean {
  const d = [b[0] - a[0], b[1] - a[1]];
  const len2 = d[0] ** 2 + d[1] ** 2;
  if (len2 === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]) < 1e-9;
  const u = ((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2;
  const off = Math.hypot(p[0] - (a[0] + u * d[0]), p[1] - (a[1] + u * d[1]));
  return u >= -1e-9 && u <= 1 + 1e-9 && off < 1e-9;
}

test('SMOTE balances every class to the size of the largest and keeps the original rows first, unchanged', () => {
  const { X, y } = imbalanced();
  const out = smote(X, y, seededRandom(7));
  const counts = [0, 1, 2].map((c) => out.y.filter((v) => v === c).length);
  assert.deepEqual(counts, [40, 40, 40]);
  assert.deepEqual(out.X.slice(0, X.length), X);
  assert.deepEqual(out.y.slice(0, y.length), y);
  assert.deepEqual([...out.added], [[0, 0], [1, 28], [2, 35]]);
});

test('every synthetic row lies on a segment from a row of its class to one of that row\'s 5 nearest same-class neighbours', () => {
  const { X, y } = imbalanced();
  const out = smote(X, y, seededRandom(7));
  for (let s = X.length; s < out.X.length; s++) {
    const p = out.X[s];
    const label = out.y[s];
    const explained = X.some((a, i) => y[i] === label && bruteNearest(X, y, i, 5).some((n) => onSegment(p, a, X[n])));
    assert.ok(explained, `synthetic row ${s} (${p}) of class ${label} is not between a row and one of its 5 nearest neighbours`);
  }
});

test('synthetic rows are spread along the segments, not copies of the originals', () => {
  const { X, y } = imbalanced();
  const out = smote(X, y, seededRandom(7));
  const originals = new Set(X.map((r) => r.join(',')));
  const copies = out.X.slice(X.length).filter((r) => originals.has(r.join(','))).length;
  assert.equal(copies, 0);
});

test('the same seed gives the same synthetic rows, and another seed different ones', () => {
  const { X, y } = imbalanced();
  assert.deepEqual(smote(X, y, seededRandom(3)).X, smote(X, y, seededRandom(3)).X);
  assert.notDeepEqual(smote(X, y, seededRandom(3)).X, smote(X, y, seededRandom(4)).X);
});

test('a class with a single row is repeated, since it has no neighbour to interpolate towards', () => {
  const X = [[0, 0], [1, 1], [2, 2], [50, 50]];
  const y = [0, 0, 0, 1];
  const out = smote(X, y, seededRandom(1));
  assert.deepEqual(out.X.slice(4), [[50, 50], [50, 50]]);
  assert.deepEqual(out.y.slice(4), [1, 1]);
});

test('nearest neighbours exclude the row itself and break distance ties toward the lower row', () => {
  const X = [[0, 0], [1, 0], [-1, 0], [0, 1], [5, 5]];
  assert.deepEqual(nearest(X, [0, 1, 2, 3, 4], 0, 2), [1, 2]);
  assert.deepEqual(nearest(X, [0, 1, 2, 3, 4], 0, 4), [1, 2, 3, 4]);
});
