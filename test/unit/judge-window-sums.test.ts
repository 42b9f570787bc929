import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlidingSum, SlotRun } from '../../appliance/src/judge/window-sums.js';

test('a sliding sum holds the bytes of its last buckets and forgets older ones', () => {
  const sum = new SlidingSum(100, 10); // about the last 1000 µs
  assert.equal(sum.add(0, 5), 5);
  assert.equal(sum.add(950, 7), 12);
  assert.equal(sum.add(1_000, 1), 8, 'bucket 0 left the window when bucket 10 began');
  assert.equal(sum.add(1_950, 2), 3, 'only bucket 10 and 19 remain');
  assert.equal(sum.add(10_000, 4), 4, 'a long pause empties it');
});

test('a slot run counts consecutive slots that each reach the minimum', () => {
  const run = new SlotRun(250, 4);
  const results = [0, 260, 510, 760].map((t) => run.add(t, 400, 375));
  assert.deepEqual(results, [false, false, false, true]);
  assert.equal(run.run, 4);
  const broken = new SlotRun(250, 4);
  const brokenResults = [0, 260, 1_010, 1_260, 1_510].map((t) => broken.add(t, 400, 375));
  assert.deepEqual(brokenResults, [false, false, false, false, false], 'slots 2 and 3 were empty: the run starts again at slot 4');
  assert.equal(broken.run, 3);
});

test('a slot reaches the minimum from several small packets, and is counted once', () => {
  const run = new SlotRun(250, 2);
  assert.equal(run.add(0, 200, 375), false);
  assert.equal(run.add(10, 200, 375), false);
  assert.equal(run.run, 1);
  assert.equal(run.add(20, 200, 375), false);
  assert.equal(run.run, 1);
  assert.equal(run.add(300, 400, 375), true);
});
