import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CompactForest } from '../../appliance/src/classify/compact-forest.js';
import { FEATURE_SETS } from '../../appliance/src/classify/features.js';
import { decodeModel, encodeModel } from '../../appliance/src/classify/model-format.js';
import { datasetHash, DatasetError, loadCaptures, parseCaptureCsv } from '../../models/train/dataset.js';
import { DEFAULT_FOREST_PARAMS } from '../../models/train/forest-params.js';
import { scores } from '../../models/train/metrics.js';
import { buildEvalData, standardiser, thinClass } from '../../models/train/protocols.js';
import { trainModel } from '../../models/train/recipe.js';
import { seededRandom } from '../../models/train/rng.js';
import { barChartSvg, confusionSvg } from '../../models/train/svg-charts.js';

const HEADER = 'date,length,dstip,dstport,highest_layer,delta,ack_flag,microphone,content_type,synchronized,class';

/** A paper-style capture: ACKs, heartbeats and uploads whose size depends on `upload`. */
function captureCsv(seed: number, mic: 0 | 1, upload: string, payload = false): string {
  const random = seededRandom(seed);
  const lines = [HEADER + (payload ? ',payload' : '')];
  for (let i = 0; i < 120; i++) {
    const kind = i % 4;
    const [length, layer, ct, label] =
      kind === 0 ? [66, 1, '', 'ack'] : kind === 1 ? [100, 0, '23.0', 'syn'] : kind === 2 ? [300 + Math.round(random() * 900), 0, '23.0', upload] : [66 + Math.round(random() * 8), 1, '', 'ack'];
    const row = `2022-01-15 12:00:${String(i % 60).padStart(2, '0')}.000000,${length},52.95.1.1,443,${layer}.0,${Math.round(random() * 500)},1,${mic},${ct},1,${label}`;
    lines.push(row + (payload ? `,${Math.max(0, length - 66)}` : ''));
  }
  return lines.join('\n') + '\n';
}

function paperLikeDataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-train-'));
  for (const [context, mic, label] of [['microphone_mute', 1, 'not_justified'], ['no_wake_word', 1, 'justified'], ['normal_conversation', 1, 'expected']] as const) {
    mkdirSync(join(dir, context));
    writeFileSync(join(dir, context, '01.csv'), captureCsv(context.length, mic, label));
  }
  // A copy under another context, as no_wake_word/05.csv copies microphone_mute/03.csv.
  writeFileSync(join(dir, 'no_wake_word', '02.csv'), captureCsv('microphone_mute'.length, 1, 'not_justified'));
  return dir;
}

const TINY = { ...DEFAULT_FOREST_PARAMS, trees: 5, samplesPerTree: 80 };

