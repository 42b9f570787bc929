import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { doctorCommand } from '../../appliance/src/cli/doctor-command.js';
import { EXIT_HARDWARE, runDoctorChecks, type DoctorProbes } from '../../appliance/src/cli/doctor-checks.js';
import { runCli } from '../../appliance/src/cli/main.js';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import { FakeTcs34725Bus, i2cErrno } from '../../gpio/fakes/fake-tcs34725.js';
import type { ToolResult } from '../../gpio/process-tools.js';
import { DEFAULT_GPIOD_TOOLS } from '../../gpio/wire/gpiod-edge-source.js';
import { fixturePath } from '../fixtures/gpio/load.js';

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) }, out: () => out, err: () => err };
}

/** The libgpiod tools as a Pi with Debian trixie's gpiod answers them. */
function gpiodV2(level: 'active' | 'inactive' = 'inactive') {
  return async (argv: readonly string[]): Promise<ToolResult> => {
    if (argv[0] === 'gpiomon' && argv[1] === '--version') return { code: 0, stdout: 'gpiomon (libgpiod) v2.1.3\n', stderr: '' };
    if (argv[0] === 'gpioget') return { code: 0, stdout: `"${argv.at(-1)}"=${level}\n`, stderr: '' };
    if (argv[0] === 'gpiodetect') return { code: 0, stdout: 'gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n', stderr: '' };
    return { code: null, stdout: '', stderr: '', missing: true };
  };
}

function probes(tree: string, overrides: Partial<DoctorProbes> = {}): DoctorProbes {
  const clock = new FakeClock(0);
  return {
    root: fixturePath(`sysfs/${tree}`),
    openI2c: async () => new FakeTcs34725Bus(clock),
    openCapture: async () => undefined,
    run: gpiodV2(),
    tools: DEFAULT_GPIOD_TOOLS,
    modelDir: fixturePath('sysfs'),
    loadModel: async () => 'loads (version 3, 27 KB)',
    ...overrides,
  };
}

