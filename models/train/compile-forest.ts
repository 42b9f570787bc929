// Turns an ml-random-forest classifier into the compact runtime's flat arrays. Each tree's
// splits are read as ml-cart made them (go left when x < splitValue) and its leaves' classes as
// ml-cart picks them (the first of the most frequent), so predictions match the library's exactly.

import type { RandomForestClassifier } from 'ml-random-forest';
import type { CompactForestArrays } from '../../appliance/src/classify/compact-forest.js';

/** The parts of an ml-cart tree node that prediction reads. The package ships no types for them. */
export interface CartNode {
  left?: CartNode;
  right?: CartNode;
  splitColumn?: number;
  splitValue?: number;
  gain?: number;
  numberSamples?: number;
  distribution?: { maxRowIndex(row: number): [number, number] };
}

interface ForestInternals {
  estimators: Array<{ root: CartNode }>;
  indexes: number[][];
}

export const forestInternals = (forest: RandomForestClassifier): ForestInternals => forest as unknown as ForestInternals;

export function compileForest(forest: RandomForestClassifier, featureCount: number, classCount: number): CompactForestArrays {
  const { estimators, indexes } = forestInternals(forest);
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const emit = (node: CartNode, columns: number[]): number => {
    if (!node.left || !node.right) {
      const cls = node.distribution!.maxRowIndex(0)[1];
      if (cls >= classCount) throw new RangeError(`a leaf predicts class ${cls}, but the model has ${classCount} classes`);
      return ~cls;
    }
    const at = feature.length;
    feature.push(columns[node.splitColumn!]);
    threshold.push(node.splitValue!);
    left.push(0);
    right.push(0);
    left[at] = emit(node.left, columns);
    right[at] = emit(node.right, columns);
    return at;
  };
  const roots = estimators.map((tree, t) => emit(tree.root, indexes[t]));
  return {
    featureCount,
    classCount,
    roots: Int32Array.from(roots),
    feature: Uint8Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
  };
}
