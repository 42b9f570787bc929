import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CompactForest } from '../../appliance/src/classify/compact-forest.js';
import { FEATURE_SETS } from '../../appliance/src/classify/features.js';
import { decodeModel } from '../../appliance/src/classify/model-format.js';
import type { CliIo } from '../../appliance/src/cli/cli-io.js';
import { runCli } from '../../appliance/src/cli/main.js';
import { compileForest } from '../../models/train/compile-forest.js';
import { loadCaptures } from '../../models/train/dataset.js';
import { fitForest } from '../../models/train/fit-forest.js';
import { DEFAULT_FOREST_PARAMS } from '../../models/train/forest-params.js';
import { buildEvalData } from '../../models/train/protocols.js';
import { sharedDataDir } from '../support/shared-data.js';

const dataset = sharedDataDir('paper-dataset');

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

test("the paper's dataset has the defects the design lists", { skip: !dataset }, () => {
  const captures = loadCaptures([dataset!]);
  assert.equal(captures.reduce((a, c) => a + c.rows.length, 0), 62_630);
  assert.equal(captures.find((c) => c.name === 'no_wake_word/05.csv')?.duplicateOf, 'microphone_mute/03.csv');
  const music = captures.find((c) => c.name === 'music_stream/03.csv')!;
  assert.equal(music.rows.filter((r, i) => r.microphone === 0 && music.labels[i] === 'expected').length, 518);
  const acks = captures.flatMap((c) => c.rows.filter((r, i) => c.labels[i] === 'ack' && r.highestLayer === 1));
  assert.equal(acks.filter((r) => r.length === 66).length / acks.length > 0.9, true, 'a bare ACK is a 66-byte frame');
});

test("the compact runtime predicts what ml-random-forest predicts on a held-out capture of the paper's data", { skip: !dataset }, () => {
  const data = buildEvalData(loadCaptures([dataset!]), { features: FEATURE_SETS.paper, mic: 'context', dropDuplicates: true });
  const heldOut = data.groupNames.indexOf('normal_conversation/02.csv');
  const train = data.X.flatMap((x, i) => (data.groups[i] !== heldOut && i % 7 === 0 ? [i] : []));
  const test = data.X.flatMap((x, i) => (data.groups[i] === heldOut ? [x] : []));
  const { forest } = fitForest(train.map((i) => data.X[i]), train.map((i) => data.y[i]), { ...DEFAULT_FOREST_PARAMS, trees: 8, samplesPerTree: 300 });
  const compact = new CompactForest(compileForest(forest, data.features.length, 8));
  assert.ok(test.length > 5000);
  assert.deepEqual(test.map((x) => compact.predict(x)), forest.predict(test));
});

test('earshot train writes a model that loads, and says which copied capture it dropped', { skip: !dataset }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-train-'));
  try {
    const out = join(dir, 'model.json');
    const io = capture();
    const code = await runCli(['train', dataset!, '-o', out, '--trees', '4', '--samples-per-tree', '120', '--seed', '3'], io);
    assert.equal(code, 0, io.err);
    assert.match(io.err, /no_wake_word\/05\.csv is a byte-for-byte copy of microphone_mute\/03\.csv: dropped/);
    assert.match(io.err, /trees: 4\/4/);
    const model = decodeModel(readFileSync(out, 'utf8'), out);
    assert.equal(model.forest.treeCount, 4);
    assert.equal(model.seed, 3);
    assert.equal(model.trainingData.captures.length, 12);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
