// Ring colour readings → mic states, pure. Two stages:
//
// 1. Each reading is compared with a tracked baseline (the room with the ring dark): the light
//    added above it must be bright enough (on/off thresholds, with hysteresis) and its chroma
//    (r, g, b shares) close to the calibrated red or blue (enter/exit distances, with hysteresis).
//    Added light of another colour (a lamp, daylight) is `ambiguous`, not a ring state.
// 2. A state changes only after consistent evidence: `enterMs` to light up (3 readings at 10 Hz,
//    so a 0.3 s flash counts), and `holdMs` of dark to leave red or blue, so a blinking or
//    pulsing ring does not flap.
//
// Ambient light: the baseline follows the room down at once (per channel) and drifts slowly while
// the ring is dark; a step of room light while the ring is dark is re-learned after `rebaselineMs`.
// Room light that changes while the ring is lit cannot be told apart from the ring, so after
// `ambiguousLimitMs` the state becomes `unknown`, never a silent `idle`.

import type { MicState } from '../../appliance/src/mic/mic-state.js';
import type { MicReading } from '../mic-sensor.js';
import { chromaDistance, type Chroma, type RingCalibration } from './ring-calibration.js';
import type { Rgbc, RgbcReading } from './tcs34725.js';

export interface RingTimingOptions {
  enterMs: number;
  holdMs: number;
  rebaselineMs: number;
  ambiguousLimitMs: number;
}

export const DEFAULT_RING_TIMING: RingTimingOptions = { enterMs: 200, holdMs: 1500, rebaselineMs: 2000, ambiguousLimitMs: 5000 };

/** How fast the baseline drifts toward dark readings: a share per reading (about 5 s at 10 Hz). */
const BASELINE_DRIFT = 0.02;

export type SampleClass =
  | { kind: 'dark' }
  | { kind: 'band' }
  | { kind: 'red'; distance: number }
  | { kind: 'blue'; distance: number }
  | { kind: 'ambiguous'; chroma: Chroma; added: number }
  | { kind: 'saturated' };

/** Stage 1: one reading against the baseline, given the state it would have to enter or stay in. */
export function classifySample(reading: RgbcReading, baseline: Rgbc, calibration: RingCalibration, current: MicState): SampleClass {
  if (reading.saturated) return { kind: 'saturated' };
  const t = calibration.thresholds;
  const added: Chroma = [Math.max(0, reading.r - baseline.r), Math.max(0, reading.g - baseline.g), Math.max(0, reading.b - baseline.b)];
  const sum = added[0] + added[1] + added[2];
  if (sum < t.off_delta) return { kind: 'dark' };
  const chroma = added.map((x) => x / sum) as Chroma;
  const toRed = chromaDistance(chroma, calibration.muted.chroma);
  const toBlue = chromaDistance(chroma, calibration.listening.chroma);
  if (sum < t.on_delta) {
    // The band between off and on only holds a lit ring that still has its colour (a dimming
    // ring); other light there is room light that rose while the baseline was frozen.
    const holding = (current === 'muted' && toRed <= t.chroma_exit) || (current === 'listening' && toBlue <= t.chroma_exit);
    return holding ? { kind: 'band' } : { kind: 'dark' };
  }
  const redOk = toRed <= (current === 'muted' ? t.chroma_exit : t.chroma_enter);
  const blueOk = toBlue <= (current === 'listening' ? t.chroma_exit : t.chroma_enter);
  if (redOk && (!blueOk || toRed <= toBlue)) return { kind: 'red', distance: toRed };
  if (blueOk) return { kind: 'blue', distance: toBlue };
  return { kind: 'ambiguous', chroma, added: sum };
}

type Target = MicState | 'ambiguous' | 'saturated';

export class RingClassifier {
  private state: MicState = 'unknown';
  private reason: string | undefined = 'no reading yet';
  private baseline: Rgbc;
  private run: { target: Target; firstMs: number } | undefined;
  private lastChroma: Chroma | undefined;

