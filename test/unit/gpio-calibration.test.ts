import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calibrateCommand, type CalibrateDeps } from '../../appliance/src/cli/calibrate-command.js';
import { EXIT_HARDWARE } from '../../appliance/src/cli/doctor-checks.js';
import { runCli } from '../../appliance/src/cli/main.js';
import { RingClassifier } from '../../gpio/colour/ring-classifier.js';
import { deriveCalibration, parseRingCalibration } from '../../gpio/colour/ring-calibration.js';
import type { Rgbc, RgbcReading } from '../../gpio/colour/tcs34725.js';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import { FakeTcs34725Bus } from '../../gpio/fakes/fake-tcs34725.js';
import { HardwareError } from '../../gpio/hardware-error.js';
import { loadCalibrationSamples } from '../fixtures/gpio/load.js';

const SENSOR = { gain: 16 as const, integrationMs: 24 };
const AT = new Date('2025-01-15T12:00:00Z');

test('a calibration from the recorded samples has the ring colours and thresholds between dark and lit', () => {
  const calibration = deriveCalibration(loadCalibrationSamples(), SENSOR, AT);
  assert.ok(calibration.muted.chroma[0] > 0.65, `red share ${calibration.muted.chroma[0]}`);
  assert.ok(calibration.listening.chroma[2] > 0.5, `blue share ${calibration.listening.chroma[2]}`);
  const t = calibration.thresholds;
  assert.ok(t.off_delta < t.on_delta && t.on_delta < Math.min(calibration.muted.delta, calibration.listening.delta));
  assert.ok(t.chroma_enter < t.chroma_exit);
  assert.equal(calibration.recorded.at, '2025-01-15T12:00:00.000Z');
  assert.deepEqual(parseRingCalibration(JSON.stringify(calibration), 'ring.json'), calibration, 'the file round-trips');
});

const calibrationError = (samples: Parameters<typeof deriveCalibration>[0]): string => {
  try {
    deriveCalibration(samples, SENSOR, AT);
  } catch (error) {
    assert.ok(error instanceof HardwareError);
    return error.message;
  }
  return assert.fail('expected a calibration error');
};

test('calibration refuses samples that cannot tell the states apart, and says what to change', () => {
  const good = loadCalibrationSamples();
  const dim = good.muted.map((s) => ({ ...s, r: good.idle[0].r + 5, g: good.idle[0].g + 1, b: good.idle[0].b }));
  assert.match(calibrationError({ ...good, muted: dim }), /^the ring red \(muted\) adds only \d+ counts over dark .*move the sensor closer to the ring or raise the gain$/);
  assert.match(calibrationError({ ...good, muted: good.listening }), /^the 'muted' readings are not red .*was the mute button on\?$/);
  assert.match(calibrationError({ ...good, idle: good.idle.slice(0, 2) }), /^only 2 readings while the ring was dark \(idle\); need at least 5$/);
  const saturated = good.listening.map((s) => ({ ...s, saturated: true }));
  assert.match(calibrationError({ ...good, listening: saturated }), /saturated while the ring was blue \(listening\); lower the gain/);
});

test('a calibration file with a bad field is refused, naming the field', () => {
  const calibration = deriveCalibration(loadCalibrationSamples(), SENSOR, AT);
  const bad = { ...calibration, thresholds: { ...calibration.thresholds, off_delta: calibration.thresholds.on_delta + 1 } };
  assert.throws(() => parseRingCalibration(JSON.stringify(bad), 'ring.json'), /^HardwareError: ring.json: thresholds.off_delta: expected at most on_delta/);
  assert.throws(() => parseRingCalibration('{', 'ring.json'), /ring.json: not valid JSON/);
  assert.throws(() => parseRingCalibration(JSON.stringify({ ...calibration, sensor: { gain: 8, integration_ms: 24 } }), 'ring.json'), /sensor.gain: expected 1, 4, 16, 60/);
});

