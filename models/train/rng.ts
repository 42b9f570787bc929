// Seeded randomness for training and evaluation, so a model and a report are reproducible.
// Not numpy's generator: the paper's `random_state=6` split cannot be reproduced row for row.

export type Random = () => number;

/** mulberry32: small, fast, and good enough for sampling rows (not for cryptography). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
