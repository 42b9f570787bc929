// The checks behind `earshot doctor`, over injected probes (a filesystem root, an I2C opener, a
// capture opener, a tool runner, a model loader), so tests run them against fixture sysfs trees
// and fakes. Each check gives one result with what to do about it; none throws.

import { constants } from 'node:fs';
import { access, readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseRingCalibration } from '../../../gpio/colour/ring-calibration.js';
import { TCS34725_ADDRESS, TCS_CMD, TCS_IDS, TCS_REG } from '../../../gpio/colour/tcs34725.js';
import { describeI2cError } from '../../../gpio/hardware-error.js';
import type { I2cOpener } from '../../../gpio/i2c/i2c-bus.js';
import { parseLedTriggers } from '../../../gpio/led/led-patterns.js';
import type { RunTool } from '../../../gpio/process-tools.js';
import { headerOffset, readSysfsGpioChips, sysfsGpioNumber } from '../../../gpio/wire/gpiochip-base.js';
import type { GpiodTools } from '../../../gpio/wire/gpiod-edge-source.js';
import { gpiogetArgs, parseGpiodVersion, parseGpiodetectOutput, parseGpiogetOutput, type LineRequest } from '../../../gpio/wire/gpiod-tools.js';

// Exit code when hardware is missing or failing: defined with the others in cli-io.ts.
export { EXIT_HARDWARE } from './cli-io.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorProbes {
  /** "/" on the box; a fixture tree in tests. /dev, /sys and the model dir are read under it. */
  root: string;
  openI2c: I2cOpener;
  /** Opens and closes a live capture on the interface; rejects with libpcap's message. */
  openCapture(iface: string): Promise<void>;
  run: RunTool;
  tools: GpiodTools;
  /** Where model files live (absolute; not under `root`). */
  modelDir: string;
  /** Loads a model file and describes it ("forest v3, 40 trees"); throws when it does not load. */
  loadModel(path: string): Promise<string>;
}

/** What to check: from the config, or everything with defaults when there is none. */
export interface DoctorPlan {
  wire?: { request: LineRequest; backend: 'auto' | 'gpiod' | 'sysfs' };
  colour?: { bus: number; address: number; calibration?: string };
  light?: { bus: number; address: number };
  iface?: string;
  led?: string;
}

const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });
const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix });
const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

async function accessible(path: string): Promise<'rw' | 'denied' | 'missing'> {
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return 'rw';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'denied';
  }
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

export async function runDoctorChecks(plan: DoctorPlan, probes: DoctorProbes): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (plan.wire) results.push(...(await gpioChecks(plan.wire, probes)));
  else results.push(skip('gpio', 'the mic sensor is not the GPIO wire'));
  if (plan.colour || plan.light) results.push(...(await i2cChecks(plan, probes)));
  else results.push(skip('i2c', 'no I2C sensor configured'));
  results.push(...(await captureChecks(plan.iface, probes)));
  results.push(await ledCheck(plan.led, probes));
  results.push(await modelCheck(probes));
  return results;
}

