// The forest as it runs on the box: every tree's nodes in flat typed arrays, walked without
// allocating, so one packet costs a few hundred array reads (design.md: <= 2 us per packet).
//
// Node n of any tree: go to left[n] when x[feature[n]] < threshold[n], else right[n] (ml-cart's
// rule, so NaN goes right there and here). A child or root >= 0 is a node; a negative one is a
// leaf whose class is ~child. Leaves therefore take no node slot.

export interface CompactForestArrays {
  featureCount: number;
  classCount: number;
  /** Per tree: its root node, or ~class when the whole tree is one leaf. */
  roots: Int32Array;
  feature: Uint8Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
}

export class CompactForest {
  readonly featureCount: number;
  readonly classCount: number;
  readonly treeCount: number;
  readonly nodeCount: number;
  private readonly roots: Int32Array;
  private readonly feature: Uint8Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly votes: Int32Array;

  constructor(arrays: CompactForestArrays) {
    checkArrays(arrays);
    this.featureCount = arrays.featureCount;
    this.classCount = arrays.classCount;
    this.roots = arrays.roots;
    this.feature = arrays.feature;
    this.threshold = arrays.threshold;
    this.left = arrays.left;
    this.right = arrays.right;
    this.treeCount = arrays.roots.length;
    this.nodeCount = arrays.feature.length;
    this.votes = new Int32Array(arrays.classCount);
  }

  /**
   * The majority class over the trees. A tie goes to the class that reached the winning count
   * first in tree order, exactly as ml-random-forest's `arrayMode` breaks it.
   */
  predict(x: ArrayLike<number>): number {
    const { roots, feature, threshold, left, right, votes } = this;
    votes.fill(0);
    let best = 0;
    let bestCount = 0;
    for (let t = 0; t < roots.length; t++) {
      let n = roots[t];
      while (n >= 0) n = x[feature[n]] < threshold[n] ? left[n] : right[n];
      const cls = ~n;
      const count = ++votes[cls];
      if (count > bestCount) {
        bestCount = count;
        best = cls;
      }
    }
    return best;
  }

  /** The arrays, for writing a model file. */
  arrays(): CompactForestArrays {
    const { featureCount, classCount, roots, feature, threshold, left, right } = this;
    return { featureCount, classCount, roots, feature, threshold, left, right };
  }
}

/** A malformed forest must fail when loaded, never as an out-of-bounds read while classifying. */
function checkArrays(a: CompactForestArrays): void {
  const n = a.feature.length;
  if (a.threshold.length !== n || a.left.length !== n || a.right.length !== n) {
    throw new RangeError(`node arrays differ in length (feature ${n}, threshold ${a.threshold.length}, left ${a.left.length}, right ${a.right.length})`);
  }
  if (a.roots.length === 0) throw new RangeError('the forest has no trees');
  if (a.classCount < 1 || a.classCount > 255) throw new RangeError(`class count ${a.classCount} is out of range`);
  const checkRef = (ref: number, where: string): void => {
    if (ref >= n || (ref < 0 && ~ref >= a.classCount)) throw new RangeError(`${where} points to ${ref}, outside the forest`);
  };
  for (let t = 0; t < a.roots.length; t++) checkRef(a.roots[t], `tree ${t}`);
  for (let i = 0; i < n; i++) {
    if (a.feature[i] >= a.featureCount) throw new RangeError(`node ${i} reads feature ${a.feature[i]} of ${a.featureCount}`);
    // Children come after their parent, so a walk always ends (no cycles in a corrupt file).
    if (a.left[i] >= 0 && a.left[i] <= i) throw new RangeError(`node ${i} has a left child before it`);
    if (a.right[i] >= 0 && a.right[i] <= i) throw new RangeError(`node ${i} has a right child before it`);
    checkRef(a.left[i], `node ${i} left`);
    checkRef(a.right[i], `node ${i} right`);
  }
}
