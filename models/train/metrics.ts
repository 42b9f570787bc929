// Per-class precision, recall and F1, accuracy and macro-F1 from a confusion matrix whose rows
// are the true classes and columns the predicted ones.

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Scores {
  accuracy: number;
  /** Mean F1 over the classes that occur in the truth (sklearn's macro average on those labels). */
  macroF1: number;
  perClass: ClassScores[];
  rows: number;
}

export const emptyConfusion = (classes: number): number[][] => Array.from({ length: classes }, () => new Array<number>(classes).fill(0));

export function addToConfusion(confusion: number[][], truth: readonly number[], predicted: readonly number[]): number[][] {
  for (let i = 0; i < truth.length; i++) confusion[truth[i]][predicted[i]]++;
  return confusion;
}

export function scores(confusion: readonly number[][]): Scores {
  const k = confusion.length;
  let correct = 0;
  let rows = 0;
  const perClass: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r][c];
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    perClass.push({ precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall), support });
    correct += tp;
    rows += support;
  }
  const present = perClass.filter((s) => s.support > 0);
  return {
    accuracy: rows === 0 ? 0 : correct / rows,
    macroF1: present.length === 0 ? 0 : present.reduce((a, s) => a + s.f1, 0) / present.length,
    perClass,
    rows,
  };
}
