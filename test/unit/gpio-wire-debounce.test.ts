import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WireDebouncer, type WireChange } from '../../gpio/wire/wire-debounce.js';
import { loadWireTrace, type WireTrace } from '../fixtures/gpio/load.js';

const TIMING = { debounceMs: 20, pulseHoldMs: 1500 };

/** Feeds edges in order and ticks at every deadline, as the sensor's one timer would. */
function replay(trace: WireTrace, timing = TIMING): WireChange[] {
  const debouncer = new WireDebouncer(timing);
  const changes: WireChange[] = [];
  const runTimersUntil = (t: number): void => {
    for (let deadline = debouncer.nextDeadline(); deadline !== undefined && deadline <= t; deadline = debouncer.nextDeadline()) {
      changes.push(...debouncer.tick(deadline));
    }
  };
  const [first, ...rest] = trace.edges;
  changes.push(...debouncer.start(first.tMs, first.active));
  for (const edge of rest) {
    runTimersUntil(edge.tMs);
    changes.push(...debouncer.level(edge.tMs, edge.active));
  }
  runTimersUntil(trace.endMs);
  return changes;
}

const asStates = (changes: WireChange[]) => changes.map((c) => ({ timeMs: c.timeMs, state: c.red ? 'muted' : 'idle' }));

for (const name of ['bouncy-switch', 'blinking-red', 'glitches']) {
  test(`the recorded ${name} trace gives exactly the expected timeline`, () => {
    const trace = loadWireTrace(name);
    assert.deepEqual(asStates(replay(trace)), trace.expected);
  });
}

test('without pulse-hold a blinking ring flaps on every blink', () => {
  const changes = replay(loadWireTrace('blinking-red'), { debounceMs: 20, pulseHoldMs: 0 });
  assert.equal(changes.filter((c) => c.red).length, 8, 'one muted per blink');
});

test('without debounce a bouncing switch shows every bounce', () => {
  const changes = replay(loadWireTrace('bouncy-switch'), { debounceMs: 0, pulseHoldMs: 0 });
  assert.ok(changes.length > 4, `${changes.length} changes`);
});

test('a glitch shorter than the debounce time never reaches the output', () => {
  const debouncer = new WireDebouncer(TIMING);
  debouncer.start(0, false);
  assert.deepEqual(debouncer.level(100, true), []);
  assert.equal(debouncer.nextDeadline(), 120);
  assert.deepEqual(debouncer.level(119, false), []);
  assert.equal(debouncer.nextDeadline(), undefined, 'nothing left to confirm');
  assert.deepEqual(debouncer.tick(10_000), []);
});

test('red is confirmed after the debounce time but dated at the edge', () => {
  const debouncer = new WireDebouncer(TIMING);
  debouncer.start(0, false);
  debouncer.level(1000, true);
  assert.deepEqual(debouncer.tick(1019), []);
  assert.deepEqual(debouncer.tick(1020), [{ timeMs: 1000, red: true }]);
});

test('a late tick applies both the debounce and the hold that fell due before it', () => {
  const debouncer = new WireDebouncer(TIMING);
  debouncer.start(0, true);
  debouncer.level(1000, false);
  assert.deepEqual(debouncer.tick(5000), [{ timeMs: 1000, red: false }]);
});

test('the first level seen without start() starts the debouncer at that level', () => {
  const debouncer = new WireDebouncer(TIMING);
  assert.deepEqual(debouncer.level(42, true), [{ timeMs: 42, red: true }]);
  assert.equal(debouncer.isRed, true);
});
