import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ColourMicSensor } from '../../gpio/colour/colour-mic-sensor.js';
import { deriveCalibration } from '../../gpio/colour/ring-calibration.js';
import type { Rgbc } from '../../gpio/colour/tcs34725.js';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import { FakeTcs34725Bus } from '../../gpio/fakes/fake-tcs34725.js';
import type { MicReading } from '../../gpio/mic-sensor.js';
import { loadCalibrationSamples, loadColourTrace, type ColourSample } from '../fixtures/gpio/load.js';

const T0 = Date.parse('2025-01-15T12:00:00Z');
const calibration = deriveCalibration(loadCalibrationSamples(), { gain: 16, integrationMs: 24 }, new Date(T0));

/** The trace as light on the fake sensor: counts at 16x and 24 ms back to counts per ms at 1x. */
function sceneOf(samples: ColourSample[], bus: FakeTcs34725Bus): (timeMs: number) => Rgbc {
  return (timeMs) => {
    const t = timeMs - T0;
    let row = samples[0];
    for (const s of samples) if (s.tMs <= t) row = s;
    if (!row.reading) return { c: 0, r: 0, g: 0, b: 0 };
    const k = 16 * 24;
    return { c: row.reading.c / k, r: row.reading.r / k, g: row.reading.g / k, b: row.reading.b / k };
  };
}

async function replay(name: string) {
  const samples = loadColourTrace(name);
  const clock = new FakeClock(T0);
  const bus = new FakeTcs34725Bus(clock);
  bus.scene = sceneOf(samples, bus);
  const sensor = new ColourMicSensor({ openBus: async () => bus.openHandle(), busNumber: 1, calibration, pollMs: 100, clock, timers: clock, reconnect: { initialMs: 500, maxMs: 2000 } });
  const readings: MicReading[] = [];
  await started(clock, sensor.start((r) => readings.push(r)));
  for (const s of samples) {
    // The sensor stops answering where the trace says NACK.
    if (s.reading) bus.reconnect();
    else bus.disconnect();
    await clock.advanceTo(T0 + s.tMs + 99);
  }
  await sensor.stop();
  return { readings, bus };
}

/** start() waits out the chip's 3 ms power-on on the timers: move the fake clock meanwhile. */
async function started(clock: FakeClock, starting: Promise<void>): Promise<void> {
  let done = false;
  void starting.finally(() => (done = true));
  while (!done) await clock.advance(1);
  await starting;
}

const states = (readings: MicReading[]) => readings.map((r) => [r.state, r.timeMs - T0]);

test('the lamp-switch trace through the fake TCS34725 and the real driver gives the ring changes only', async () => {
  const { readings, bus } = await replay('lamp-switch');
  assert.deepEqual(
    readings.map((r) => r.state),
    ['idle', 'listening', 'idle', 'muted', 'idle', 'muted', 'idle'],
  );
  // A reading reflects the last integration before the poll, so changes land within 0.2 s.
  const listening = readings.find((r) => r.state === 'listening')!;
  assert.ok(listening.timeMs - T0 >= 15_000 && listening.timeMs - T0 <= 15_200, `listening at ${listening.timeMs - T0}`);
  assert.equal(bus.registers[0x00], 0x00, 'stop() powers the chip down');
  assert.equal(bus.openHandles, 0, 'every bus handle is closed');
});

test('a dropout while muted: unknown with a wiring hint after three failed polls, then muted again after reconnecting', async () => {
  const { readings } = await replay('sensor-dropout');
  const unknown = readings.find((r) => r.state === 'unknown' && r.timeMs - T0 >= 12_000);
  assert.ok(unknown, JSON.stringify(states(readings)));
  assert.equal(unknown.reason, "TCS34725 on /dev/i2c-1 at 0x29: no device answers at /dev/i2c-1 address 0x29; check the sensor's wiring (SDA pin 3, SCL pin 5, 3V3, GND)");
  assert.ok(unknown.timeMs - T0 <= 12_400, `reported within three polls (at ${unknown.timeMs - T0})`);
  const after = readings.filter((r) => r.timeMs > unknown.timeMs);
  assert.equal(after[0]?.state, 'muted', 'recovered');
  assert.ok(after[0].timeMs - T0 <= 18_500, `recovered at ${after[0].timeMs - T0}, within the reconnect backoff`);
  assert.equal(readings.filter((r) => r.state === 'idle' && r.timeMs - T0 > 5_000 && r.timeMs - T0 < 25_000).length, 0, 'never idle while the ring is red');
});

test('a chip reset by a brown-out is noticed by the periodic ENABLE check and set up again', async () => {
  const clock = new FakeClock(T0);
  const bus = new FakeTcs34725Bus(clock, { scene: () => ({ c: 1, r: 0.33, g: 0.36, b: 0.3 }) });
  const sensor = new ColourMicSensor({ openBus: async () => bus.openHandle(), busNumber: 1, calibration, pollMs: 100, clock, timers: clock });
  const readings: MicReading[] = [];
  await started(clock, sensor.start((r) => readings.push(r)));
  await clock.advance(1000);
  assert.equal(readings.at(-1)?.state, 'idle');
  bus.powerCycle();
  await clock.advance(10_000);
  await sensor.stop();
  const enables = bus.transfers.filter((t) => t === 'write 0x80 0x03').length;
  assert.equal(enables, 2, 'powered up again once');
  assert.ok(readings.every((r) => r.state === 'idle'), JSON.stringify(states(readings)));
});

test('no bus at all: unknown from the start with the fix, retried with backoff', async () => {
  const clock = new FakeClock(T0);
  let attempts = 0;
  const sensor = new ColourMicSensor({
    openBus: async () => {
      attempts++;
      throw Object.assign(new Error("ENOENT: no such file or directory, open '/dev/i2c-1'"), { code: 'ENOENT' });
    },
    busNumber: 1,
    calibration,
    pollMs: 100,
    clock,
    timers: clock,
    reconnect: { initialMs: 1000, maxMs: 4000 },
  });
  const readings: MicReading[] = [];
  await started(clock, sensor.start((r) => readings.push(r)));
  await clock.advance(10_000);
  await sensor.stop();
  assert.deepEqual(readings, [
    { timeMs: T0, state: 'unknown', reason: 'TCS34725 on /dev/i2c-1 at 0x29: /dev/i2c-1 does not exist; enable I2C (raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in config.txt) and reboot' },
  ]);
  assert.equal(attempts, 4, 'at 0, 1, 3 and 7 s: 1 s doubling to 4 s');
});
