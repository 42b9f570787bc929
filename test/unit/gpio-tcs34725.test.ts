import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tcs34725, atimeFor, integrationMsFor, saturationCount } from '../../gpio/colour/tcs34725.js';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import { FakeTcs34725Bus } from '../../gpio/fakes/fake-tcs34725.js';
import { HardwareError, HardwareErrorCode, describeI2cError } from '../../gpio/hardware-error.js';

const T0 = Date.parse('2025-01-15T12:00:00Z');

function rig(options: { id?: number; scene?: () => { c: number; r: number; g: number; b: number } } = {}) {
  const clock = new FakeClock(T0);
  const bus = new FakeTcs34725Bus(clock, options);
  const driver = new Tcs34725(bus, { gain: 16, integrationMs: 24, timers: clock });
  return { clock, bus, driver };
}

/** start() waits 3 ms on the timers between PON and AEN; the fake clock releases it. */
async function started(r: ReturnType<typeof rig>): Promise<void> {
  const done = r.driver.start();
  await r.clock.advance(3);
  await done;
}

test('start identifies the chip, then writes ATIME, gain, PON, and PON|AEN with the command bit', async () => {
  const r = rig();
  await started(r);
  assert.deepEqual(r.bus.transfers, ['read 0x92', 'write 0x81 0xf6', 'write 0x8f 0x02', 'write 0x80 0x01', 'write 0x80 0x03']);
  assert.equal(r.bus.registers[0x01], 0xf6, '24 ms = 10 cycles of 2.4 ms');
  assert.equal(r.bus.registers[0x0f], 0x02, '16x gain');
});

test('no reading until the first integration completes, then all four channels in one auto-increment block', async () => {
  const r = rig({ scene: () => ({ c: 10, r: 5, g: 3, b: 2 }) });
  await started(r);
  assert.equal(await r.driver.read(), undefined, 'AVALID is still 0');
  await r.clock.advance(24);
  const reading = await r.driver.read();
  // counts = light per ms x 24 ms x 16
  assert.deepEqual(reading, { c: 3840, r: 1920, g: 1152, b: 768, saturated: false });
  assert.deepEqual(r.bus.transfers.slice(-2), ['read 0x93', 'read 0xb4 x8']);
});

test('counts clip at the maximum and readings at 75% of it are saturated below 150 ms', async () => {
  const r = rig({ scene: () => ({ c: 100, r: 60, g: 30, b: 10 }) });
  await started(r);
  await r.clock.advance(30);
  const reading = await r.driver.read();
  assert.equal(reading?.c, 10240, 'clipped at (256 - ATIME) x 1024');
  assert.equal(reading?.saturated, true);
  assert.equal(saturationCount(atimeFor(24)), 7680);
  assert.equal(saturationCount(atimeFor(154)), 65535, 'from 150 ms the full count is usable');
});

test('a device with another ID is named and refused', async () => {
  const r = rig({ id: 0x00 });
  await assert.rejects(r.driver.start(), (error: unknown) => {
    assert.ok(error instanceof HardwareError);
    assert.equal(error.code, HardwareErrorCode.WrongDevice);
    assert.equal(error.message, 'the device at 0x29 is not a TCS34725 (ID register 0x12 reads 0x00, expected 0x44 or 0x4D)');
    return true;
  });
});

test('the TCS34727 (ID 0x4D) is accepted', async () => {
  assert.deepEqual(await rig({ id: 0x4d }).driver.identify(), { id: 0x4d, part: 'TCS34727' });
});

test('a chip reset by a brown-out is detected by ENABLE reading back 0', async () => {
  const r = rig();
  await started(r);
  assert.equal(await r.driver.isRunning(), true);
  r.bus.powerCycle();
  assert.equal(await r.driver.isRunning(), false);
});

test('the fake enforces the protocol: without the auto-increment bit a block read repeats one register', async () => {
  const r = rig({ scene: () => ({ c: 10, r: 5, g: 3, b: 2 }) });
  await started(r);
  await r.clock.advance(24);
  const buffer = Buffer.alloc(8);
  await r.bus.readI2cBlock(0x29, 0x80 | 0x14, 8, buffer);
  assert.deepEqual([...buffer], Array(8).fill(3840 & 0xff), 'CDATAL eight times: a driver bug would show');
  await assert.rejects(r.bus.readByte(0x29, 0x12), /lacks the CMD bit/);
});

test('a disconnected sensor NACKs, and the error reads as a wiring problem', async () => {
  const r = rig();
  r.bus.disconnect();
  const error = await r.driver.identify().catch((e: unknown) => e);
  const described = describeI2cError(error, 1, 0x29);
  assert.equal(described.code, HardwareErrorCode.I2cNoDevice);
  assert.equal(described.message, "no device answers at /dev/i2c-1 address 0x29; check the sensor's wiring (SDA pin 3, SCL pin 5, 3V3, GND)");
});

test('a missing bus device and a permission problem each say what to do', () => {
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/dev/i2c-1'"), { code: 'ENOENT' });
  assert.match(describeI2cError(enoent, 1, 0x29).message, /^\/dev\/i2c-1 does not exist; enable I2C \(raspi-config nonint do_i2c 0/);
  const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES' });
  assert.equal(describeI2cError(eacces, 1, 0x29).message, 'permission denied on /dev/i2c-1; add the service user to the i2c group');
});

test('integration time maps to ATIME in 2.4 ms cycles, within the register range', () => {
  assert.equal(atimeFor(2.4), 0xff);
  assert.equal(atimeFor(24), 0xf6);
  assert.equal(atimeFor(101), 0xd6);
  assert.equal(atimeFor(614.4), 0x00, '256 cycles');
  assert.equal(atimeFor(10_000), 0x00, 'clamped to 256 cycles');
  assert.equal(atimeFor(0), 0xff, 'at least one cycle');
  assert.equal(integrationMsFor(0xf6), 24);
});
