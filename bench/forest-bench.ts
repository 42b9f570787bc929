// `node --import tsx bench/forest-bench.ts`: the packet forest's costs in one run. Trains the
// shipped recipe from scratch (training time, and whether it reproduces the shipped file), then
// times inference per packet for the compact runtime and for ml-random-forest on the same rows,
// interleaved so machine noise hits both alike, and prints the model's size.

import { statSync } from 'node:fs';
import { CompactForest } from '../appliance/src/classify/compact-forest.js';
import { FEATURE_SETS, type PacketRow } from '../appliance/src/classify/features.js';
import { loadModelFile, shippedModelPath } from '../appliance/src/classify/model-file.js';
import { encodeModel } from '../appliance/src/classify/model-format.js';
import { PacketClassifier } from '../appliance/src/classify/packet-classifier.js';
import { loadCaptures } from '../models/train/dataset.js';
import { DEFAULT_FOREST_PARAMS } from '../models/train/forest-params.js';
import { buildEvalData } from '../models/train/protocols.js';
import { trainModel } from '../models/train/recipe.js';
import { sharedDataDir } from '../test/support/shared-data.js';

const ROUNDS = Number(process.env.EARSHOT_BENCH_ROUNDS ?? 3);
const ROWS = 20_000;
const BATCH = 5_000;

const shippedPath = shippedModelPath();
const shipped = loadModelFile(shippedPath);
console.log(`shipped model: ${shipped.modelVersion}, ${shipped.forest.treeCount} trees, ${shipped.forest.nodeCount} nodes, ${(statSync(shippedPath).size / 1024).toFixed(1)} KB (budget 200 KB)`);

const dataset = sharedDataDir('paper-dataset');
if (!dataset) {
  console.log('the paper dataset is absent: training time and the ml-random-forest comparison need it; timing the shipped model on synthetic rows only');
  const rows = syntheticRows(ROWS);
  const classifier = new PacketClassifier(shipped);
  console.log(`compact runtime (feature vector + forest): ${fmt(timePerCall(() => rows.forEach((r) => classifier.classify(r)), rows.length))} us/packet (budget 2 us)`);
} else {
  const started = performance.now();
  const captures = loadCaptures([dataset]);
  const model = trainModel(captures, { features: FEATURE_SETS.paper, mic: 'context', keepDuplicates: false, forest: DEFAULT_FOREST_PARAMS });
  const trainSeconds = (performance.now() - started) / 1000;
  const bytes = encodeModel(model.meta, model.arrays).length;
  console.log(`training from scratch (${DEFAULT_FOREST_PARAMS.trees} trees x ${DEFAULT_FOREST_PARAMS.samplesPerTree} rows, load + SMOTE + fit + compile): ${trainSeconds.toFixed(1)} s (budget 60 s)`);
  console.log(`retrained model: ${model.meta.modelVersion}, ${(bytes / 1024).toFixed(1)} KB; ${model.meta.modelVersion === shipped.modelVersion ? 'identical to the shipped file' : 'DIFFERS from the shipped file (data or code changed since it was trained)'}`);

  const data = buildEvalData(captures, { features: FEATURE_SETS.paper, mic: 'context', dropDuplicates: true });
  const step = Math.max(1, Math.floor(data.X.length / ROWS));
  const X = data.X.filter((_, i) => i % step === 0).slice(0, ROWS);
  const vectors = X.map((x) => Float64Array.from(x));
  const packets = captures.flatMap((c) => c.rows).filter((_, i) => i % step === 0).slice(0, ROWS);
  const compact = new CompactForest(model.arrays);
  const classifier = new PacketClassifier({ ...shipped, forest: compact });
  const reference = model.reference;
  const agree = reference.predict(X).every((p, i) => p === compact.predict(X[i]));
  console.log(`predictions on ${X.length.toLocaleString('en-US')} packets: ${agree ? 'identical' : 'DIFFERENT'} (compact vs ml-random-forest)`);

  const results: Record<string, number[]> = { compact: [], classifier: [], mlBatch: [], mlSingle: [] };
  let sink = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    results.compact.push(timePerCall(() => vectors.forEach((v) => (sink += compact.predict(v))), vectors.length, 5));
    results.classifier.push(timePerCall(() => packets.forEach((p) => classifier.classify(p)), packets.length, 5));
    results.mlBatch.push(timePerCall(() => (sink += reference.predict(X.slice(0, BATCH)).length), BATCH, 1));
    results.mlSingle.push(timePerCall(() => X.slice(0, 2000).forEach((x) => (sink += reference.predict([x])[0])), 2000, 1));
    console.log(`round ${round}: compact ${fmt(results.compact.at(-1)!)} us, with feature vector ${fmt(results.classifier.at(-1)!)} us, ml-random-forest ${fmt(results.mlBatch.at(-1)!)} us (batch of ${BATCH}) / ${fmt(results.mlSingle.at(-1)!)} us (one row a call)`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('');
  console.log(`inference, median us/packet: compact ${fmt(median(results.compact))} (budget 2 us), compact with feature vector ${fmt(median(results.classifier))}, ` +
    `ml-random-forest ${fmt(median(results.mlBatch))} batched / ${fmt(median(results.mlSingle))} one at a time; speed-up ${(median(results.mlSingle) / median(results.classifier)).toFixed(0)}x per packet`);
  if (sink === -1) console.log('');
}

/** Microseconds per call of `run` over `count` items, best of `repeat` (the first warms the JIT). */
function timePerCall(run: () => void, count: number, repeat = 3): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / count);
  }
  return best;
}

function syntheticRows(n: number): PacketRow[] {
  let s = 1;
  const r = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, () => {
    const tls = r() < 0.4;
    return { length: tls ? 100 + Math.floor(r() * 1400) : 66, dstport: 443, highestLayer: tls ? 0 : 1, delta: Math.floor(r() * 30000), ackFlag: 1, microphone: r() < 0.2 ? 0 : 1, contentType: tls ? 23 : undefined, payload: undefined };
  });
}

function fmt(us: number): string {
  return us < 10 ? us.toFixed(2) : us.toFixed(1);
}
