// BH1750 ambient light sensor (ROHM datasheet): no registers, just opcodes sent as single bytes,
// and a two-byte big-endian result. It cannot see colour, so it only says whether the ring is
// lit; the wire says whether that light is red. lux = count / 1.2 at the default MTreg.

import type { Clock, TimerHandle, Timers } from '../clock.js';
import { describeI2cError } from '../hardware-error.js';
import type { I2cBus } from '../i2c/i2c-bus.js';
import { WireDebouncer } from '../wire/wire-debounce.js';
import type { RingLightSource } from '../wire/wire-mic-sensor.js';

export const BH1750_ADDRESSES = [0x23, 0x5c] as const;
export const BH1750_OP = { POWER_ON: 0x01, RESET: 0x07, CONTINUOUS_HIGH_RES: 0x10 } as const;
/** High-resolution mode needs up to 180 ms per measurement. */
export const BH1750_MEASUREMENT_MS = 180;

export class Bh1750 {
  private readonly buffer = Buffer.alloc(2);

  constructor(
    private readonly bus: I2cBus,
    readonly address: number = 0x23,
  ) {}

  async start(): Promise<void> {
    await this.bus.sendByte(this.address, BH1750_OP.POWER_ON);
    await this.bus.sendByte(this.address, BH1750_OP.RESET);
    await this.bus.sendByte(this.address, BH1750_OP.CONTINUOUS_HIGH_RES);
  }

  async readLux(): Promise<number> {
    await this.bus.i2cRead(this.address, 2, this.buffer);
    return this.buffer.readUInt16BE(0) / 1.2;
  }
}

export interface LuxRingLightOptions {
  openBus: () => Promise<I2cBus>;
  busNumber: number;
  address?: number;
  /** Lit at or above onLux; stays lit down to offLux (hysteresis). */
  onLux: number;
  offLux: number;
  /** A pulsing ring stays lit through dark gaps shorter than this. */
  holdMs: number;
  pollMs: number;
  clock: Clock;
  timers: Timers;
}

/** "Is the ring lit", from a BH1750: polled, hysteresis on lux, pulse-hold on time. */
export class LuxRingLight implements RingLightSource {
  readonly description: string;
  private readonly hold: WireDebouncer;
  private sensor: Bh1750 | undefined;
  private bus: I2cBus | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private lit = false;
  private started = false;

  constructor(private readonly options: LuxRingLightOptions) {
    this.description = `BH1750 on /dev/i2c-${options.busNumber} at 0x${(options.address ?? 0x23).toString(16)}`;
    this.hold = new WireDebouncer({ debounceMs: 0, pulseHoldMs: options.holdMs });
  }

  async start(onChange: (timeMs: number, lit: boolean | undefined, reason?: string) => void): Promise<void> {
    this.stopped = false;
    const tick = async (): Promise<void> => {
      this.timer = undefined;
      if (this.stopped) return;
      const now = this.options.clock.now();
      try {
        if (!this.sensor) {
          this.bus = await this.options.openBus();
          this.sensor = new Bh1750(this.bus, this.options.address);
          await this.sensor.start();
        }
        const lux = await this.sensor.readLux();
        const above = lux >= (this.lit ? this.options.offLux : this.options.onLux);
        const changes = this.started ? this.hold.level(now, above) : this.hold.start(now, above);
        this.started = true;
        for (const change of changes.concat(this.hold.tick(now))) {
          this.lit = change.red;
          onChange(change.timeMs, change.red);
        }
      } catch (error) {
        const reason = describeI2cError(error, this.options.busNumber, this.options.address ?? 0x23).message;
        this.started = false;
        this.sensor = undefined;
        await this.bus?.close().catch(() => undefined);
        this.bus = undefined;
        onChange(now, undefined, reason);
      }
      if (!this.stopped) this.timer = this.options.timers.setTimeout(() => void tick(), this.options.pollMs);
    };
    await tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    await this.bus?.close().catch(() => undefined);
  }
}
