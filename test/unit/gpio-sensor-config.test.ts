import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '../../appliance/src/service/load-config.js';
import { deriveCalibration } from '../../gpio/colour/ring-calibration.js';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import type { MicReading } from '../../gpio/mic-sensor.js';
import { parseLedConfig, parseMicSensorConfig, type ColourSensorConfig, type GpioWireConfig } from '../../gpio/sensor-config.js';
import { createMicSensor, type SensorHost } from '../../gpio/sensor-factory.js';
import { DEFAULT_GPIOD_TOOLS } from '../../gpio/wire/gpiod-edge-source.js';
import { fixturePath, loadCalibrationSamples } from '../fixtures/gpio/load.js';

const dir = mkdtempSync(join(tmpdir(), 'earshot-sensor-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const configError = (mic: Record<string, unknown>): string => {
  try {
    parseMicSensorConfig(mic, 'earshot.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  return assert.fail('expected a ConfigError');
};

test('a gpio wire with no settings gets the documented defaults', () => {
  assert.deepEqual(parseMicSensorConfig({ sensor: 'gpio' }, 'earshot.yaml'), {
    sensor: 'gpio',
    request: { line: 'GPIO17', chip: undefined, activeLow: false, bias: undefined, consumer: 'earshot' },
    backend: 'auto',
    debounceMs: 20,
    pulseHoldMs: 1500,
    maxSilenceMs: 0,
    light: undefined,
    record: undefined,
  });
});

test('a colour sensor needs a calibration file; the rest defaults', () => {
  assert.equal(configError({ sensor: 'tcs34725' }), 'earshot.yaml: mic.calibration: the tcs34725 sensor needs a calibration file; make one with: earshot calibrate --out FILE');
  const config = parseMicSensorConfig({ sensor: 'tcs34725', calibration: 'ring.json', address: '0x29' }, 'earshot.yaml') as ColourSensorConfig;
  assert.deepEqual([config.bus, config.address, config.pollMs, config.enterMs, config.holdMs], [1, 0x29, 100, 200, 1500]);
});

test('bad values name the field, the range and what was given', () => {
  assert.equal(configError({ sensor: 'gpio', debounce_ms: -1 }), 'earshot.yaml: mic.debounce_ms: must be between 0 and 1000 ms (got -1)');
  assert.equal(configError({ sensor: 'gpio', active_low: 'yes' }), "earshot.yaml: mic.active_low: must be true or false (got 'yes')");
  assert.equal(configError({ sensor: 'gpio', backend: 'wiringpi' }), "earshot.yaml: mic.backend: must be one of 'auto', 'gpiod', 'sysfs' (got 'wiringpi')");
  assert.equal(configError({ sensor: 'gpio', line: 17 }), 'earshot.yaml: mic.line: an offset (17) needs mic.chip, e.g. "gpiochip0"; or give the line\'s name, e.g. "GPIO17"');
  assert.equal(configError({ sensor: 'gpio', pin: 17 }), 'earshot.yaml: mic.pin: unknown setting (known here: sensor, line, chip, active_low, bias, debounce_ms, pulse_hold_ms, max_silence_s, backend, light, record)');
  assert.equal(configError({ sensor: 'tcs34725', calibration: 'x', address: 0x39 }), 'earshot.yaml: mic.address: must be 0x29 (got 57)');
  assert.equal(configError({ sensor: 'gpio', light: { on_lux: 5, off_lux: 9 } }), 'earshot.yaml: mic.light.off_lux: must be at most on_lux (5) (got 9)');
  assert.equal(configError({ sensor: 'gpio', light: { address: 0x29 } }), 'earshot.yaml: mic.light.address: must be 0x23 or 0x5c (got 41)');
});

test('a timeline file and no sensor are passed through', () => {
  assert.deepEqual(parseMicSensorConfig({ sensor: 'none', timeline: 'mic.csv' }, 'x'), { sensor: 'timeline', timeline: 'mic.csv' });
  assert.deepEqual(parseMicSensorConfig({ sensor: 'none' }, 'x'), { sensor: 'none' });
});

test('the LED defaults to "earshot", can be renamed or disabled, and rejects paths', () => {
  assert.deepEqual(parseLedConfig(undefined, 'x'), { name: 'earshot' });
  assert.deepEqual(parseLedConfig({ name: 'ACT' }, 'x'), { name: 'ACT' });
  assert.deepEqual(parseLedConfig({ enabled: false }, 'x'), { name: undefined });
  assert.throws(() => parseLedConfig({ name: '../../etc' }, 'x'), /led.name: must be a name under \/sys\/class\/leds/);
});

function host(tree: string, gpiomon: 'v2' | 'missing', onoffNumbers: number[] = []): SensorHost {
  const clock = new FakeClock(Date.parse('2025-01-15T12:00:00Z'));
  return {
    root: fixturePath(`sysfs/${tree}`),
    run: async () => (gpiomon === 'v2' ? { code: 0, stdout: 'gpiomon (libgpiod) v2.1.3\n', stderr: '' } : { code: null, stdout: '', stderr: '', missing: true }),
    spawn: () => assert.fail('not started in these tests'),
    openI2c: async () => assert.fail('not opened in these tests'),
    clock,
    timers: clock,
    tools: DEFAULT_GPIOD_TOOLS,
    onoff: async () => (number) => {
      onoffNumbers.push(number);
      return { readSync: () => 0, watch: () => undefined, unexport: () => undefined };
    },
  };
}

const wire = (extra: Record<string, unknown> = {}): GpioWireConfig => parseMicSensorConfig({ sensor: 'gpio', ...extra }, 'earshot.yaml') as GpioWireConfig;

test("'auto' picks the libgpiod tools when they are installed, even where sysfs exists", async () => {
  const sensor = await createMicSensor(wire(), 'earshot.yaml', host('pi4-kernel-6.6', 'v2'));
  assert.match(sensor.description, /^wire on GPIO line GPIO17 \(libgpiod tools\)$/);
});

test("'auto' falls back to onoff at the run-time base where only sysfs exists (Pi 5: 571 + 17)", async () => {
  const numbers: number[] = [];
  const sensor = await createMicSensor(wire(), 'earshot.yaml', host('pi5-kernel-6.6', 'missing', numbers));
  assert.equal(sensor.description, 'wire on sysfs GPIO 588 (onoff)');
  const readings: MicReading[] = [];
  await sensor.start((r) => readings.push(r));
  assert.deepEqual(numbers, [588]);
  assert.equal(readings[0]?.state, 'idle');
});

test("with neither, 'auto' still builds the gpiod source, whose reason says what to install; 'sysfs' is a config error", async () => {
  const sensor = await createMicSensor(wire(), 'earshot.yaml', host('pi5-trixie-i2c-off', 'missing'));
  const readings: MicReading[] = [];
  await sensor.start((r) => readings.push(r));
  await sensor.stop();
  assert.deepEqual(readings.map((r) => r.state), ['unknown']);
  assert.match(readings[0].reason ?? '', /gpiomon not found; install Debian's gpiod package/);
  await assert.rejects(createMicSensor(wire({ backend: 'sysfs' }), 'earshot.yaml', host('pi5-trixie-i2c-off', 'missing')), /mic.backend: 'sysfs' but this kernel has no \/sys\/class\/gpio/);
});

test('a colour sensor with a missing or broken calibration file is a config error naming mic.calibration', async () => {
  const missing = parseMicSensorConfig({ sensor: 'tcs34725', calibration: join(dir, 'none.json') }, 'earshot.yaml') as ColourSensorConfig;
  await assert.rejects(createMicSensor(missing, 'earshot.yaml', host('pi4-kernel-6.6', 'v2')), /mic.calibration: cannot read '.*none\.json'; make it with: earshot calibrate --out/);
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{}');
  const config = { ...missing, calibration: broken };
  await assert.rejects(createMicSensor(config, 'earshot.yaml', host('pi4-kernel-6.6', 'v2')), /mic.calibration: .*broken\.json: format: expected "earshot-ring-calibration" version 1/);
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify(deriveCalibration(loadCalibrationSamples(), { gain: 16, integrationMs: 24 }, new Date(0))));
  const sensor = await createMicSensor({ ...missing, calibration: good }, 'earshot.yaml', host('pi4-kernel-6.6', 'v2'));
  assert.equal(sensor.description, 'TCS34725 on /dev/i2c-1 at 0x29');
});

test('mic.record writes every reading to a timeline file as well', async () => {
  const record = join(dir, 'recorded.csv');
  const sensor = await createMicSensor(wire({ record }), 'earshot.yaml', host('pi5-kernel-6.6', 'missing'));
  assert.match(sensor.description, /recording to .*recorded\.csv$/);
  const readings: MicReading[] = [];
  await sensor.start((r) => readings.push(r));
  assert.equal(readings.length, 1);
  assert.equal(readFileSync(record, 'utf8'), `time,state\n${new Date(readings[0].timeMs).toISOString()},idle\n`);
});
