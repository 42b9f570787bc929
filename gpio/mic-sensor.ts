// The one interface every ring sensor implements: it emits timestamped mic states. A sensor that
// cannot tell (device missing, I/O errors, silence) emits `unknown` with a reason, never `idle`.

import type { MicState } from '../appliance/src/mic/mic-state.js';

export interface MicReading {
  /** When the state began, as far as the sensor's evidence goes (epoch ms). */
  timeMs: number;
  state: MicState;
  /** Why the state is `unknown`; absent for the other states. */
  reason?: string;
}

export type MicListener = (reading: MicReading) => void;

export interface MicSensor {
  /** e.g. "gpio wire GPIO17 (gpiomon v2)" or "tcs34725 on /dev/i2c-1 at 0x29" */
  readonly description: string;
  /** Starts sensing; the first reading follows as soon as the sensor knows (or fails). */
  start(listener: MicListener): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Passes on changes only, with times that never run backwards: sensors back-date a change to its
 * first evidence, which may precede the previous emission, and the timeline contract wants rows in
 * time order. A new reason for a continuing `unknown` is a change (the log should say why).
 */
export class MicStateEmitter {
  private last: MicReading | undefined;

  constructor(private readonly listener: MicListener) {}

  get current(): MicReading | undefined {
    return this.last;
  }

  emit(reading: MicReading): void {
    const last = this.last;
    if (last && last.state === reading.state && last.reason === reading.reason) return;
    const timeMs = last ? Math.max(last.timeMs, reading.timeMs) : reading.timeMs;
    const next: MicReading = reading.state === 'unknown' ? { timeMs, state: 'unknown', reason: reading.reason ?? 'unspecified fault' } : { timeMs, state: reading.state };
    this.last = next;
    this.listener(next);
  }
}
