// The mic state from the wire on the ring's red LED: red means `muted`, dark means `idle`. The
// wire alone cannot see blue, so an optional light sensor (BH1750) that says "the ring is lit"
// turns lit-but-not-red into `listening`. Faults of either become `unknown` with the reason.

import type { MicState } from '../../appliance/src/mic/mic-state.js';
import type { Clock, TimerHandle, Timers } from '../clock.js';
import { MicStateEmitter, type MicListener, type MicSensor } from '../mic-sensor.js';
import type { EdgeSource } from './edge-source.js';
import { WireDebouncer, type WireChange, type WireTimingOptions } from './wire-debounce.js';

/** Whether the ring is lit at all; `lit` undefined means the light sensor failed (see reason). */
export interface RingLightSource {
  readonly description: string;
  start(onChange: (timeMs: number, lit: boolean | undefined, reason?: string) => void): Promise<void>;
  stop(): Promise<void>;
}

export interface WireMicSensorOptions extends WireTimingOptions {
  source: EdgeSource;
  clock: Clock;
  timers: Timers;
  /** No edge for this long is a fault. 0 disables it: a ring can stay red or dark for days. */
  maxSilenceMs?: number;
  light?: RingLightSource;
}

/** The combined state: the wire decides muted; the light sensor, when there is one, lit vs dark. */
export function wireAndLightState(red: boolean, light: { lit: boolean | undefined; reason?: string } | undefined): { state: MicState; reason?: string } {
  if (red) return { state: 'muted' };
  if (!light) return { state: 'idle' };
  if (light.lit === undefined) return { state: 'unknown', reason: light.reason ?? 'light sensor has no reading' };
  return { state: light.lit ? 'listening' : 'idle' };
}

export class WireMicSensor implements MicSensor {
  private readonly debouncer: WireDebouncer;
  private emitter: MicStateEmitter | undefined;
  private deadlineTimer: TimerHandle | undefined;
  private silenceTimer: TimerHandle | undefined;
  private fault: string | undefined;
  /** Nothing is published before the wire's first level or fault: a light reading alone says nothing. */
  private heard = false;
  private light: { lit: boolean | undefined; reason?: string } | undefined;
  private lastRedChangeMs = 0;

  constructor(private readonly options: WireMicSensorOptions) {
    this.debouncer = new WireDebouncer(options);
    if (options.light) this.light = { lit: undefined, reason: 'no reading yet' };
  }

  get description(): string {
    const light = this.options.light ? ` + ${this.options.light.description}` : '';
    return `wire on ${this.options.source.description}${light}`;
  }

  async start(listener: MicListener): Promise<void> {
    this.emitter = new MicStateEmitter(listener);
    await this.options.light?.start((timeMs, lit, reason) => {
      this.light = { lit, reason: lit === undefined ? `${this.options.light!.description}: ${reason ?? 'no reading'}` : undefined };
      this.publish(timeMs);
    });
    await this.options.source.start({
      onInitial: (timeMs, active) => {
        this.heard = true;
        this.fault = undefined;
        this.apply(this.debouncer.start(timeMs, active));
        this.armSilence();
      },
      onEdge: (timeMs, active) => {
        this.heard = true;
        // An edge proves the backend sees the line again (after a silence fault).
        const recovered = this.fault !== undefined;
        this.fault = undefined;
        const changes = this.debouncer.level(timeMs, active);
        if (recovered) this.publish(timeMs);
        this.apply(changes);
        this.armSilence();
      },
      onFault: (timeMs, reason) => {
        this.heard = true;
        this.fault = `${this.options.source.description}: ${reason}`;
        this.clearTimer('deadlineTimer');
        this.publish(timeMs);
      },
    });
  }

  async stop(): Promise<void> {
    this.clearTimer('deadlineTimer');
    this.clearTimer('silenceTimer');
    await this.options.source.stop();
    await this.options.light?.stop();
  }

  private apply(changes: WireChange[]): void {
    for (const change of changes) {
      this.lastRedChangeMs = change.timeMs;
      this.publish(change.timeMs, change.red);
    }
    this.clearTimer('deadlineTimer');
    const deadline = this.debouncer.nextDeadline();
    if (deadline === undefined) return;
    const waitMs = Math.max(0, deadline - this.options.clock.now());
    this.deadlineTimer = this.options.timers.setTimeout(() => {
      this.deadlineTimer = undefined;
      this.apply(this.debouncer.tick(this.options.clock.now()));
    }, waitMs);
  }

  private publish(timeMs: number, red = this.debouncer.isRed): void {
    if (!this.emitter || !this.heard) return;
    if (this.fault !== undefined) {
      this.emitter.emit({ timeMs, state: 'unknown', reason: this.fault });
      return;
    }
    const combined = wireAndLightState(red, this.light);
    // A light change cannot be older than the wire state it is combined with.
    this.emitter.emit({ timeMs: Math.max(timeMs, this.lastRedChangeMs), ...combined });
  }

  private armSilence(): void {
    const limitMs = this.options.maxSilenceMs ?? 0;
    if (limitMs <= 0) return;
    this.clearTimer('silenceTimer');
    this.silenceTimer = this.options.timers.setTimeout(() => {
      this.silenceTimer = undefined;
      this.fault = `${this.options.source.description}: no edge for ${Math.round(limitMs / 1000)} s`;
      this.publish(this.options.clock.now());
    }, limitMs);
  }

  private clearTimer(which: 'deadlineTimer' | 'silenceTimer'): void {
    if (this[which] !== undefined) this.options.timers.clearTimeout(this[which]);
    this[which] = undefined;
  }
}
