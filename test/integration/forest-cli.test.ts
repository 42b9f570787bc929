import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliIo } from '../../appliance/src/cli/cli-io.js';
import { runCli } from '../../appliance/src/cli/main.js';

async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io: CliIo = { stdout: () => {}, stderr: (t) => void (err += t) };
  return { code: await runCli(args, io), err };
}

test('earshot train without training data exits 2 with one line that says what to give it', async () => {
  const { code, err } = await run(['train']);
  assert.equal(code, 2);
  assert.match(err, /^earshot train: name the training data .*usage: earshot train DATA\.\.\./);
  assert.equal(err.trim().split('\n').length, 1);
});

test('earshot train refuses an unknown feature set, mic source or tree count with the option named', async () => {
  assert.match((await run(['train', 'x', '--features', 'all'])).err, /^earshot train: --features: unknown feature set 'all' \(known: traffic, paper, paper\+payload\)\n$/);
  assert.match((await run(['train', 'x', '--mic', 'maybe'])).err, /--mic: must be context or recorded, not 'maybe'/);
  const trees = await run(['train', 'x', '--trees', '0']);
  assert.equal(trees.code, 2);
  assert.match(trees.err, /--trees: must be an integer between 1 and 10000, not '0'/);
});

test('earshot train names a data path that does not exist', async () => {
  const { code, err } = await run(['train', 'no/such/dataset']);
  assert.equal(code, 2);
  assert.equal(err, 'earshot train: no/such/dataset: no such file or folder\n');
});

test('earshot train-report without a dataset exits 2 with its usage', async () => {
  const { code, err } = await run(['train-report']);
  assert.equal(code, 2);
  assert.match(err, /usage: earshot train-report PAPER_DATASET/);
});
