// The mic state from a TCS34725 facing the ring: poll the driver, classify, emit. I/O failures
// and silence become `unknown` with the reason; the sensor then closes the bus and reconnects
// with backoff, and re-initialises the chip if a brown-out reset it (ENABLE reads back 0).

import type { Clock, TimerHandle, Timers } from '../clock.js';
import { describeI2cError } from '../hardware-error.js';
import type { I2cBus } from '../i2c/i2c-bus.js';
import { MicStateEmitter, type MicListener, type MicReading, type MicSensor } from '../mic-sensor.js';
import { RingClassifier, type RingTimingOptions } from './ring-classifier.js';
import type { RingCalibration } from './ring-calibration.js';
import { Tcs34725, TCS34725_ADDRESS, type TcsGain } from './tcs34725.js';

export interface ColourMicSensorOptions {
  openBus: () => Promise<I2cBus>;
  busNumber: number;
  address?: number;
  calibration: RingCalibration;
  timing?: RingTimingOptions;
  /** Defaults to the calibration's settings: the thresholds only hold for those. */
  gain?: TcsGain;
  integrationMs?: number;
  pollMs: number;
  /** Consecutive failed polls before the state becomes unknown (one glitch is not a fault). */
  errorsBeforeFault?: number;
  /** No valid reading for this long is a fault. */
  staleMs?: number;
  reconnect?: { initialMs: number; maxMs: number };
  clock: Clock;
  timers: Timers;
}

/** How often ENABLE is read back to catch a chip that reset under us. */
const ENABLE_CHECK_EVERY = 50;

export class ColourMicSensor implements MicSensor {
  readonly description: string;
  private readonly classifier: RingClassifier;
  private readonly address: number;
  private emitter: MicStateEmitter | undefined;
  private bus: I2cBus | undefined;
  private driver: Tcs34725 | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private consecutiveErrors = 0;
  private polls = 0;
  private lastReadingMs = 0;
  private reconnectDelayMs: number;

  constructor(private readonly options: ColourMicSensorOptions) {
    this.address = options.address ?? TCS34725_ADDRESS;
    this.description = `TCS34725 on /dev/i2c-${options.busNumber} at 0x${this.address.toString(16)}`;
    this.classifier = new RingClassifier(options.calibration, options.timing);
    this.reconnectDelayMs = options.reconnect?.initialMs ?? 1000;
  }

  async start(listener: MicListener): Promise<void> {
    this.stopped = false;
    this.emitter = new MicStateEmitter(listener);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.disconnect(true);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { options } = this;
    try {
      this.bus = await options.openBus();
      this.driver = new Tcs34725(this.bus, {
        gain: options.gain ?? options.calibration.sensor.gain,
        integrationMs: options.integrationMs ?? options.calibration.sensor.integration_ms,
        address: this.address,
        timers: options.timers,
      });
      await this.driver.start();
    } catch (error) {
      this.fault(describeI2cError(error, options.busNumber, this.address).message);
      await this.disconnect(false);
      this.schedule(() => this.connect(), this.nextReconnectDelay());
      return;
    }
    this.reconnectDelayMs = options.reconnect?.initialMs ?? 1000;
    this.consecutiveErrors = 0;
    this.lastReadingMs = options.clock.now();
    this.schedule(() => this.poll(), options.pollMs);
  }

  private async poll(): Promise<void> {
    if (this.stopped || !this.driver) return;
    const { options } = this;
    try {
      if (++this.polls % ENABLE_CHECK_EVERY === 0 && !(await this.driver.isRunning())) await this.driver.start();
      let reading = await this.driver.read();
      // No completed integration although one is due: a reset chip (ENABLE 0) is set up again.
      if (!reading && !(await this.driver.isRunning())) {
        await this.driver.start();
        reading = await this.driver.read();
      }
      this.consecutiveErrors = 0;
      const now = options.clock.now();
      const staleMs = options.staleMs ?? 10 * options.pollMs;
      if (reading) {
        this.lastReadingMs = now;
        this.deliver(this.classifier.push(now, reading));
      } else if (now - this.lastReadingMs >= staleMs) {
        // The reason stays the same while the silence lasts, so it is reported once.
        this.fault(`no valid reading for over ${staleMs / 1000} s`);
      }
    } catch (error) {
      if (++this.consecutiveErrors >= (options.errorsBeforeFault ?? 3)) {
        this.fault(describeI2cError(error, options.busNumber, this.address).message);
        await this.disconnect(false);
        this.schedule(() => this.connect(), this.nextReconnectDelay());
        return;
      }
    }
    this.schedule(() => this.poll(), options.pollMs);
  }

  private fault(reason: string): void {
    this.deliver(this.classifier.fault(this.options.clock.now(), `${this.description}: ${reason}`));
  }

  private deliver(readings: MicReading[]): void {
    for (const reading of readings) this.emitter?.emit(reading);
  }

  private schedule(task: () => Promise<void>, ms: number): void {
    if (this.stopped) return;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      void task();
    }, ms);
  }

  private nextReconnectDelay(): number {
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.options.reconnect?.maxMs ?? 30_000, delayMs * 2);
    return delayMs;
  }

  private async disconnect(powerDown: boolean): Promise<void> {
    const { bus, driver } = this;
    this.bus = undefined;
    this.driver = undefined;
    if (powerDown) await driver?.stop().catch(() => undefined);
    await bus?.close().catch(() => undefined);
  }
}
