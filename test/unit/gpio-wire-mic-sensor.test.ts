import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeBh1750Bus } from '../../gpio/fakes/fake-bh1750.js';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import { Bh1750, LuxRingLight } from '../../gpio/lux/bh1750.js';
import type { MicReading } from '../../gpio/mic-sensor.js';
import type { EdgeHandlers, EdgeSource } from '../../gpio/wire/edge-source.js';
import { OnoffEdgeSource, type OnoffGpio } from '../../gpio/wire/onoff-edge-source.js';
import { WireMicSensor, wireAndLightState } from '../../gpio/wire/wire-mic-sensor.js';

const T0 = Date.parse('2025-01-15T12:00:00Z');

/** The GPIO side, driven by the test: the sensor above it is the real code. */
class ScriptedEdges implements EdgeSource {
  readonly description = 'GPIO line GPIO17 (scripted)';
  handlers: EdgeHandlers | undefined;
  stopped = false;
  async start(handlers: EdgeHandlers): Promise<void> {
    this.handlers = handlers;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

function rig(options: { maxSilenceMs?: number; light?: LuxRingLight; clock?: FakeClock } = {}) {
  const clock = options.clock ?? new FakeClock(T0);
  const edges = new ScriptedEdges();
  const sensor = new WireMicSensor({ source: edges, debounceMs: 20, pulseHoldMs: 1500, clock, timers: clock, maxSilenceMs: options.maxSilenceMs, light: options.light });
  const readings: MicReading[] = [];
  return { clock, edges, sensor, readings, start: () => sensor.start((r) => readings.push(r)) };
}

const at = (ms: number): number => T0 + ms;

test('the wire sensor emits idle, then muted dated at the edge once debounced, then idle after the hold', async () => {
  const r = rig();
  await r.start();
  r.edges.handlers!.onInitial(at(0), false);
  await r.clock.advanceTo(at(1000));
  r.edges.handlers!.onEdge(at(1000), true);
  await r.clock.advanceTo(at(1019));
  assert.equal(r.readings.length, 1, 'not yet: still within the debounce time');
  await r.clock.advanceTo(at(1020));
  await r.clock.advanceTo(at(4000));
  r.edges.handlers!.onEdge(at(4000), false);
  await r.clock.advanceTo(at(5499));
  assert.equal(r.readings.at(-1)?.state, 'muted', 'held');
  await r.clock.advanceTo(at(5500));
  assert.deepEqual(r.readings, [
    { timeMs: at(0), state: 'idle' },
    { timeMs: at(1000), state: 'muted' },
    { timeMs: at(4000), state: 'idle' },
  ]);
});

test('a backend fault is unknown with the reason, and the next start of the backend recovers', async () => {
  const r = rig();
  await r.start();
  r.edges.handlers!.onInitial(at(0), true);
  r.edges.handlers!.onFault(at(100), 'gpiomon exited with code 1: Device or resource busy');
  r.edges.handlers!.onInitial(at(600), true);
  assert.deepEqual(r.readings, [
    { timeMs: at(0), state: 'muted' },
    { timeMs: at(100), state: 'unknown', reason: 'GPIO line GPIO17 (scripted): gpiomon exited with code 1: Device or resource busy' },
    { timeMs: at(600), state: 'muted' },
  ]);
  await r.sensor.stop();
  assert.equal(r.edges.stopped, true);
});

test('with max_silence set, no edge for that long is unknown, and the next edge recovers', async () => {
  const r = rig({ maxSilenceMs: 60_000 });
  await r.start();
  r.edges.handlers!.onInitial(at(0), false);
  await r.clock.advanceTo(at(60_000));
  assert.deepEqual(r.readings.at(-1), { timeMs: at(60_000), state: 'unknown', reason: 'GPIO line GPIO17 (scripted): no edge for 60 s' });
  r.edges.handlers!.onEdge(at(61_000), false);
  assert.deepEqual(r.readings.at(-1), { timeMs: at(61_000), state: 'idle' });
});

test('combining the wire with a light sensor: red is muted, lit but not red is listening, a light fault is unknown', () => {
  assert.deepEqual(wireAndLightState(true, { lit: undefined, reason: 'x' }), { state: 'muted' }, 'the wire alone proves muted');
  assert.deepEqual(wireAndLightState(false, { lit: true }), { state: 'listening' });
  assert.deepEqual(wireAndLightState(false, { lit: false }), { state: 'idle' });
  assert.deepEqual(wireAndLightState(false, { lit: undefined, reason: 'BH1750: no device answers' }), { state: 'unknown', reason: 'BH1750: no device answers' });
  assert.deepEqual(wireAndLightState(false, undefined), { state: 'idle' }, 'no light sensor: the wire cannot see blue');
});

test('the wire with a BH1750: a blue ring is listening; a pulsing one holds; the light sensor failing is unknown', async () => {
  const clock = new FakeClock(T0);
  const lux = new FakeBh1750Bus();
  const light = new LuxRingLight({ openBus: async () => lux, busNumber: 1, onLux: 20, offLux: 10, holdMs: 1500, pollMs: 200, clock, timers: clock });
  const r = rig({ light, clock });
  lux.lux = 3;
  await r.start();
  assert.equal(r.readings.length, 0, 'the light alone says nothing before the wire has a level');
  r.edges.handlers!.onInitial(at(0), false);
  await clock.advanceTo(at(1000));
  assert.deepEqual(r.readings, [{ timeMs: at(0), state: 'idle' }]);
  lux.lux = 80;
  await clock.advanceTo(at(1200));
  assert.deepEqual(r.readings.at(-1), { timeMs: at(1200), state: 'listening' });
  lux.lux = 2;
  await clock.advanceTo(at(2000));
  lux.lux = 80;
  await clock.advanceTo(at(2400));
  assert.equal(r.readings.filter((x) => x.state === 'listening').length, 1, 'a dark gap shorter than the hold does not end listening');
  lux.connected = false;
  await clock.advanceTo(at(2600));
  assert.deepEqual(r.readings.at(-1), { timeMs: at(2600), state: 'unknown', reason: "BH1750 on /dev/i2c-1 at 0x23: no device answers at /dev/i2c-1 address 0x23; check the sensor's wiring (SDA pin 3, SCL pin 5, 3V3, GND)" });
  r.edges.handlers!.onEdge(at(2700), true);
  await clock.advanceTo(at(2720));
  assert.equal(r.readings.at(-1)?.state, 'muted', 'red on the wire is muted even without the light sensor');
  await r.sensor.stop();
});

test('the BH1750 driver powers on, resets, measures continuously, and reads lux = count / 1.2', async () => {
  const bus = new FakeBh1750Bus(0x5c);
  bus.lux = 150;
  const sensor = new Bh1750(bus, 0x5c);
  await sensor.start();
  assert.deepEqual(bus.sent, [0x01, 0x07, 0x10]);
  assert.equal(await sensor.readLux(), 150);
});

test('the onoff adapter reads the initial level, passes edges and reports watch errors', async () => {
  let watcher: ((error: Error | null | undefined, value: 0 | 1) => void) | undefined;
  let created: { number: number; activeLow: boolean } | undefined;
  let unexported = false;
  const gpio: OnoffGpio = { readSync: () => 1, watch: (cb) => void (watcher = cb), unexport: () => void (unexported = true) };
  const clock = new FakeClock(T0);
  const source = new OnoffEdgeSource(529, true, (number, activeLow) => ((created = { number, activeLow }), gpio), clock);
  const events: string[] = [];
  await source.start({
    onInitial: (t, a) => events.push(`initial ${t - T0} ${a}`),
    onEdge: (t, a) => events.push(`edge ${t - T0} ${a}`),
    onFault: (t, reason) => events.push(`fault ${reason}`),
  });
  await clock.advance(5);
  watcher!(null, 0);
  watcher!(new Error('EBUSY'), 0);
  await source.stop();
  assert.deepEqual(created, { number: 529, activeLow: true });
  assert.deepEqual(events, ['initial 0 true', 'edge 5 false', 'fault sysfs GPIO 529: EBUSY']);
  assert.equal(unexported, true);
});
