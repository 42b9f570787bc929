// Seeded randomness for training and evaluation, so a model and a report are reproducible.
// Not numpy's generator: the paper's `random_state=6` split cannot be reproduced row for row.

import { mulberry32 } from '../../sim/src/seeded-random.js';

export type Random = () => number;

/** mulberry32 (the simulator's): small, fast, and good enough for sampling rows (not for cryptography). */
export const seededRandom = (seed: number): Random => mulberry32(seed);

export const randomInt = (random: Random, n: number): number => Math.floor(random() * n);

/** A 31-bit seed for libraries that insist on an integer (ml-random-forest does). */
export const randomSeed = (random: Random): number => randomInt(random, 0x7fffffff);

/** Fisher-Yates, in place. */
export function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