async function gpioChecks(wire: NonNullable<DoctorPlan['wire']>, probes: DoctorProbes): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const devChips = (await list(join(probes.root, 'dev'))).filter((e) => /^gpiochip\d+$/.test(e)).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  const name = 'gpio chips';
  if (devChips.length === 0) {
    results.push(fail(name, 'no /dev/gpiochip* devices: this is not a Raspberry Pi, or the kernel lacks the GPIO character device', 'run earshot on the Pi the ring wire is connected to'));
  } else {
    const denied = [];
    for (const chip of devChips) if ((await accessible(join(probes.root, 'dev', chip))) === 'denied') denied.push(chip);
    const detect = await probes.run(probes.tools.gpiodetect, 5000).catch(() => undefined);
    const labels = detect && detect.code === 0 ? parseGpiodetectOutput(detect.stdout).map((c) => `${c.chip} [${c.label}]`) : devChips;
    if (denied.length) results.push(fail(name, `${denied.join(', ')} not readable and writable by this user`, 'add the service user to the gpio group (sudo usermod -aG gpio USER)'));
    else results.push(ok(name, labels.join(', ')));
  }

  const sysfs = await readSysfsGpioChips(probes.root).catch(() => undefined);
  const offset = headerOffset(wire.request.line);
  if (!sysfs) {
    if (wire.backend === 'sysfs') results.push(fail('gpio sysfs', 'mic.backend is sysfs but /sys/class/gpio does not exist (removed in newer kernels)', "set mic.backend to 'gpiod' and install Debian's gpiod package"));
    else results.push(ok('gpio sysfs', 'absent; earshot uses the character device'));
  } else if (offset !== undefined) {
    try {
      const { number, chip } = sysfsGpioNumber(sysfs, offset, wire.request.chip);
      results.push(ok('gpio sysfs', `line ${offset} is sysfs GPIO ${number} (${chip.name} [${chip.label}] base ${chip.base})`));
    } catch (error) {
      results.push((wire.backend === 'sysfs' ? fail : warn)('gpio sysfs', (error as Error).message, 'set mic.chip to the label of the chip wired to the ring'));
    }
  }

  if (wire.backend === 'sysfs') return results;
  const version = await probes.run([...probes.tools.gpiomon, '--version'], 5000);
  const parsed = version.missing ? undefined : parseGpiodVersion(version.stdout);
  if (!parsed) {
    results.push(fail('gpio tools', version.missing ? `${probes.tools.gpiomon[0]} not found` : `${probes.tools.gpiomon[0]} --version is not libgpiod's`, "install Debian's gpiod package: sudo apt install gpiod"));
    results.push(skip('gpio line', 'needs the gpio tools'));
    return results;
  }
  results.push(ok('gpio tools', `libgpiod v${parsed.version} tools${parsed.major === 1 ? ' (v1 syntax)' : ''}`));
  if (devChips.length === 0) {
    results.push(skip('gpio line', 'needs a GPIO chip'));
    return results;
  }
  const line = String(wire.request.line);
  let request = wire.request;
  if (parsed.major === 1 && typeof request.line === 'string') {
    if (offset === undefined) {
      results.push(fail('gpio line', `cannot resolve '${line}' for the v1 tools`, 'give mic.line as an offset with mic.chip'));
      return results;
    }
    request = { ...request, line: offset, chip: request.chip ?? 'gpiochip0' };
  }
  const got = await probes.run([...probes.tools.gpioget, ...gpiogetArgs(parsed.major, request)], 5000);
  const level = got.code === 0 ? parseGpiogetOutput(got.stdout, parsed.major) : undefined;
  if (level !== undefined) {
    results.push(ok('gpio line', `${line} reads ${level ? 'active (ring red)' : 'inactive (ring not red)'}${wire.request.activeLow ? ', active-low' : ''}`));
  } else if (/busy/i.test(got.stderr)) {
    results.push(warn('gpio line', `${line} is in use by another program`, 'stop earshot (systemctl stop earshot) to test the line, then start it again'));
  } else {
    const said = got.stderr.trim().split('\n').pop() || `exit code ${got.code}`;
    results.push(fail('gpio line', `gpioget ${line}: ${said}`, 'check mic.line (Raspberry Pi header lines are named GPIO0..GPIO27)'));
  }
  return results;
}

async function i2cChecks(plan: DoctorPlan, probes: DoctorProbes): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const bus = plan.colour?.bus ?? plan.light!.bus;
  const device = join(probes.root, 'dev', `i2c-${bus}`);
  const state = await accessible(device);
  if (state === 'missing') {
    results.push(fail('i2c bus', `/dev/i2c-${bus} does not exist`, 'enable I2C: sudo raspi-config nonint do_i2c 0 (or dtparam=i2c_arm=on in config.txt), then reboot'));
    if (plan.colour) results.push(skip('colour sensor', 'needs the I2C bus'));
    if (plan.light) results.push(skip('light sensor', 'needs the I2C bus'));
  } else if (state === 'denied') {
    results.push(fail('i2c bus', `/dev/i2c-${bus} is not readable and writable by this user`, 'add the service user to the i2c group (sudo usermod -aG i2c USER)'));
  } else {
    results.push(ok('i2c bus', `/dev/i2c-${bus}`));
    if (plan.colour) results.push(await colourCheck(plan.colour, probes));
    if (plan.light) results.push(await lightCheck(plan.light, probes));
  }
  if (plan.colour) results.push(await calibrationCheck(plan.colour.calibration));
  return results;
}

async function colourCheck(colour: NonNullable<DoctorPlan['colour']>, probes: DoctorProbes): Promise<CheckResult> {
  const address = colour.address ?? TCS34725_ADDRESS;
  const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0').toUpperCase()}`;
  try {
    const bus = await probes.openI2c(colour.bus);
    try {
      const id = await bus.readByte(address, TCS_CMD | TCS_REG.ID);
      const part = TCS_IDS[id];
      if (!part) return fail('colour sensor', `the device at ${hex(address)} reads ID ${hex(id)}, not a TCS34725 (0x44 or 0x4D)`, 'check that the board is a TCS34725 and nothing else uses address 0x29');
      return ok('colour sensor', `${part} (ID ${hex(id)}) at ${hex(address)} on /dev/i2c-${colour.bus}`);
    } finally {
      await bus.close().catch(() => undefined);
    }
  } catch (error) {
    const described = describeI2cError(error, colour.bus, address);
    return fail('colour sensor', described.message.replace(/; .*$/, ''), described.message.includes('; ') ? described.message.replace(/^[^;]*; /, '') : 'check the sensor and its wiring');
  }
}

