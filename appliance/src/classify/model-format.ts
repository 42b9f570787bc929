// The model file: JSON metadata plus the compact forest's arrays as little-endian base64, so the
// shipped file stays small (design.md: <= 200 KB) and a human can still read what it is.
// Pure: the caller reads the bytes (model-file.ts) and passes the text.

import { classFromPaperLabel, type PacketClass } from '../features/packet-class.js';
import { InputError } from '../input-error.js';
import { CompactForest, type CompactForestArrays } from './compact-forest.js';
import { FEATURES, isFeatureName, type FeatureName } from './features.js';

export const MODEL_FORMAT = 'earshot-forest';
/** Bump when the arrays' meaning or the feature definitions change; old builds then refuse new files. */
export const MODEL_FORMAT_VERSION = 1;

export interface TrainingDataInfo {
  /** sha256 over the kept captures' `sha256  name` lines, sorted by name (as sha256sum prints them). */
  sha256: string;
  rows: number;
  captures: Array<{ name: string; sha256: string; rows: number }>;
  dropped: Array<{ name: string; reason: string }>;
  /** Where `microphone` came from: the recorded column, or the capture's context (the ring's truth). */
  micSource: 'recorded' | 'context';
  payloadSource: 'measured' | 'estimated' | 'mixed';
}

export interface ModelMetadata {
  modelVersion: string;
  features: FeatureName[];
  /** Class index -> the paper's label string, as CSVs and events carry it. */
  labels: string[];
  seed: number;
  trainingData: TrainingDataInfo;
  params: Record<string, unknown>;
}

export interface LoadedModel extends ModelMetadata {
  forest: CompactForest;
  /** Class index -> earshot's class name. */
  classes: PacketClass[];
}

/** A model file earshot cannot use: the user can fix it, so the CLI shows the one line and exits 2. */
export class ModelLoadError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export function encodeModel(meta: ModelMetadata, forest: CompactForestArrays): string {
  const children = forest.left.length < 0x8000 ? 'int16' : 'int32';
  const file = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    ...meta,
    forest: {
      trees: forest.roots.length,
      nodes: forest.feature.length,
      classCount: forest.classCount,
      children,
      roots: toBase64(forest.roots, 'int32'),
      feature: toBase64(forest.feature, 'uint8'),
      threshold: toBase64(forest.threshold, 'float64'),
      left: toBase64(forest.left, children),
      right: toBase64(forest.right, children),
    },
  };
  return JSON.stringify(file, null, 1) + '\n';
}

export interface ModelExpectations {
  /** The features the caller will supply, in order; absent: any known features. */
  features?: readonly string[];
}

/** Parses and checks a model file's text. `source` names the file in errors. */
export function decodeModel(text: string, source: string, expect: ModelExpectations = {}): LoadedModel {
  const fail = (problem: string): never => {
    throw new ModelLoadError(`${source}: ${problem}`);
  };
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail('not a model file (not JSON)');
  }
  if (typeof file !== 'object' || file === null || file.format !== MODEL_FORMAT) fail(`not an ${MODEL_FORMAT} model file (field "format")`);
  if (file.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(`model format version ${String(file.formatVersion)}, but this earshot reads version ${MODEL_FORMAT_VERSION}; retrain with this earshot (earshot train)`);
  }
  const raw = file.features;
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((f) => typeof f === 'string')) return fail('field "features" must be a list of names');
  const features = raw as string[];
  const unknown = features.filter((f) => !isFeatureName(f));
  if (unknown.length > 0) fail(`unknown feature(s) ${unknown.join(', ')}; this earshot knows ${Object.keys(FEATURES).join(', ')}`);
  if (expect.features && (expect.features.length !== features.length || expect.features.some((f, i) => f !== features[i]))) {
    fail(`features [${features.join(', ')}] do not match the expected [${expect.features.join(', ')}]`);
  }
  const labels = file.labels;
  if (!Array.isArray(labels) || labels.length === 0) fail('field "labels" must be a list of class labels');
  const classes = (labels as unknown[]).map((l) => classFromPaperLabel(String(l)) ?? fail(`unknown class label "${String(l)}"`));
  const f = file.forest as Record<string, unknown> | undefined;
  if (typeof f !== 'object' || f === null) return fail('field "forest" is missing');
  const children = f.children === 'int16' || f.children === 'int32' ? f.children : fail('field "forest.children" must be int16 or int32');
  let forest: CompactForest;
  try {
    forest = new CompactForest({
      featureCount: features.length,
      classCount: classes.length,
      roots: toInt32(fromBase64(f.roots, 'int32', 'roots')),
      feature: fromBase64(f.feature, 'uint8', 'feature') as Uint8Array,
      threshold: fromBase64(f.threshold, 'float64', 'threshold') as Float64Array,
      left: toInt32(fromBase64(f.left, children, 'left')),
      right: toInt32(fromBase64(f.right, children, 'right')),
    });
  } catch (error) {
    return fail(`corrupt forest: ${(error as Error).message}`);
  }
  if (forest.treeCount !== f.trees || forest.nodeCount !== f.nodes) fail(`corrupt forest: it holds ${forest.treeCount} trees and ${forest.nodeCount} nodes, the header says ${String(f.trees)} and ${String(f.nodes)}`);
  return {
    modelVersion: String(file.modelVersion),
    features: features as FeatureName[],
    labels: labels as string[],
    seed: Number(file.seed),
    trainingData: file.trainingData as TrainingDataInfo,
    params: (file.params ?? {}) as Record<string, unknown>,
    forest,
    classes,
  };
}

type ElementType = 'uint8' | 'int16' | 'int32' | 'float64';
const WIDTH: Record<ElementType, number> = { uint8: 1, int16: 2, int32: 4, float64: 8 };

function toBase64(values: ArrayLike<number>, type: ElementType): string {
  const bytes = Buffer.alloc(values.length * WIDTH[type]);
  for (let i = 0; i < values.length; i++) {
    if (type === 'uint8') bytes.writeUInt8(values[i], i);
    else if (type === 'int16') bytes.writeInt16LE(values[i], 2 * i);
    else if (type === 'int32') bytes.writeInt32LE(values[i], 4 * i);
    else bytes.writeDoubleLE(values[i], 8 * i);
  }
  return bytes.toString('base64');
}

function fromBase64(text: unknown, type: ElementType, field: string): Uint8Array | Int16Array | Int32Array | Float64Array {
  if (typeof text !== 'string') throw new RangeError(`field "${field}" is missing`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % WIDTH[type] !== 0) throw new RangeError(`field "${field}" is not a whole number of ${type} values`);
  const n = bytes.length / WIDTH[type];
  if (type === 'uint8') return Uint8Array.from(bytes);
  const out = type === 'int16' ? new Int16Array(n) : type === 'int32' ? new Int32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = type === 'int16' ? bytes.readInt16LE(2 * i) : type === 'int32' ? bytes.readInt32LE(4 * i) : bytes.readDoubleLE(8 * i);
  }
  return out;
}

const toInt32 = (a: ArrayLike<number>): Int32Array => (a instanceof Int32Array ? a : Int32Array.from(a));
