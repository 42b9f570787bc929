// Calibration of the colour sensor against this Echo's ring, in this room: what dark, red and
// blue look like to the sensor, and the thresholds derived from them. Pure: samples in, a
// calibration (or one clear reason it cannot be made) out; JSON in, a validated calibration out.

import { HardwareError, HardwareErrorCode } from '../hardware-error.js';
import { TCS_GAINS, type Rgbc, type RgbcReading, type TcsGain } from './tcs34725.js';

export type Chroma = [number, number, number];

export interface RingColour {
  /** r, g, b shares of the light the ring adds above dark (they sum to 1). */
  chroma: Chroma;
  /** How much the ring adds to r+g+b above dark, in counts. */
  delta: number;
}

export interface RingCalibration {
  format: 'earshot-ring-calibration';
  version: 1;
  sensor: { gain: TcsGain; integration_ms: number };
  dark: Rgbc;
  muted: RingColour;
  listening: RingColour;
  thresholds: {
    /** r+g+b above the baseline that turns the ring on (from dark) / off (from lit): hysteresis. */
    on_delta: number;
    off_delta: number;
    /** Chroma distance to a ring colour within which a reading enters / stays in that colour. */
    chroma_enter: number;
    chroma_exit: number;
  };
  recorded: { at: string; samples: { idle: number; muted: number; listening: number } };
}

export interface CalibrationSamples {
  idle: readonly RgbcReading[];
  muted: readonly RgbcReading[];
  listening: readonly RgbcReading[];
}

export const MIN_SAMPLES = 5;
/** Red and blue must be at least this far apart in chroma to be told apart reliably. */
export const MIN_CHROMA_SEPARATION = 0.25;

const fail = (message: string): never => {
  throw new HardwareError(HardwareErrorCode.CalibrationInvalid, message);
};

export const rgbSum = (x: Rgbc): number => x.r + x.g + x.b;

export function chromaDistance(a: Chroma, b: Chroma): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function mean(samples: readonly Rgbc[]): Rgbc {
  const n = samples.length;
  const sum = samples.reduce((acc, s) => ({ c: acc.c + s.c, r: acc.r + s.r, g: acc.g + s.g, b: acc.b + s.b }), { c: 0, r: 0, g: 0, b: 0 });
  return { c: sum.c / n, r: sum.r / n, g: sum.g / n, b: sum.b / n };
}

function ringColour(lit: Rgbc, dark: Rgbc): RingColour {
  const d: Chroma = [Math.max(0, lit.r - dark.r), Math.max(0, lit.g - dark.g), Math.max(0, lit.b - dark.b)];
  const delta = d[0] + d[1] + d[2];
  return { chroma: delta > 0 ? (d.map((x) => round(x / delta, 4)) as Chroma) : [1 / 3, 1 / 3, 1 / 3], delta: round(delta, 1) };
}

const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;

export function deriveCalibration(samples: CalibrationSamples, sensor: { gain: TcsGain; integrationMs: number }, at: Date): RingCalibration {
  for (const state of ['idle', 'muted', 'listening'] as const) {
    const list = samples[state];
    if (list.length < MIN_SAMPLES) fail(`only ${list.length} readings while the ring was ${ringWords[state]}; need at least ${MIN_SAMPLES}`);
    if (list.some((s) => s.saturated)) fail(`the sensor saturated while the ring was ${ringWords[state]}; lower the gain or the integration time`);
  }
  const dark = mean(samples.idle);
  const sums = samples.idle.map(rgbSum);
  const average = sums.reduce((a, b) => a + b, 0) / sums.length;
  const noise = Math.max(1, Math.sqrt(sums.reduce((a, s) => a + (s - average) ** 2, 0) / sums.length));
  const muted = ringColour(mean(samples.muted), dark);
  const listening = ringColour(mean(samples.listening), dark);
  for (const [state, colour] of [['muted', muted], ['listening', listening]] as const) {
    if (colour.delta < Math.max(30, 10 * noise)) {
      fail(`the ring ${ringWords[state]} adds only ${Math.round(colour.delta)} counts over dark (noise ${noise.toFixed(1)}); move the sensor closer to the ring or raise the gain`);
    }
  }
  if (muted.chroma[0] <= muted.chroma[2]) fail(`the 'muted' readings are not red (r ${muted.chroma[0]}, b ${muted.chroma[2]}); was the mute button on?`);
  if (listening.chroma[2] <= listening.chroma[0]) fail(`the 'listening' readings are not blue (r ${listening.chroma[0]}, b ${listening.chroma[2]}); was the ring blue while recording?`);
  const separation = chromaDistance(muted.chroma, listening.chroma);
  if (separation < MIN_CHROMA_SEPARATION) fail(`red and blue look alike to the sensor (chroma distance ${separation.toFixed(2)}, need ${MIN_CHROMA_SEPARATION}); shield it from room light`);
  const weakest = Math.min(muted.delta, listening.delta);
  return {
    format: 'earshot-ring-calibration',
    version: 1,
    sensor: { gain: sensor.gain, integration_ms: sensor.integrationMs },
    dark: { c: round(dark.c, 1), r: round(dark.r, 1), g: round(dark.g, 1), b: round(dark.b, 1) },
    muted,
    listening,
    thresholds: {
      // The Echo dims its ring in a dark room, so "on" is a quarter of the calibrated brightness.
      on_delta: round(Math.max(0.25 * weakest, 6 * noise), 1),
      off_delta: round(Math.max(0.12 * weakest, 3 * noise), 1),
      chroma_enter: round(0.3 * separation, 3),
      chroma_exit: round(0.4 * separation, 3),
    },
    recorded: { at: at.toISOString(), samples: { idle: samples.idle.length, muted: samples.muted.length, listening: samples.listening.length } },
  };
}