async function lightCheck(light: NonNullable<DoctorPlan['light']>, probes: DoctorProbes): Promise<CheckResult> {
  try {
    const bus = await probes.openI2c(light.bus);
    try {
      await bus.sendByte(light.address, 0x01);
      return ok('light sensor', `BH1750 answers at 0x${light.address.toString(16)}`);
    } finally {
      await bus.close().catch(() => undefined);
    }
  } catch (error) {
    const described = describeI2cError(error, light.bus, light.address);
    return fail('light sensor', described.message.replace(/; .*$/, ''), 'check the BH1750 wiring and its ADDR pin (low 0x23, high 0x5c)');
  }
}

async function calibrationCheck(file: string | undefined): Promise<CheckResult> {
  if (file === undefined) return skip('calibration', 'no mic.calibration configured');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return fail('calibration', `${file} cannot be read`, `record it with the ring in place: earshot calibrate --out ${file}`);
  }
  try {
    const calibration = parseRingCalibration(text, file);
    return ok('calibration', `${file}, recorded ${calibration.recorded?.at ?? 'at an unknown time'}`);
  } catch (error) {
    return fail('calibration', (error as Error).message.replace(/; run earshot calibrate again$/, ''), `record it again: earshot calibrate --out ${file}`);
  }
}

async function captureChecks(iface: string | undefined, probes: DoctorProbes): Promise<CheckResult[]> {
  if (iface === undefined) return [skip('capture', 'capture reads a file, not an interface')];
  const results: CheckResult[] = [];
  const dir = join(probes.root, 'sys', 'class', 'net', iface);
  const entries = await readdir(dir).catch(() => undefined);
  const exists = entries !== undefined;
  if (!exists) {
    results.push(fail('interface', `${iface} does not exist`, 'check the Wi-Fi adapter and capture.interface (the access point runs on it)'));
  } else {
    const operstate = (await readFile(join(dir, 'operstate'), 'utf8').catch(() => 'unknown')).trim();
    const wireless = entries!.includes('wireless') || entries!.includes('phy80211');
    const detail = `${iface} is ${operstate}${wireless ? ', wireless' : ', not wireless'}`;
    if (operstate === 'down') results.push(warn('interface', detail, 'start the access point (systemctl start hostapd) before earshot'));
    else results.push(ok('interface', detail));
  }
  // Permission is the same on any interface; test it on loopback when the real one is missing.
  const target = exists ? iface : 'lo';
  try {
    await probes.openCapture(target);
    results.push(ok('capture', `this user can capture on ${target}`));
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    if (/permission|not permitted/i.test(message)) {
      results.push(fail('capture', `no permission to capture on ${target}`, 'run as root, or give the service CAP_NET_RAW and CAP_NET_ADMIN (AmbientCapabilities= in its unit)'));
    } else {
      results.push(fail('capture', `cannot open ${target}: ${message}`, 'check that libpcap can see the interface (tcpdump -D)'));
    }
  }
  return results;
}

async function ledCheck(name: string | undefined, probes: DoctorProbes): Promise<CheckResult> {
  if (name === undefined) return skip('status led', 'led.enabled is false');
  const dir = join(probes.root, 'sys', 'class', 'leds', name);
  const trigger = await readFile(join(dir, 'trigger'), 'utf8').catch(() => undefined);
  if (trigger === undefined) {
    const others = (await list(join(probes.root, 'sys', 'class', 'leds'))).join(', ') || 'none';
    return fail('status led', `no LED '${name}' in /sys/class/leds (found: ${others})`, `add "dtoverlay=gpio-led,gpio=27,label=${name}" to /boot/firmware/config.txt and reboot, or set led.name to one of those`);
  }
  if ((await accessible(join(dir, 'trigger'))) !== 'rw') return fail('status led', `/sys/class/leds/${name}/trigger is not writable by this user`, 'run as root, or add a udev rule giving the service user write access');
  const { available } = parseLedTriggers(trigger);
  if (!available.includes('pattern')) return warn('status led', `${name} has no pattern trigger: the fault double blink needs earshot running`, 'sudo modprobe ledtrig-pattern (and list it in /etc/modules)');
  return ok('status led', `${name} (timer and pattern triggers)`);
}

async function modelCheck(probes: DoctorProbes): Promise<CheckResult> {
  const files = (await list(probes.modelDir)).filter((f) => f.endsWith('.json')).sort();
  const shown = relative(process.cwd(), probes.modelDir) || '.';
  if (files.length === 0) return fail('model file', `no model file (*.json) in ${shown}`, 'install the shipped model (models/earshot-forest.json) or train one');
  const file = files.includes('earshot-forest.json') ? 'earshot-forest.json' : files[0];
  try {
    return ok('model file', `${join(shown, file)}: ${await probes.loadModel(join(probes.modelDir, file))}`);
  } catch (error) {
    return fail('model file', `${join(shown, file)} does not load: ${(error as Error).message.split('\n')[0]}`, 'reinstall the shipped model or retrain');
  }
}
