// The wire's level through legacy sysfs GPIO with onoff, for systems that still have
// /sys/class/gpio (it is gone on Debian trixie kernels; onoff issue #206). The sysfs number is
// the chip's run-time base plus the offset (gpiochip-base.ts). onoff gives no edge timestamps,
// so edges are dated on arrival.

import type { Clock } from '../clock.js';
import type { EdgeHandlers, EdgeSource } from './edge-source.js';

/** The part of onoff's Gpio this adapter uses (structurally compatible with onoff's class). */
export interface OnoffGpio {
  readSync(): 0 | 1;
  watch(callback: (error: Error | null | undefined, value: 0 | 1) => void): void;
  unexport(): void;
}

export type OnoffGpioFactory = (sysfsNumber: number, activeLow: boolean) => OnoffGpio;

/** The real factory: onoff is imported only when this backend is chosen. */
export async function onoffGpioFactory(): Promise<OnoffGpioFactory> {
  const { Gpio } = await import('onoff');
  return (sysfsNumber, activeLow) => new Gpio(sysfsNumber, 'in', 'both', { activeLow });
}

export class OnoffEdgeSource implements EdgeSource {
  readonly description: string;
  private gpio: OnoffGpio | undefined;

  constructor(
    private readonly sysfsNumber: number,
    private readonly activeLow: boolean,
    private readonly factory: OnoffGpioFactory,
    private readonly clock: Clock,
  ) {
    this.description = `sysfs GPIO ${sysfsNumber} (onoff)`;
  }

  async start(handlers: EdgeHandlers): Promise<void> {
    try {
      const gpio = this.factory(this.sysfsNumber, this.activeLow);
      this.gpio = gpio;
      handlers.onInitial(this.clock.now(), gpio.readSync() === 1);
      gpio.watch((error, value) => {
        if (error) handlers.onFault(this.clock.now(), `sysfs GPIO ${this.sysfsNumber}: ${error.message}`);
        else handlers.onEdge(this.clock.now(), value === 1);
      });
    } catch (error) {
      handlers.onFault(this.clock.now(), `sysfs GPIO ${this.sysfsNumber}: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.gpio?.unexport();
    this.gpio = undefined;
  }
}