/** The fake sensor shows what the "user" set up before pressing Enter. */
function calibrateRig(scenes: Rgbc[], id = 0x44) {
  const clock = new FakeClock(AT.getTime());
  const bus = new FakeTcs34725Bus(clock, { id });
  const prompts: string[] = [];
  const deps: CalibrateDeps = {
    openI2c: async () => bus,
    waitForEnter: async (prompt) => {
      prompts.push(prompt);
      const scene = scenes[prompts.length - 1];
      bus.scene = () => scene;
    },
    clock,
    timers: clock,
    now: () => new Date(clock.now()),
  };
  return { clock, bus, deps, prompts };
}

/** Runs the command while moving the fake clock forward; no real waiting. */
async function drive(run: Promise<number>, clock: FakeClock): Promise<number> {
  let done = false;
  const result = run.finally(() => (done = true));
  while (!done) await clock.advance(50);
  return result;
}

/** A scene in counts per ms at 1x gain, from counts at the traces' 16x and 24 ms. */
const scene = (counts: Rgbc): Rgbc => ({ c: counts.c / 384, r: counts.r / 384, g: counts.g / 384, b: counts.b / 384 });
const mean = (list: RgbcReading[]): Rgbc => ({
  c: list.reduce((a, s) => a + s.c, 0) / list.length,
  r: list.reduce((a, s) => a + s.r, 0) / list.length,
  g: list.reduce((a, s) => a + s.g, 0) / list.length,
  b: list.reduce((a, s) => a + s.b, 0) / list.length,
});

test('earshot calibrate walks through dark, red and blue and saves a calibration the classifier accepts', async () => {
  const samples = loadCalibrationSamples();
  const rig = calibrateRig([scene(mean(samples.idle)), scene(mean(samples.muted)), scene(mean(samples.listening))]);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-calibrate-'));
  try {
    const out = join(dir, 'ring.json');
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => assert.fail(t) };
    const code = await drive(calibrateCommand(['--out', out, '--seconds', '2'], io, rig.deps), rig.clock);
    assert.equal(code, 0, stdout);
    assert.equal(rig.prompts.length, 3);
    assert.match(rig.prompts[1], /mute button so the ring is red/);
    const calibration = parseRingCalibration(readFileSync(out, 'utf8'), out);
    assert.ok(calibration.muted.chroma[0] > 0.65);
    assert.ok(calibration.listening.chroma[2] > 0.5);
    assert.match(stdout, /^earshot calibrate: TCS34725 on \/dev\/i2c-1 at 0x29, gain 16x, 24 ms$/m);
    assert.match(stdout, /^saved .*ring\.json: ring adds \d+ \(red\) and \d+ \(blue\) counts over dark/m);
    const classifier = new RingClassifier(calibration);
    const red = { ...mean(samples.muted), saturated: false };
    assert.deepEqual([0, 100, 200].flatMap((t) => classifier.push(t, red)).map((r) => r.state), ['muted']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with a fake device that is not a TCS34725, calibrate fails with one line before asking anything', async () => {
  const rig = calibrateRig([], 0x12);
  let stderr = '';
  const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t) };
  const code = await drive(calibrateCommand(['--out', join(tmpdir(), 'never-written.json')], io, rig.deps), rig.clock);
  assert.equal(code, EXIT_HARDWARE);
  assert.equal(stderr, 'earshot calibrate: the device at 0x29 is not a TCS34725 (ID register 0x12 reads 0x12, expected 0x44 or 0x4D)\n');
  assert.equal(rig.prompts.length, 0);
});

test('on this machine (no I2C bus) earshot calibrate fails with one line and exit 3', async (t) => {
  if (existsSync('/dev/i2c-1')) {
    t.skip('this machine has /dev/i2c-1');
    return;
  }
  let stderr = '';
  const code = await runCli(['calibrate', '--out', join(tmpdir(), 'never-written.json')], { stdout: () => undefined, stderr: (s) => void (stderr += s) });
  assert.equal(code, EXIT_HARDWARE);
  assert.equal(stderr, 'earshot calibrate: /dev/i2c-1 does not exist; enable I2C (raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in config.txt) and reboot\n');
});

test('calibrate without --out is bad usage', async () => {
  let stderr = '';
  const code = await runCli(['calibrate'], { stdout: () => undefined, stderr: (s) => void (stderr += s) });
  assert.equal(code, 2);
  assert.match(stderr, /^earshot calibrate: --out FILE is required/);
});