test('captures that are byte-for-byte copies of an earlier one are found and named', () => {
  const dir = paperLikeDataset();
  try {
    const captures = loadCaptures([dir]);
    assert.deepEqual(captures.map((c) => c.name), ['microphone_mute/01.csv', 'no_wake_word/01.csv', 'no_wake_word/02.csv', 'normal_conversation/01.csv']);
    assert.deepEqual(captures.map((c) => c.duplicateOf), [undefined, undefined, 'microphone_mute/01.csv', undefined]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the paper's context folders give the mic state a ring would have shown; earshot's CSVs keep their own column", () => {
  assert.equal(parseCaptureCsv(captureCsv(1, 1, 'not_justified'), 'microphone_mute/03.csv').contextMic, 0);
  assert.equal(parseCaptureCsv(captureCsv(1, 0, 'expected'), 'music_stream/03.csv').contextMic, 1);
  const ours = parseCaptureCsv(captureCsv(1, 1, 'justified', true), 'kitchen.csv');
  assert.equal(ours.contextMic, undefined);
  assert.equal(ours.hasPayload, true);
  assert.equal(ours.rows[0].payload, 0);
});

test('a CSV row with a bad number or an unknown class is refused with the file, line and field', () => {
  const bad = captureCsv(1, 1, 'justified').replace(/\n2022[^\n]*\n/, '\n2022-01-15 12:00:00.000000,sixty,52.95.1.1,443,1.0,0,1,1,,1,ack\n');
  assert.throws(() => parseCaptureCsv(bad, 'x.csv'), new DatasetError('x.csv: line 2: field "length" is not a number ("sixty")'));
  const unknown = captureCsv(1, 1, 'voice');
  assert.throws(() => parseCaptureCsv(unknown, 'x.csv'), /x\.csv: line 4: field "class" has the unknown label "voice"/);
  assert.throws(() => parseCaptureCsv('date,length\n', 'x.csv'), /x\.csv: line 1: missing column\(s\) dstport/);
});

test('training drops the copied capture, takes the mic from the context and records it all in the model', () => {
  const dir = paperLikeDataset();
  try {
    const captures = loadCaptures([dir]);
    const model = trainModel(captures, { features: FEATURE_SETS.paper, mic: 'context', keepDuplicates: false, forest: TINY });
    assert.deepEqual(model.meta.trainingData.dropped, [{ name: 'no_wake_word/02.csv', reason: 'byte-for-byte copy of microphone_mute/01.csv' }]);
    assert.equal(model.meta.trainingData.captures.length, 3);
    assert.equal(model.meta.trainingData.micSource, 'context');
    assert.equal(model.meta.trainingData.payloadSource, 'estimated');
    assert.equal(model.meta.trainingData.sha256, datasetHash(captures.filter((c) => !c.duplicateOf)));
    // With the mic from the context, muted uploads are told apart from the others by the mic alone.
    const forest = new CompactForest(model.arrays);
    const vectors = buildEvalData(captures.slice(0, 1), { features: FEATURE_SETS.paper, mic: 'context', dropDuplicates: true });
    const uploads = vectors.X.filter((_, i) => i % 4 === 2);
    assert.ok(uploads.every((x) => forest.predict(x) === 7), 'muted uploads should all be not_justified');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same data, parameters and seed give the same model version; other data gives another', () => {
  const dir = paperLikeDataset();
  try {
    const captures = loadCaptures([dir]);
    const options = { features: FEATURE_SETS.paper, mic: 'context' as const, keepDuplicates: false, forest: TINY };
    const a = trainModel(captures, options);
    const b = trainModel(captures, options);
    assert.equal(a.meta.modelVersion, b.meta.modelVersion);
    assert.equal(encodeModel(a.meta, a.arrays), encodeModel(b.meta, b.arrays));
    const c = trainModel(captures.slice(1), options);
    assert.notEqual(c.meta.modelVersion, a.meta.modelVersion);
    assert.equal(decodeModel(encodeModel(a.meta, a.arrays), 'a.json').modelVersion, a.meta.modelVersion);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keeping 5% of a class keeps exactly that share of it, chosen at random, and every other row', () => {
  const y = [...new Array(200).fill(2), ...new Array(30).fill(1)];
  const kept = thinClass(y, 2, 0.05, seededRandom(1));
  assert.equal(kept.filter((i) => y[i] === 2).length, 10);
  assert.equal(kept.filter((i) => y[i] === 1).length, 30);
  assert.notDeepEqual(kept.slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('the standardiser gives the training rows mean 0 and deviation 1, and leaves constant columns finite', () => {
  const X = [[1, 5], [3, 5], [5, 5]];
  const scale = standardiser(X);
  assert.deepEqual(X.map(scale).map((r) => r[1]), [0, 0, 0]);
  const col = X.map(scale).map((r) => r[0]);
  assert.ok(Math.abs(col.reduce((a, b) => a + b, 0)) < 1e-12);
  assert.ok(Math.abs(col.reduce((a, b) => a + b * b, 0) / 3 - 1) < 1e-12);
});

test('scores give per-class precision, recall and F1, accuracy, and the macro-F1 over classes present', () => {
  // truth x predicted: class 0 8 right 2 wrong; class 1 5 right 1 taken from class 0; class 2 absent.
  const s = scores([[8, 2, 0], [0, 5, 0], [0, 0, 0]]);
  assert.equal(s.accuracy, 13 / 15);
  assert.equal(s.perClass[0].recall, 0.8);
  assert.equal(s.perClass[1].precision, 5 / 7);
  assert.equal(s.perClass[1].f1, (2 * (5 / 7) * 1) / (5 / 7 + 1));
  assert.equal(s.macroF1, (s.perClass[0].f1 + s.perClass[1].f1) / 2);
});

test('the confusion chart writes every non-zero count and one cell per pair of classes', () => {
  const svg = confusionSvg('t', ['a', 'b<c'], [[7, 3], [0, 11]]);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 4);
  for (const n of ['>7<', '>3<', '>11<']) assert.ok(svg.includes(n), `missing ${n}`);
  assert.ok(svg.includes('b&lt;c'), 'labels are escaped');
  const bars = barChartSvg('importance', [{ label: 'length', value: 0.5 }, { label: 'delta', value: 0.25 }], 'share');
  assert.match(bars, /width="320\.0"/);
  assert.match(bars, /width="160\.0"/);
});