const withModelDir = (): { dir: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-doctor-'));
  writeFileSync(join(dir, 'earshot-forest.json'), '{"version":3}');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

test('a healthy Pi 4 passes every check and exits 0', async () => {
  const models = withModelDir();
  try {
    const out = capture();
    const code = await doctorCommand([], out.io, probes('pi4-kernel-6.6', { modelDir: models.dir }));
    assert.equal(code, 0, out.out());
    const lines = out.out().trimEnd().split('\n');
    assert.deepEqual(
      lines.slice(1, -1).map((l) => l.trim().split(/\s{2,}/).slice(0, 2)),
      [
        ['ok', 'gpio chips'],
        ['ok', 'gpio sysfs'],
        ['ok', 'gpio tools'],
        ['ok', 'gpio line'],
        ['ok', 'i2c bus'],
        ['ok', 'colour sensor'],
        ['skip', 'calibration'],
        ['ok', 'interface'],
        ['ok', 'capture'],
        ['ok', 'status led'],
        ['ok', 'model file'],
      ],
    );
    assert.match(out.out(), /gpio chips +gpiochip0 \[pinctrl-bcm2711\], gpiochip1 \[raspberrypi-exp-gpio\]/);
    assert.match(out.out(), /gpio sysfs +line 17 is sysfs GPIO 529 \(gpiochip512 \[pinctrl-bcm2711\] base 512\)/);
    assert.match(out.out(), /gpio line +GPIO17 reads inactive \(ring not red\)/);
    assert.match(out.out(), /colour sensor +TCS34725 \(ID 0x44\) at 0x29 on \/dev\/i2c-1/);
    assert.match(out.out(), /interface +wlan0 is up, wireless/);
    assert.match(out.out(), /earshot-forest\.json: loads \(version 3, 27 KB\)/);
    assert.equal(lines.at(-1), 'all checks passed');
    assert.equal(out.err(), '');
  } finally {
    models.cleanup();
  }
});

test('a Pi 5 on trixie with I2C off, the AP down and no LED overlay: each problem on one line with its fix, exit 3', async () => {
  const out = capture();
  const code = await doctorCommand([], out.io, probes('pi5-trixie-i2c-off', { modelDir: join(tmpdir(), 'earshot-no-models') }));
  assert.equal(code, EXIT_HARDWARE);
  const text = out.out();
  assert.match(text, /^ {2}ok {4}gpio sysfs +absent; earshot uses the character device$/m);
  assert.match(text, /^ {2}FAIL {2}i2c bus +\/dev\/i2c-1 does not exist; fix: enable I2C: sudo raspi-config nonint do_i2c 0/m);
  assert.match(text, /^ {2}skip {2}colour sensor +needs the I2C bus$/m);
  assert.match(text, /^ {2}WARN {2}interface +wlan0 is down, wireless; fix: start the access point/m);
  assert.match(text, /^ {2}FAIL {2}status led +no LED 'earshot' in \/sys\/class\/leds \(found: ACT\); fix: add "dtoverlay=gpio-led,gpio=27,label=earshot"/m);
  assert.match(text, /^ {2}FAIL {2}model file +no model file \(\*\.json\) in /m);
  assert.match(text.trimEnd().split('\n').at(-1)!, /^3 checks failed, 1 warning$/);
});

test('missing gpio tools, a wrong device at 0x29 and no capture permission are named with what to do', async () => {
  const clock = new FakeClock(0);
  const results = await runDoctorChecks(
    { wire: { request: { line: 'GPIO17', activeLow: false }, backend: 'auto' }, colour: { bus: 1, address: 0x29 }, iface: 'wlan0', led: 'earshot' },
    probes('pi4-kernel-6.6', {
      run: async () => ({ code: null, stdout: '', stderr: '', missing: true }),
      openI2c: async () => new FakeTcs34725Bus(clock, { id: 0x60 }),
      openCapture: async () => {
        throw new Error("wlan0: You don't have permission to capture on that device (socket: Operation not permitted)");
      },
    }),
  );
  const byName = Object.fromEntries(results.map((r) => [r.name, r]));
  assert.deepEqual(byName['gpio tools'], { name: 'gpio tools', status: 'fail', detail: 'gpiomon not found', fix: "install Debian's gpiod package: sudo apt install gpiod" });
  assert.equal(byName['gpio line'].status, 'skip');
  assert.deepEqual(byName['colour sensor'], {
    name: 'colour sensor',
    status: 'fail',
    detail: 'the device at 0x29 reads ID 0x60, not a TCS34725 (0x44 or 0x4D)',
    fix: 'check that the board is a TCS34725 and nothing else uses address 0x29',
  });
  assert.equal(byName.capture.status, 'fail');
  assert.match(byName.capture.fix ?? '', /CAP_NET_RAW and CAP_NET_ADMIN/);
});

test('a sensor that does not answer and a busy GPIO line', async () => {
  const results = await runDoctorChecks(
    { wire: { request: { line: 'GPIO17', activeLow: false }, backend: 'auto' }, colour: { bus: 1, address: 0x29 } },
    probes('pi4-kernel-6.6', {
      openI2c: async () => {
        const bus = new FakeTcs34725Bus(new FakeClock(0));
        bus.disconnect();
        return bus;
      },
      run: async (argv) =>
        argv[0] === 'gpioget' ? { code: 1, stdout: '', stderr: 'gpioget: unable to request lines on chip /dev/gpiochip0: Device or resource busy\n' } : gpiodV2()(argv),
    }),
  );
  const byName = Object.fromEntries(results.map((r) => [r.name, r]));
  assert.deepEqual(byName['colour sensor'], {
    name: 'colour sensor',
    status: 'fail',
    detail: 'no device answers at /dev/i2c-1 address 0x29',
    fix: "check the sensor's wiring (SDA pin 3, SCL pin 5, 3V3, GND)",
  });
  assert.equal(byName['gpio line'].status, 'warn');
  assert.match(byName['gpio line'].detail, /GPIO17 is in use by another program/);
});

test('with a config, only what it uses is checked, and a bad calibration file is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-doctor-'));
  try {
    const calibration = join(dir, 'ring.json');
    writeFileSync(calibration, '{"format":"earshot-ring-calibration","version":1}');
    const config = join(dir, 'earshot.json');
    writeFileSync(config, JSON.stringify({ capture: { file: 'x.pcap' }, mic: { sensor: 'tcs34725', calibration }, led: { enabled: false } }));
    const out = capture();
    const code = await doctorCommand(['--config', config], out.io, probes('pi4-kernel-6.6'));
    assert.equal(code, EXIT_HARDWARE);
    assert.match(out.out(), /skip {2}gpio +the mic sensor is not the GPIO wire/);
    assert.match(out.out(), /skip {2}capture +capture reads a file, not an interface/);
    assert.match(out.out(), /skip {2}status led +led.enabled is false/);
    assert.match(out.out(), /FAIL {2}calibration +.*ring\.json: sensor: expected an object; fix: record it again: earshot calibrate --out /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad mic setting in the config is bad input (exit 2) naming the field and the range', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-doctor-'));
  try {
    const config = join(dir, 'earshot.yaml');
    writeFileSync(config, 'mic:\n  sensor: gpio\n  debounce_ms: 5000\n');
    const out = capture();
    const code = await runCli(['doctor', '--config', config], out.io);
    assert.equal(code, 2);
    assert.equal(out.err(), `earshot doctor: ${config}: mic.debounce_ms: expected milliseconds between 0 and 1000 (got 5000)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on this machine, earshot doctor reports what is missing in clean lines and exits non-zero', async () => {
  const out = capture();
  const code = await runCli(['doctor'], out.io);
  const lines = out.out().trimEnd().split('\n');
  assert.equal(out.err(), '', 'nothing on stderr');
  assert.doesNotMatch(out.out(), /^\s+at /m, 'no stack trace');
  for (const line of lines.slice(1, -1)) assert.match(line, /^ {2}(ok|WARN|FAIL|skip) {2,4}[a-z0-9 ]{2,14} \S/, line);
  const hasGpio = existsSync('/dev/gpiochip0');
  const hasI2c = existsSync('/dev/i2c-1');
  if (!hasGpio) assert.match(out.out(), /FAIL {2}gpio chips +no \/dev\/gpiochip\* devices/);
  if (!hasI2c) assert.match(out.out(), /FAIL {2}i2c bus +\/dev\/i2c-1 does not exist/);
  if (!hasGpio || !hasI2c) assert.equal(code, EXIT_HARDWARE);
  assert.match(lines.at(-1)!, /^(\d+ checks? failed|all checks passed)/);
});
