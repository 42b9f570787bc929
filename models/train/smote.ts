// SMOTE (Chawla et al., 2002), as imbalanced-learn applies it for the paper: every class smaller
// than the largest gets synthetic rows until all are equal. A synthetic row is
// x + u * (n - x), with x a random row of the class, n one of x's k nearest neighbours in the
// same class (Euclidean), and u uniform in [0, 1). No npm package does this, hence our own.

import { randomInt, type Random } from './rng.js';

export interface SmoteResult {
  X: number[][];
  y: number[];
  /** How many rows were synthesised, per class label. */
  added: Map<number, number>;
}

/** The original rows first, then the synthetic ones. Classes with one row are repeated as is. */
export function smote(X: readonly number[][], y: readonly number[], random: Random, k = 5): SmoteResult {
  const byClass = new Map<number, number[]>();
  y.forEach((label, i) => {
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  });
  const target = Math.max(...[...byClass.values()].map((rows) => rows.length));
  const outX = X.map((row) => [...row]);
  const outY = [...y];
  const added = new Map<number, number>();
  for (const [label, rows] of [...byClass].sort((a, b) => a[0] - b[0])) {
    const missing = target - rows.length;
    added.set(label, missing);
    if (missing === 0) continue;
    const neighbours = new Map<number, number[]>();
    const kk = Math.min(k, rows.length - 1);
    for (let s = 0; s < missing; s++) {
      const base = rows[randomInt(random, rows.length)];
      let near = neighbours.get(base);
      if (!near) neighbours.set(base, (near = nearest(X, rows, base, kk)));
      const x = X[base];
      if (near.length === 0) {
        outX.push([...x]);
      } else {
        const n = X[near[randomInt(random, near.length)]];
        const u = random();
        outX.push(x.map((v, j) => v + u * (n[j] - v)));
      }
      outY.push(label);
    }
  }
  return { X: outX, y: outY, added };
}

/** The k rows of `candidates` nearest to `base` (itself excluded); ties go to the lower row. */
export function nearest(X: readonly number[][], candidates: readonly number[], base: number, k: number): number[] {
  const x = X[base];
  const best: Array<{ row: number; d: number }> = [];
  for (const row of candidates) {
    if (row === base) continue;
    const other = X[row];
    let d = 0;
    for (let j = 0; j < x.length; j++) d += (x[j] - other[j]) ** 2;
    if (best.length === k && d >= best[k - 1].d) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].d > d) at--;
    best.splice(at, 0, { row, d });
    if (best.length > k) best.pop();
  }
  return best.map((b) => b.row);
}
