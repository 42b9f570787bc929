// `earshot doctor [--config FILE]`: checks the box's hardware and permissions, one line per check
// with what to do about it. Without --config it checks everything with the defaults (GPIO17 wire,
// TCS34725 on I2C bus 1, capture on wlan0, LED "earshot"). Exit 0 when nothing failed, 3 when
// something did (warnings do not fail), 2 for a bad config.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseLedConfig, parseMicSensorConfig } from '../../../gpio/sensor-config.js';
import { CAPTURE_DEFAULTS, HARDWARE_DEFAULTS } from '../defaults.js';
import { parseConfigText, resolveConfig } from '../service/load-config.js';
import { UsageError, type CliIo } from './cli-io.js';
import { palette, stdoutPalette, type Palette } from './colour.js';
import { EXIT_HARDWARE, runDoctorChecks, type CheckResult, type DoctorPlan, type DoctorProbes } from './doctor-checks.js';
import { realDoctorProbes } from './doctor-probes.js';
import { describeFsError } from './inputs.js';

export const DOCTOR_USAGE = 'doctor [--config FILE] [--json]';

export const DEFAULT_DOCTOR_PLAN: DoctorPlan = {
  wire: { request: { line: HARDWARE_DEFAULTS.gpio_line, activeLow: false }, backend: 'auto' },
  colour: { bus: HARDWARE_DEFAULTS.i2c_bus, address: HARDWARE_DEFAULTS.tcs34725_address },
  iface: CAPTURE_DEFAULTS.interface,
  led: HARDWARE_DEFAULTS.led_name,
};

export async function doctorCommand(args: string[], io: CliIo, probes: DoctorProbes = realDoctorProbes()): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false } } });
  const plan = values.config === undefined ? DEFAULT_DOCTOR_PLAN : await planFromConfig(values.config);
  if (values.json) {
    // For scripts: the checks as one JSON object on stdout, nothing else there (docs/cli.md).
    const checks = await runDoctorChecks(plan, probes);
    const failedCount = checks.filter((r) => r.status === 'fail').length;
    io.stdout(JSON.stringify({ config: values.config ?? null, ok: failedCount === 0, checks }) + '\n');
    return failedCount ? EXIT_HARDWARE : 0;
  }
  io.stdout(`earshot doctor: ${values.config === undefined ? 'no --config, checking every option with its defaults' : `checking what ${values.config} uses`}\n`);
  const results = await runDoctorChecks(plan, probes);
  const paint = stdoutPalette();
  for (const result of results) io.stdout(formatCheck(result, paint));
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  io.stdout(failed ? `${failed} check${failed === 1 ? '' : 's'} failed${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}\n` : `all checks passed${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}\n`);
  return failed ? EXIT_HARDWARE : 0;
}

const LABELS: Record<CheckResult['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function formatCheck(result: CheckResult, paint: Palette = palette(false)): string {
  const fix = result.fix ? `; fix: ${result.fix}` : '';
  const tint = { ok: paint.green, warn: paint.yellow, fail: paint.red, skip: paint.dim }[result.status];
  // Padded before painting, so the escape codes do not upset the columns.
  return `  ${tint(LABELS[result.status].padEnd(4))}  ${result.name.padEnd(14)} ${result.detail}${fix}\n`;
}

async function planFromConfig(file: string): Promise<DoctorPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read config: ${describeFsError(error)}`);
  }
  const config = resolveConfig(parseConfigText(text, file), file, process.env, 'earshot');
  // The first Echo with a ring sensor: a box wires one sensor per Echo, each checked the same way.
  const index = Math.max(0, config.devices.findIndex((device) => device.mic.sensor !== undefined && device.mic.sensor !== 'none'));
  const mic = parseMicSensorConfig(config.devices[index].mic as Record<string, unknown>, file, config.written_version >= 3 ? `devices.${index}.mic` : 'mic');
  const led = parseLedConfig(config.led, file);
  const plan: DoctorPlan = { iface: config.capture.file ? undefined : config.capture.interface, led: led.name };
  if (mic.sensor === 'gpio') {
    plan.wire = { request: mic.request, backend: mic.backend };
    if (mic.light) plan.light = { bus: mic.light.bus, address: mic.light.address };
  } else if (mic.sensor === 'tcs34725') {
    plan.colour = { bus: mic.bus, address: mic.address, calibration: mic.calibration };
  }
  return plan;
}
