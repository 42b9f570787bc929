// `earshot calibrate --out FILE`: records what the TCS34725 sees with the ring dark, red and blue,
// and saves the thresholds the colour sensor classifies with. Run over SSH with the box in place:
// calibration holds for this ring, this sensor position and this room. A missing or wrong sensor
// fails with one line and exit code 3 (hardware), before anything is asked of the user.

import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { systemClock, systemTimers, delay, type Clock, type Timers } from '../../../gpio/clock.js';
import { deriveCalibration, rgbSum, type CalibrationSamples } from '../../../gpio/colour/ring-calibration.js';
import { Tcs34725, TCS_GAINS, type RgbcReading, type TcsGain } from '../../../gpio/colour/tcs34725.js';
import { describeI2cError, isHardwareError } from '../../../gpio/hardware-error.js';
import { openI2cBus, type I2cBus, type I2cOpener } from '../../../gpio/i2c/i2c-bus.js';
import { UsageError, type CliIo } from './cli-io.js';
import { describeFsError } from './inputs.js';
import { EXIT_HARDWARE } from './doctor-checks.js';

export const CALIBRATE_USAGE = 'calibrate --out FILE [--bus N] [--address 0x29] [--gain 1|4|16|60] [--integration-ms MS] [--seconds S]';

export interface CalibrateDeps {
  openI2c: I2cOpener;
  /** Shows the prompt and resolves when the user presses Enter. */
  waitForEnter(prompt: string): Promise<void>;
  clock: Clock;
  timers: Timers;
  now(): Date;
}

export const defaultCalibrateDeps = (): CalibrateDeps => ({
  openI2c: openI2cBus,
  waitForEnter: enterOnStdin,
  clock: systemClock,
  timers: systemTimers,
  now: () => new Date(),
});

const STEPS = [
  { state: 'idle', prompt: 'Step 1/3: leave the Echo idle (ring dark, microphone on). Press Enter to record.' },
  { state: 'muted', prompt: 'Step 2/3: press the Echo\'s mute button so the ring is red. Press Enter to record.' },
  { state: 'listening', prompt: 'Step 3/3: press Enter, then say "Alexa, what time is it?" so the ring turns blue.' },
] as const;

const SAMPLE_MS = 100;

export async function calibrateCommand(args: string[], io: CliIo, deps: CalibrateDeps = defaultCalibrateDeps()): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string', short: 'o' },
      bus: { type: 'string', default: '1' },
      address: { type: 'string', default: '0x29' },
      gain: { type: 'string', default: '16' },
      'integration-ms': { type: 'string', default: '24' },
      seconds: { type: 'string', default: '3' },
    },
  });
  if (!values.out) throw new UsageError('--out FILE is required: where to save the calibration (e.g. /etc/earshot/ring-calibration.json)');
  const bus = wholeNumber('--bus', values.bus, 0, 31);
  const address = /^0x[0-9a-f]{1,2}$/i.test(values.address) ? Number.parseInt(values.address, 16) : wholeNumber('--address', values.address, 3, 0x77);
  const gain = wholeNumber('--gain', values.gain, 1, 60) as TcsGain;
  if (!TCS_GAINS.includes(gain)) throw new UsageError(`--gain: must be one of ${TCS_GAINS.join(', ')} (got ${values.gain})`);
  const integrationMs = wholeNumber('--integration-ms', values['integration-ms'], 3, 614);
  const seconds = wholeNumber('--seconds', values.seconds, 1, 60);

  let i2c: I2cBus | undefined;
  try {
    i2c = await deps.openI2c(bus);
    const sensor = new Tcs34725(i2c, { gain, integrationMs, address, timers: deps.timers });
    await sensor.start();
    io.stdout(`earshot calibrate: TCS34725 on /dev/i2c-${bus} at 0x${address.toString(16)}, gain ${gain}x, ${sensor.integrationMs} ms\n`);
    const samples: Partial<Record<keyof CalibrationSamples, RgbcReading[]>> = {};
    for (const step of STEPS) {
      await deps.waitForEnter(`${step.prompt}\n`);
      // The ring lights up a moment after the wake word: listen longer, keep the lit part.
      const windowMs = (step.state === 'listening' ? seconds + 5 : seconds) * 1000;
      const recorded = await record(sensor, windowMs, deps);
      samples[step.state] = step.state === 'idle' ? recorded : litPart(recorded, samples.idle ?? []);
      io.stdout(`  recorded ${samples[step.state]!.length} readings\n`);
    }
    const calibration = deriveCalibration(samples as CalibrationSamples, { gain, integrationMs: sensor.integrationMs }, deps.now());
    try {
      await writeFile(values.out, JSON.stringify(calibration, null, 2) + '\n');
    } catch (error) {
      throw new UsageError(`${values.out}: cannot write the calibration: ${describeFsError(error)}`);
    }
    const t = calibration.thresholds;
    io.stdout(`saved ${values.out}: ring adds ${Math.round(calibration.muted.delta)} (red) and ${Math.round(calibration.listening.delta)} (blue) counts over dark; on at ${t.on_delta}, off below ${t.off_delta}\n`);
    await sensor.stop().catch(() => undefined);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const hardware = isHardwareError(error) ? error : describeI2cError(error, bus, address);
    io.stderr(`earshot calibrate: ${hardware.message}\n`);
    return EXIT_HARDWARE;
  } finally {
    await i2c?.close().catch(() => undefined);
  }
}

async function record(sensor: Tcs34725, windowMs: number, deps: CalibrateDeps): Promise<RgbcReading[]> {
  const readings: RgbcReading[] = [];
  const end = deps.clock.now() + windowMs;
  while (deps.clock.now() < end) {
    await delay(deps.timers, SAMPLE_MS);
    const reading = await sensor.read();
    if (reading) readings.push(reading);
  }
  return readings;
}

/** The readings at least half as bright (above dark) as the brightest: the ring was lit then. */
function litPart(readings: RgbcReading[], dark: RgbcReading[]): RgbcReading[] {
  const darkSum = dark.length ? dark.reduce((a, d) => a + rgbSum(d), 0) / dark.length : 0;
  const peak = Math.max(0, ...readings.map((r) => rgbSum(r) - darkSum));
  return readings.filter((r) => rgbSum(r) - darkSum >= peak / 2);
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new UsageError(`${option}: must be a whole number between ${min} and ${max} (got '${text}')`);
  return value;
}

function enterOnStdin(prompt: string): Promise<void> {
  if (!process.stdin.isTTY) return Promise.reject(new UsageError('calibrate asks you to change the ring between steps; run it in a terminal (e.g. over SSH)'));
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) =>
    rl.question(prompt, () => {
      rl.close();
      resolve();
    }),
  );
}
