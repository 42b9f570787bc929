// The mic sensor's wiring point: builds the real adapters (libgpiod tools or onoff, i2c-bus) from
// a checked config. The service's wiring calls createMicSensor(); nothing else in gpio/ picks a
// backend. A missing backend is not a crash: the sensor reports `unknown` with what to install,
// keeps retrying, and `earshot doctor` says the same.

import { readFile } from 'node:fs/promises';
import { ConfigError, HardwareError } from '../appliance/src/input-error.js';
import { systemClock, systemTimers, type Clock, type Timers } from './clock.js';
import { ColourMicSensor } from './colour/colour-mic-sensor.js';
import { parseRingCalibration } from './colour/ring-calibration.js';
import { isHardwareError } from './hardware-error.js';
import { LedClassDriver, type StatusLed } from './led/led-class-driver.js';
import { openI2cBus, type I2cOpener } from './i2c/i2c-bus.js';
import { LuxRingLight } from './lux/bh1750.js';
import type { MicListener, MicSensor } from './mic-sensor.js';
import { runTool, spawnTool, type RunTool, type SpawnTool } from './process-tools.js';
import type { ColourSensorConfig, GpioWireConfig, LedConfig } from './sensor-config.js';
import { openTimelineFile } from './timeline-file.js';
import type { EdgeSource } from './wire/edge-source.js';
import { headerOffset, readSysfsGpioChips, sysfsGpioNumber } from './wire/gpiochip-base.js';
import { DEFAULT_GPIOD_TOOLS, GpiodEdgeSource, type GpiodTools } from './wire/gpiod-edge-source.js';
import { OnoffEdgeSource, onoffGpioFactory, type OnoffGpioFactory } from './wire/onoff-edge-source.js';
import { WireMicSensor } from './wire/wire-mic-sensor.js';

export interface SensorHost {
  /** Filesystem root for /sys lookups ("/" on the box). */
  root: string;
  run: RunTool;
  spawn: SpawnTool;
  openI2c: I2cOpener;
  clock: Clock;
  timers: Timers;
  tools: GpiodTools;
  onoff: () => Promise<OnoffGpioFactory>;
}

export const realSensorHost = (): SensorHost => ({
  root: '/',
  run: runTool,
  spawn: spawnTool,
  openI2c: openI2cBus,
  clock: systemClock,
  timers: systemTimers,
  tools: DEFAULT_GPIOD_TOOLS,
  onoff: onoffGpioFactory,
});

export async function createMicSensor(config: GpioWireConfig | ColourSensorConfig, configFile: string, host: SensorHost = realSensorHost()): Promise<MicSensor> {
  const sensor = config.sensor === 'gpio' ? await wireSensor(config, configFile, host) : await colourSensor(config, configFile, host);
  return config.record ? recording(sensor, config.record, configFile) : sensor;
}

async function wireSensor(config: GpioWireConfig, configFile: string, host: SensorHost): Promise<MicSensor> {
  const source = await edgeSource(config, configFile, host);
  const light = config.light
    ? new LuxRingLight({ ...config.light, busNumber: config.light.bus, openBus: () => host.openI2c(config.light!.bus), clock: host.clock, timers: host.timers })
    : undefined;
  return new WireMicSensor({ source, debounceMs: config.debounceMs, pulseHoldMs: config.pulseHoldMs, maxSilenceMs: config.maxSilenceMs, light, clock: host.clock, timers: host.timers });
}

/** 'auto' prefers the character device (libgpiod tools); sysfs only where tools are absent and sysfs exists. */
async function edgeSource(config: GpioWireConfig, configFile: string, host: SensorHost): Promise<EdgeSource> {
  const gpiod = (): EdgeSource => new GpiodEdgeSource({ request: config.request, run: host.run, spawn: host.spawn, clock: host.clock, timers: host.timers, tools: host.tools });
  if (config.backend === 'gpiod') return gpiod();
  if (config.backend === 'auto') {
    const probe = await host.run([...host.tools.gpiomon, '--version'], 5000);
    if (!probe.missing) return gpiod();
  }
  const chips = await readSysfsGpioChips(host.root);
  if (!chips) {
    if (config.backend === 'sysfs') throw new ConfigError(configFile, 'mic.backend', "'sysfs' but this kernel has no /sys/class/gpio; use 'gpiod' (install Debian's gpiod package)");
    // Neither: the gpiod source reports "gpiomon not found; install ..." as the unknown reason.
    return gpiod();
  }
  const offset = headerOffset(config.request.line);
  if (offset === undefined) throw new ConfigError(configFile, 'mic.line', `sysfs GPIO needs a header line such as "GPIO17" (got '${config.request.line}')`);
  try {
    const { number } = sysfsGpioNumber(chips, offset, config.request.chip);
    return new OnoffEdgeSource(number, config.request.activeLow, await host.onoff(), host.clock);
  } catch (error) {
    // A chip or line that is not there is hardware (exit 3, docs/cli.md); anything else, the config.
    if (isHardwareError(error)) throw new HardwareError(`${configFile}: mic.line`, error.message);
    throw new ConfigError(configFile, 'mic.line', (error as Error).message);
  }
}

async function colourSensor(config: ColourSensorConfig, configFile: string, host: SensorHost): Promise<MicSensor> {
  let text: string;
  try {
    text = await readFile(config.calibration, 'utf8');
  } catch {
    throw new ConfigError(configFile, 'mic.calibration', `cannot read '${config.calibration}'; make it with: earshot calibrate --out ${config.calibration}`);
  }
  let calibration;
  try {
    calibration = parseRingCalibration(text, config.calibration);
  } catch (error) {
    if (isHardwareError(error)) throw new ConfigError(configFile, 'mic.calibration', error.message);
    throw error;
  }
  return new ColourMicSensor({
    openBus: () => host.openI2c(config.bus),
    busNumber: config.bus,
    address: config.address,
    calibration,
    timing: { enterMs: config.enterMs, holdMs: config.holdMs, rebaselineMs: 2000, ambiguousLimitMs: 5000 },
    pollMs: config.pollMs,
    clock: host.clock,
    timers: host.timers,
  });
}

/** The status LED from the `led` config; a disabled LED shows nothing. */
export function createStatusLed(config: LedConfig, host: Pick<SensorHost, 'root' | 'timers'> = realSensorHost()): StatusLed {
  if (config.name === undefined) return { show: async () => undefined, close: async () => undefined };
  return new LedClassDriver(host.root, config.name, host.timers);
}

/** Also writes every reading to a timeline CSV, for labelling datasets. */
function recording(sensor: MicSensor, path: string, configFile: string): MicSensor {
  let recorder: ReturnType<typeof openTimelineFile>;
  try {
    recorder = openTimelineFile(path);
  } catch (error) {
    throw new ConfigError(configFile, 'mic.record', (error as Error).message);
  }
  return {
    description: `${sensor.description}, recording to ${path}`,
    start: (listener: MicListener) =>
      sensor.start((reading) => {
        recorder.record(reading);
        listener(reading);
      }),
    stop: () => sensor.stop(),
  };
}
