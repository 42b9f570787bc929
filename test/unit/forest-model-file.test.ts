import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CompactForest } from '../../appliance/src/classify/compact-forest.js';
import { FEATURE_SETS } from '../../appliance/src/classify/features.js';
import { loadModelFile, shippedModelPath } from '../../appliance/src/classify/model-file.js';
import { decodeModel, encodeModel, MODEL_FORMAT_VERSION, ModelLoadError, type ModelMetadata } from '../../appliance/src/classify/model-format.js';
import { PacketClassifier } from '../../appliance/src/classify/packet-classifier.js';
import { PACKET_CLASSES, paperLabel } from '../../appliance/src/features/packet-class.js';
import { HighestLayer } from '../../appliance/src/features/paper-features.js';

const FEATURES = [...FEATURE_SETS.paper];

/** A hand-made two-tree forest over the paper's features: bare ACKs and heartbeat-sized TLS. */
const ARRAYS = {
  featureCount: FEATURES.length,
  classCount: PACKET_CLASSES.length,
  // length < 70 -> ack; else content_type < 22.5 -> not_relevant, else heartbeat. Tree 2 agrees.
  roots: Int32Array.from([0, 2]),
  feature: Uint8Array.from([0, 6, 0]),
  threshold: Float64Array.from([70, 22.5, 70]),
  left: Int32Array.from([~PACKET_CLASSES.indexOf('ack'), ~PACKET_CLASSES.indexOf('not_relevant'), ~PACKET_CLASSES.indexOf('ack')]),
  right: Int32Array.from([1, ~PACKET_CLASSES.indexOf('heartbeat'), ~PACKET_CLASSES.indexOf('heartbeat')]),
};

const META: ModelMetadata = {
  modelVersion: 'f1-test',
  features: FEATURES,
  labels: PACKET_CLASSES.map(paperLabel),
  seed: 6,
  trainingData: { sha256: 'ab'.repeat(32), rows: 10, captures: [{ name: 'a.csv', sha256: 'cd'.repeat(32), rows: 10 }], dropped: [], micSource: 'recorded', payloadSource: 'measured' },
  params: { trees: 2 },
};

const ackRow = { length: 66, dstport: 443, highestLayer: HighestLayer.TCP, delta: 40, ackFlag: 1, microphone: 1, contentType: undefined, payload: 0 } as const;
const heartbeatRow = { length: 100, dstport: 443, highestLayer: HighestLayer.TLS, delta: 30_000, ackFlag: 1, microphone: 1, contentType: 23, payload: 46 } as const;

function edited(change: (file: Record<string, any>) => void): string {
  const file = JSON.parse(encodeModel(META, ARRAYS));
  change(file);
  return JSON.stringify(file);
}

function assertOneLineError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: Error) => {
    assert.ok(error instanceof ModelLoadError, `expected a ModelLoadError, got ${error.name}`);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

test('a model written and read back keeps its metadata and classifies packets as before', () => {
  const model = decodeModel(encodeModel(META, ARRAYS), 'm.json');
  assert.equal(model.modelVersion, 'f1-test');
  assert.deepEqual(model.features, FEATURES);
  assert.deepEqual(model.trainingData, META.trainingData);
  assert.equal(model.classes[1], 'heartbeat');
  const classifier = new PacketClassifier(model);
  assert.equal(classifier.classify(ackRow), 'ack');
  assert.equal(classifier.classify(heartbeatRow), 'heartbeat');
  assert.equal(classifier.classify({ ...heartbeatRow, contentType: undefined }), 'not_relevant');
});

test('children are stored as 16-bit numbers when the forest is small, and read back the same', () => {
  const text = encodeModel(META, ARRAYS);
  assert.equal(JSON.parse(text).forest.children, 'int16');
  const forest = decodeModel(text, 'm.json').forest;
  const original = new CompactForest(ARRAYS);
  for (const x of [[60, 0, 0, 0, 0, 0, 0], [100, 0, 0, 0, 0, 0, 23], [100, 0, 0, 0, 0, 0, 0]]) assert.equal(forest.predict(x), original.predict(x));
});

test('a model of another format version is refused with one line that names both versions', () => {
  assertOneLineError(() => decodeModel(edited((f) => (f.formatVersion = MODEL_FORMAT_VERSION + 1)), 'new.json'), /^new\.json: model format version 2, but this earshot reads version 1/);
});

test('a model that needs a feature this build does not compute is refused, naming the feature', () => {
  assertOneLineError(() => decodeModel(edited((f) => (f.features[2] = 'episode_bytes')), 'm.json'), /unknown feature\(s\) episode_bytes/);
});

test('a model whose features differ from the ones the caller supplies is refused', () => {
  assertOneLineError(() => decodeModel(encodeModel(META, ARRAYS), 'm.json', { features: [...FEATURE_SETS['paper+payload']] }), /features \[length, .*content_type\] do not match the expected \[.*payload\]/);
});

test('a model with an unknown class label, a truncated forest or no JSON at all is refused', () => {
  assertOneLineError(() => decodeModel(edited((f) => (f.labels[0] = 'voice')), 'm.json'), /unknown class label "voice"/);
  assertOneLineError(() => decodeModel(edited((f) => (f.forest.threshold = Buffer.from(f.forest.threshold, 'base64').subarray(0, 16).toString('base64'))), 'm.json'), /corrupt forest: node arrays differ in length/);
  assertOneLineError(() => decodeModel('{"format": "earshot-forest"', 'm.json'), /not JSON/);
  assertOneLineError(() => decodeModel('{"format": "onnx"}', 'm.json'), /not an earshot-forest model file/);
});

test('a missing model file is reported with its path in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-model-'));
  try {
    assertOneLineError(() => loadModelFile(join(dir, 'none.json')), /none\.json: cannot read the model \(ENOENT\)/);
    writeFileSync(join(dir, 'ok.json'), encodeModel(META, ARRAYS));
    assert.equal(loadModelFile(join(dir, 'ok.json')).modelVersion, 'f1-test');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped model is at most 200 KB and records its version, features, labels, seed, data hash and parameters', () => {
  const path = shippedModelPath();
  assert.ok(statSync(path).size <= 200 * 1024, `${statSync(path).size} bytes`);
  const model = loadModelFile(path, { features: [...FEATURE_SETS.paper] });
  assert.match(model.modelVersion, /^f1-[0-9a-f]{12}$/);
  assert.deepEqual(model.labels, ['handshake', 'syn', 'ack', 'retransmit', 'not_relevant', 'expected', 'justified', 'not_justified']);
  assert.ok(Number.isInteger(model.seed));
  assert.match(model.trainingData.sha256, /^[0-9a-f]{64}$/);
  assert.equal(model.trainingData.micSource, 'context');
  assert.deepEqual(model.trainingData.dropped, [{ name: 'no_wake_word/05.csv', reason: 'byte-for-byte copy of microphone_mute/03.csv' }]);
  assert.ok(model.trainingData.captures.every((c) => !c.name.startsWith('/') && !c.name.includes('..')), 'capture names must be relative');
  assert.equal(model.params.trees, model.forest.treeCount);
  assert.equal(typeof model.params.samplesPerTree, 'number');
});

test('the shipped model calls a bare ACK an ack and a 100-byte TLS record every 30 s a heartbeat', () => {
  const classifier = new PacketClassifier(loadModelFile(shippedModelPath()));
  assert.equal(classifier.classify(ackRow), 'ack');
  assert.equal(classifier.classify(heartbeatRow), 'heartbeat');
});