const ringWords = { idle: 'dark (idle)', muted: 'red (muted)', listening: 'blue (listening)' } as const;

/** Validates a calibration file's JSON; every problem names the field. */
export function parseRingCalibration(text: string, file: string): RingCalibration {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`${file}: not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const bad = (field: string, expected: string): never => fail(`${file}: ${field}: expected ${expected}; run earshot calibrate again`);
  const object = (v: unknown, field: string): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(field, 'an object'));
  const num = (v: unknown, field: string, min = 0): number => (typeof v === 'number' && Number.isFinite(v) && v >= min ? v : bad(field, `a number ≥ ${min}`));
  const root = object(value, 'file');
  if (root.format !== 'earshot-ring-calibration' || root.version !== 1) bad('format', '"earshot-ring-calibration" version 1');
  const sensor = object(root.sensor, 'sensor');
  if (!TCS_GAINS.includes(sensor.gain as TcsGain)) bad('sensor.gain', TCS_GAINS.join(', '));
  const rgbc = (v: unknown, field: string): Rgbc => {
    const o = object(v, field);
    return { c: num(o.c, `${field}.c`), r: num(o.r, `${field}.r`), g: num(o.g, `${field}.g`), b: num(o.b, `${field}.b`) };
  };
  const colour = (v: unknown, field: string): RingColour => {
    const o = object(v, field);
    const chroma = o.chroma;
    if (!Array.isArray(chroma) || chroma.length !== 3) bad(`${field}.chroma`, 'three numbers');
    return { chroma: (chroma as unknown[]).map((x, i) => num(x, `${field}.chroma[${i}]`)) as Chroma, delta: num(o.delta, `${field}.delta`) };
  };
  const t = object(root.thresholds, 'thresholds');
  const thresholds = {
    on_delta: num(t.on_delta, 'thresholds.on_delta'),
    off_delta: num(t.off_delta, 'thresholds.off_delta'),
    chroma_enter: num(t.chroma_enter, 'thresholds.chroma_enter'),
    chroma_exit: num(t.chroma_exit, 'thresholds.chroma_exit'),
  };
  if (thresholds.off_delta > thresholds.on_delta) bad('thresholds.off_delta', `at most on_delta (${thresholds.on_delta})`);
  if (thresholds.chroma_exit < thresholds.chroma_enter) bad('thresholds.chroma_exit', `at least chroma_enter (${thresholds.chroma_enter})`);
  const recorded = object(root.recorded, 'recorded');
  return {
    format: 'earshot-ring-calibration',
    version: 1,
    sensor: { gain: sensor.gain as TcsGain, integration_ms: num(sensor.integration_ms, 'sensor.integration_ms', 2.4) },
    dark: rgbc(root.dark, 'dark'),
    muted: colour(root.muted, 'muted'),
    listening: colour(root.listening, 'listening'),
    thresholds,
    recorded: recorded as RingCalibration['recorded'],
  };
}
