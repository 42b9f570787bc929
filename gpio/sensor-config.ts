// The `mic` and `led` sections of the service config, checked and completed. The service schema
// only fixes `mic.sensor`; the rest is defined here, with documented defaults (docs/hardware.md).
// Every error names the field, the allowed range and the value given.

import { HARDWARE_DEFAULTS, MIC_SENSOR, MIC_SENSOR_KINDS } from '../appliance/src/defaults.js';
import { ConfigError } from '../appliance/src/input-error.js';
import type { LineRequest } from './wire/gpiod-tools.js';

export interface GpioWireConfig {
  sensor: 'gpio';
  request: LineRequest;
  backend: 'auto' | 'gpiod' | 'sysfs';
  debounceMs: number;
  pulseHoldMs: number;
  maxSilenceMs: number;
  light?: { bus: number; address: number; onLux: number; offLux: number; holdMs: number; pollMs: number };
  record?: string;
}

export interface ColourSensorConfig {
  sensor: 'tcs34725';
  bus: number;
  address: number;
  calibration: string;
  pollMs: number;
  enterMs: number;
  holdMs: number;
  record?: string;
}

export type MicSensorConfig = GpioWireConfig | ColourSensorConfig | { sensor: 'none' } | { sensor: 'timeline'; timeline: string };

export interface LedConfig {
  /** The kernel LED's name under /sys/class/leds, or undefined for no LED. */
  name: string | undefined;
}

type Json = Record<string, unknown>;

class Fields {
  constructor(
    private readonly file: string,
    private readonly section: string,
    private readonly values: Json,
  ) {}

  private error(key: string, problem: string): never {
    throw new ConfigError(this.file, `${this.section}.${key}`, problem);
  }

  private got(key: string): string {
    return JSON.stringify(this.values[key])?.replaceAll('"', "'") ?? 'nothing';
  }

  number(key: string, fallback: number, min: number, max: number, unit: string, integer = false): number {
    const value = this.values[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      this.error(key, `must be ${integer ? 'a whole number ' : ''}between ${min} and ${max}${unit ? ` ${unit}` : ''} (got ${this.got(key)})`);
    }
    return value;
  }

  /** An I2C address as a number or a "0x29" string. */
  address(key: string, fallback: number, allowed?: readonly number[]): number {
    const raw = this.values[key];
    if (raw === undefined) return fallback;
    const value = typeof raw === 'string' && /^0x[0-9a-f]{1,2}$/i.test(raw) ? Number.parseInt(raw, 16) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0x03 || value > 0x77 || (allowed && !allowed.includes(value))) {
      const range = allowed ? allowed.map((a) => `0x${a.toString(16)}`).join(' or ') : 'an I2C address between 0x03 and 0x77';
      this.error(key, `must be ${range} (got ${this.got(key)})`);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.values[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.error(key, `must be true or false (got ${this.got(key)})`);
    return value;
  }

  string(key: string): string | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') this.error(key, `must be a non-empty string (got ${this.got(key)})`);
    return value;
  }

  oneOf<T extends string>(key: string, fallback: T, options: readonly T[]): T {
    const value = this.values[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !options.includes(value as T)) this.error(key, `must be one of ${options.map((o) => `'${o}'`).join(', ')} (got ${this.got(key)})`);
    return value as T;
  }

  only(known: readonly string[]): void {
    for (const key of Object.keys(this.values)) {
      if (!known.includes(key)) this.error(key, `unknown setting (known here: ${known.join(', ')})`);
    }
  }

  object(key: string): Json | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.error(key, `must be a mapping of settings (got ${this.got(key)})`);
    return value as Json;
  }
}

const GPIO_KEYS = ['sensor', 'line', 'chip', 'active_low', 'bias', 'debounce_ms', 'pulse_hold_ms', 'max_silence_s', 'backend', 'light', 'record'];
const TCS_KEYS = ['sensor', 'bus', 'address', 'calibration', 'poll_ms', 'enter_ms', 'hold_ms', 'record'];

