import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlidingSum, SlotRun } from '../../appliance/src/judge/window-sums.js';

test('a sliding sum holds the bytes of its last buckets and forgets older ones', () => {
  const sum = new SlidingSum(100, 10); // about the last 1000 µs
  assert.equal(sum.add(0, 5), 5);
  assert.equal(sum.add(950, 7), 12);
  assert.equal(sum.add(1_000, 1), 8, 'bucket 0 left the window when bucket 10 began');
  assert.equal(sum.firstTimeUs(), 950);
  assert.equal(sum.add(1_950, 2), 3, 'only bucket 10 and 19 remain');
  assert.equal(sum.add(10_000, 4), 4, 'a long pause empties it');
  assert.equal(sum.firstTimeUs(), 10_000);
});

test('a strict slot run needs every one of its slots full, with traffic from the first to the last', () => {
  const run = new SlotRun(250, 4);
  assert.deepEqual([0, 260, 510, 760].map((t) => run.add(t, 400, 375)), [false, false, false, true]);
  const early = new SlotRun(250, 4);
  assert.deepEqual([240, 260, 510, 760].map((t) => early.add(t, 400, 375)), [false, false, false, false], 'four slots but 520 µs of traffic');
  const broken = new SlotRun(250, 4);
  assert.deepEqual([0, 260, 1_010, 1_260, 1_510].map((t) => broken.add(t, 400, 375)), [false, false, false, false, false], 'slots 2 and 3 were empty');
});

test('a short burst that straddles slot boundaries is not sustained', () => {
  const run = new SlotRun(1_000, 2);
  assert.equal(run.add(900, 5_000, 1_500), false);
  assert.equal(run.add(1_100, 5_000, 1_500), false, 'two full slots, but 200 µs of traffic');
  assert.equal(run.add(1_950, 100, 1_500), true, 'spread over 1050 µs');
});

test('a lenient slot run lets one slot come short as long as the slots carry the total', () => {
  const run = new SlotRun(250, 4, 3);
  assert.equal(run.add(0, 800, 375), false);
  assert.equal(run.add(260, 800, 375), false);
  assert.equal(run.add(510, 100, 375), false, 'slot 2 comes short (a lump of delivery)');
  assert.equal(run.add(760, 800, 375), true, 'slot 3 makes three full slots over 0.76 of the second');
  const gap = new SlotRun(250, 4, 3);
  assert.deepEqual([0, 260, 760].map((t) => gap.add(t, 800, 375)), [false, false, false], 'an empty slot: a burst and a stray, not a stream');
  const thin = new SlotRun(250, 4, 3);
  assert.deepEqual([0, 260, 600].map((t) => thin.add(t, 380, 375)), [false, false, false], 'three full slots but under four slots\' worth');
});

test('an even slot run wants every busy slot to carry its share of the busiest one', () => {
  const even = new SlotRun(1_000, 2, 2, 1, 0.25);
  assert.equal(even.add(0, 4_000, 3_000), false);
  assert.equal(even.add(1_000, 4_000, 3_000), true, 'two alike chunks a slot apart');
  const uneven = new SlotRun(1_000, 2, 2, 1, 0.25);
  assert.equal(uneven.add(0, 14_000, 3_000), false);
  assert.equal(uneven.add(1_000, 3_200, 3_000), false, 'a burst and a little chatter: the smaller is under a quarter');
});

test('a span share lets a sender that paces slightly under the slot still count', () => {
  const exact = new SlotRun(1_000, 2, 2, 1);
  const lenient = new SlotRun(1_000, 2, 2, 0.9);
  assert.deepEqual([5, 1_001].map((t) => exact.add(t, 4_000, 3_000)), [false, false], '996 µs apart, under the whole slot');
  assert.deepEqual([5, 1_001].map((t) => lenient.add(t, 4_000, 3_000)), [false, true]);
});
