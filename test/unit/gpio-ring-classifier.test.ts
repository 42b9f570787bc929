import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MicState } from '../../appliance/src/mic/mic-state.js';
import { DEFAULT_RING_TIMING, RingClassifier, classifySample } from '../../gpio/colour/ring-classifier.js';
import { deriveCalibration, type RingCalibration } from '../../gpio/colour/ring-calibration.js';
import type { MicReading } from '../../gpio/mic-sensor.js';
import { loadCalibrationSamples, loadColourTrace, type ColourSample } from '../fixtures/gpio/load.js';

const calibration: RingCalibration = deriveCalibration(loadCalibrationSamples(), { gain: 16, integrationMs: 24 }, new Date('2025-01-15T12:00:00Z'));

/** Runs a trace through the classifier; a NACK row is a sensor fault, as the polling loop reports it. */
function classify(samples: ColourSample[]): { changes: MicReading[]; stateAt: (tMs: number) => MicState } {
  const classifier = new RingClassifier(calibration);
  const changes: MicReading[] = [];
  for (const { tMs, reading } of samples) {
    changes.push(...(reading ? classifier.push(tMs, reading) : classifier.fault(tMs, 'sensor does not answer')));
  }
  const stateAt = (tMs: number): MicState => changes.filter((c) => c.timeMs <= tMs).at(-1)?.state ?? 'unknown';
  return { changes, stateAt };
}

/** Samples whose truth has held for `settleMs` (the classifier is allowed that long to follow). */
function settled(samples: ColourSample[], settleMs: number): ColourSample[] {
  let since = 0;
  return samples.filter((s, i) => {
    if (i > 0 && s.truth !== samples[i - 1].truth) since = s.tMs;
    return s.tMs - since >= settleMs;
  });
}

const SETTLE_MS = DEFAULT_RING_TIMING.holdMs + 200;

test('daylight rising 3.5x keeps a dark ring idle, and the mute and wake word in it are still seen', () => {
  const samples = loadColourTrace('daylight-ramp');
  const { changes, stateAt } = classify(samples);
  for (const s of settled(samples, SETTLE_MS)) assert.equal(stateAt(s.tMs), s.truth, `at ${s.tMs} ms`);
  assert.deepEqual(
    changes.map((c) => c.state),
    ['idle', 'muted', 'idle', 'listening', 'idle'],
    'one change per ring change, no flapping',
  );
});

test('a warm lamp switched on and off while the ring is dark does not change the state', () => {
  const samples = loadColourTrace('lamp-switch');
  const { changes, stateAt } = classify(samples);
  for (const s of settled(samples, SETTLE_MS)) assert.equal(stateAt(s.tMs), s.truth, `at ${s.tMs} ms`);
  assert.deepEqual(
    changes.map((c) => c.state),
    ['idle', 'listening', 'idle', 'muted', 'idle', 'muted', 'idle'],
  );
});

test('changes are dated by their first evidence, within one sample of the ring change', () => {
  const { changes } = classify(loadColourTrace('lamp-switch'));
  const listening = changes.find((c) => c.state === 'listening');
  const muted = changes.find((c) => c.state === 'muted');
  assert.equal(listening?.timeMs, 15_000);
  assert.equal(muted?.timeMs, 28_000);
  // Leaving red is dated when the ring went dark, though confirmed after the hold time.
  assert.equal(changes[4].timeMs, 38_000);
});

test('a pulsing blue ring and a flashing red ring hold listening and muted without flapping', () => {
  const samples = loadColourTrace('blinking-ring');
  const { changes, stateAt } = classify(samples);
  assert.deepEqual(
    changes.map((c) => [c.state, c.timeMs]),
    [
      ['idle', 0],
      ['listening', 5_000],
      ['idle', 15_000],
      ['muted', 20_000],
      ['idle', 29_300],
    ],
  );
  assert.equal(stateAt(10_650), 'listening', 'in a dark gap of the pulse');
  assert.equal(stateAt(25_800), 'muted', 'in a dark gap of the flash');
});

test('a sensor dropout while muted is unknown with the reason, then muted again', () => {
  const samples = loadColourTrace('sensor-dropout');
  const { changes, stateAt } = classify(samples);
  assert.equal(stateAt(11_900), 'muted');
  assert.deepEqual(changes.find((c) => c.state === 'unknown' && c.timeMs >= 12_000), { timeMs: 12_000, state: 'unknown', reason: 'sensor does not answer' });
  assert.equal(stateAt(15_900), 'unknown');
  assert.equal(stateAt(16_500), 'muted', 'back within the enter time');
  assert.equal(stateAt(30_000), 'idle');
});

test('a lamp brighter than the ring: still muted while red, then unknown (never idle) once the ring is dark under it', () => {
  const samples = loadColourTrace('bright-lamp');
  const { changes, stateAt } = classify(samples);
  for (let t = 0; t < 20_000; t += 100) assert.notEqual(stateAt(t), 'idle', `at ${t} ms the ring is red`);
  assert.equal(stateAt(19_900), 'muted', 'the red ring is still recognised under the lamp');
  const unknown = changes.find((c) => c.state === 'unknown' && c.timeMs >= 20_000);
  assert.ok(unknown, 'the state becomes unknown');
  assert.match(unknown.reason ?? '', /ambiguous/);
  assert.ok(unknown.timeMs <= 20_000 + DEFAULT_RING_TIMING.ambiguousLimitMs, `dated at ${unknown.timeMs}`);
  for (let t = 20_000; t < 35_000; t += 100) assert.notEqual(stateAt(t), 'idle', `at ${t} ms the lamp hides the ring`);
  assert.equal(stateAt(40_000), 'idle', 'dark again after the lamp goes off');
});

test('a saturated reading is not a colour: the state becomes unknown and says to lower the gain', () => {
  const classifier = new RingClassifier(calibration);
  const dark = { ...calibration.dark, saturated: false };
  classifier.push(0, dark);
  classifier.push(300, dark);
  const saturated = { c: 7700, r: 4000, g: 2000, b: 1000, saturated: true };
  const changes = [400, 500, 600, 700].flatMap((t) => classifier.push(t, saturated));
  assert.deepEqual(changes, [{ timeMs: 400, state: 'unknown', reason: 'colour sensor saturated; lower the gain or the integration time' }]);
});

test('one reading: bright red above the baseline is red, dim light is dark, neutral light is ambiguous', () => {
  const base = calibration.dark;
  const reading = (r: number, g: number, b: number) => ({ c: 0, r: base.r + r, g: base.g + g, b: base.b + b, saturated: false });
  assert.equal(classifySample(reading(2000, 450, 350), base, calibration, 'idle').kind, 'red');
  assert.equal(classifySample(reading(250, 900, 1600), base, calibration, 'idle').kind, 'blue');
  assert.equal(classifySample(reading(20, 20, 20), base, calibration, 'idle').kind, 'dark');
  assert.equal(classifySample(reading(600, 600, 560), base, calibration, 'idle').kind, 'ambiguous');
});

test('hysteresis: light between the off and on thresholds keeps a lit ring lit and a dark ring dark', () => {
  const base = calibration.dark;
  const t = calibration.thresholds;
  const mid = (t.on_delta + t.off_delta) / 2;
  const dimRed = { c: 0, r: base.r + mid * 0.72, g: base.g + mid * 0.16, b: base.b + mid * 0.12, saturated: false };
  assert.equal(classifySample(dimRed, base, calibration, 'idle').kind, 'dark');
  assert.equal(classifySample(dimRed, base, calibration, 'muted').kind, 'band');
});