/** `field` is where the section sits in the file: `mic`, or `devices.1.mic` on a box with several Echos. */
export function parseMicSensorConfig(mic: Json, file: string, field = 'mic'): MicSensorConfig {
  if (typeof mic.timeline === 'string') return { sensor: 'timeline', timeline: mic.timeline };
  const f = new Fields(file, field, mic);
  const sensor = f.oneOf('sensor', MIC_SENSOR, MIC_SENSOR_KINDS);
  if (sensor === 'none') return { sensor };
  if (sensor === 'gpio') {
    f.only(GPIO_KEYS);
    const rawLine = mic.line ?? HARDWARE_DEFAULTS.gpio_line;
    if (!(typeof rawLine === 'string' && rawLine.trim() !== '') && !(typeof rawLine === 'number' && Number.isInteger(rawLine) && rawLine >= 0)) {
      throw new ConfigError(file, `${field}.line`, `must be a line name such as "GPIO17" or an offset with ${field}.chip (got ${JSON.stringify(rawLine)})`);
    }
    const chip = f.string('chip');
    if (typeof rawLine === 'number' && chip === undefined) throw new ConfigError(file, `${field}.line`, `an offset (${rawLine}) needs ${field}.chip, e.g. "gpiochip0"; or give the line's name, e.g. "GPIO${rawLine}"`);
    const bias = mic.bias === undefined ? undefined : f.oneOf('bias', 'disabled', ['pull-up', 'pull-down', 'disabled'] as const);
    const lightValues = f.object('light');
    let light: GpioWireConfig['light'];
    if (lightValues) {
      const l = new Fields(file, `${field}.light`, lightValues);
      l.only(['sensor', 'bus', 'address', 'on_lux', 'off_lux', 'hold_ms', 'poll_ms']);
      l.oneOf('sensor', 'bh1750', ['bh1750'] as const);
      const onLux = l.number('on_lux', 20, 0.5, 50000, 'lx');
      const offLux = l.number('off_lux', Math.min(10, onLux / 2), 0, 50000, 'lx');
      if (offLux > onLux) throw new ConfigError(file, `${field}.light.off_lux`, `must be at most on_lux (${onLux}) (got ${offLux})`);
      light = { bus: l.number('bus', HARDWARE_DEFAULTS.i2c_bus, 0, 31, '', true), address: l.address('address', 0x23, [0x23, 0x5c]), onLux, offLux, holdMs: l.number('hold_ms', 1500, 0, 60000, 'ms'), pollMs: l.number('poll_ms', 200, 180, 5000, 'ms') };
    }
    return {
      sensor,
      request: { line: rawLine as string | number, chip, activeLow: f.boolean('active_low', false), bias, consumer: 'earshot' },
      backend: f.oneOf('backend', 'auto', ['auto', 'gpiod', 'sysfs'] as const),
      debounceMs: f.number('debounce_ms', 20, 0, 1000, 'ms'),
      pulseHoldMs: f.number('pulse_hold_ms', 1500, 0, 60000, 'ms'),
      maxSilenceMs: f.number('max_silence_s', 0, 0, 604800, 's') * 1000,
      light,
      record: f.string('record'),
    };
  }
  f.only(TCS_KEYS);
  const calibration = f.string('calibration');
  if (calibration === undefined) throw new ConfigError(file, `${field}.calibration`, 'the tcs34725 sensor needs a calibration file; make one with: earshot calibrate --out FILE');
  return {
    sensor,
    bus: f.number('bus', HARDWARE_DEFAULTS.i2c_bus, 0, 31, '', true),
    address: f.address('address', HARDWARE_DEFAULTS.tcs34725_address, [HARDWARE_DEFAULTS.tcs34725_address]),
    calibration,
    pollMs: f.number('poll_ms', 100, 20, 5000, 'ms'),
    enterMs: f.number('enter_ms', 200, 0, 10000, 'ms'),
    holdMs: f.number('hold_ms', 1500, 0, 60000, 'ms'),
    record: f.string('record'),
  };
}

export function parseLedConfig(led: Json | undefined, file: string): LedConfig {
  if (led === undefined) return { name: HARDWARE_DEFAULTS.led_name };
  const f = new Fields(file, 'led', led);
  f.only(['name', 'enabled']);
  if (!f.boolean('enabled', true)) return { name: undefined };
  const name = f.string('name') ?? HARDWARE_DEFAULTS.led_name;
  if (name.includes('/') || name.startsWith('.')) throw new ConfigError(file, 'led.name', `must be a name under /sys/class/leds, such as "earshot" or "ACT" (got '${name}')`);
  return { name };
}