  constructor(
    private readonly calibration: RingCalibration,
    private readonly timing: RingTimingOptions = DEFAULT_RING_TIMING,
  ) {
    this.baseline = { ...calibration.dark };
  }

  get current(): { state: MicState; reason?: string } {
    return this.state === 'unknown' ? { state: 'unknown', reason: this.reason } : { state: this.state };
  }

  get currentBaseline(): Rgbc {
    return { ...this.baseline };
  }

  /** A fault outside the classifier (I2C errors, silence): unknown at once. */
  fault(timeMs: number, reason: string): MicReading[] {
    this.run = undefined;
    return this.enter(timeMs, 'unknown', reason);
  }

  push(timeMs: number, reading: RgbcReading): MicReading[] {
    this.followRoomDown(reading);
    const sample = classifySample(reading, this.baseline, this.calibration, this.state);
    const target = targetOf(sample, this.state);
    if (sample.kind === 'dark' && this.state === 'idle') this.drift(reading);
    if (sample.kind === 'ambiguous') this.lastChroma = sample.chroma;
    if (target === this.state) {
      this.run = undefined;
      return [];
    }
    if (!this.run || this.run.target !== target) this.run = { target, firstMs: timeMs };
    const heldMs = timeMs - this.run.firstMs;
    const since = this.run.firstMs;
    switch (target) {
      case 'muted':
      case 'listening':
        return heldMs >= this.timing.enterMs ? this.enter(since, target) : [];
      case 'idle': {
        const lit = this.state === 'muted' || this.state === 'listening';
        return heldMs >= (lit ? this.timing.holdMs : this.timing.enterMs) ? this.enter(since, 'idle') : [];
      }
      case 'saturated':
        return heldMs >= this.timing.enterMs ? this.enter(since, 'unknown', 'colour sensor saturated; lower the gain or the integration time') : [];
      case 'ambiguous':
        if (this.state === 'idle' && heldMs >= this.timing.rebaselineMs) {
          // Room light changed while the ring was dark: this is the new dark.
          this.baseline = { c: reading.c, r: reading.r, g: reading.g, b: reading.b };
          this.run = undefined;
          return [];
        }
        if (heldMs >= this.timing.ambiguousLimitMs) {
          const c = this.lastChroma ?? [0, 0, 0];
          return this.enter(since, 'unknown', `ring colour ambiguous: added light r/g/b ${c.map((x) => x.toFixed(2)).join('/')} is neither the calibrated red nor blue (room light changed while the ring was lit?)`);
        }
        return [];
      case 'unknown':
        return [];
    }
  }

  private enter(timeMs: number, state: MicState, reason?: string): MicReading[] {
    if (state === this.state && reason === this.reason) return [];
    this.state = state;
    this.reason = state === 'unknown' ? reason : undefined;
    this.run = undefined;
    return [state === 'unknown' ? { timeMs, state, reason } : { timeMs, state }];
  }

  /** The room got darker: the baseline can never be above what the sensor sees. */
  private followRoomDown(reading: Rgbc): void {
    const b = this.baseline;
    this.baseline = { c: Math.min(b.c, reading.c), r: Math.min(b.r, reading.r), g: Math.min(b.g, reading.g), b: Math.min(b.b, reading.b) };
  }

  private drift(reading: Rgbc): void {
    const b = this.baseline;
    const k = BASELINE_DRIFT;
    this.baseline = { c: b.c + k * (reading.c - b.c), r: b.r + k * (reading.r - b.r), g: b.g + k * (reading.g - b.g), b: b.b + k * (reading.b - b.b) };
  }
}

function targetOf(sample: SampleClass, current: MicState): Target {
  switch (sample.kind) {
    case 'dark':
      return 'idle';
    case 'band':
      return current;
    case 'red':
      return 'muted';
    case 'blue':
      return 'listening';
    case 'ambiguous':
      return 'ambiguous';
    case 'saturated':
      return 'saturated';
  }
}

