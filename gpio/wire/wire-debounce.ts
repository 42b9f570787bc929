// Debounce and pulse-hold for the digital wire from the ring's red LED, as a pure state machine.
// The caller feeds levels (already corrected for the active level) and ticks, and arms one timer
// at nextDeadline(); that keeps the logic testable on recorded edge traces with no real timers.
//
//   raw level ──debounce──> stable level ──pulse-hold──> red (muted) / not red (idle)
//
// Debounce: a level counts once it has held for `debounceMs` (glitches and contact bounce).
// Pulse-hold: red ends only after the stable level has been inactive for `pulseHoldMs`, so a
// blinking or PWM-dimmed ring stays `muted` instead of flapping. Each output change is dated by
// its first evidence (the edge that started it), not by when the timer confirmed it.

export interface WireTimingOptions {
  debounceMs: number;
  pulseHoldMs: number;
}

export interface WireChange {
  timeMs: number;
  red: boolean;
}

export class WireDebouncer {
  private rawActive = false;
  private rawSinceMs = 0;
  private stableActive = false;
  private stableSinceMs = 0;
  private red = false;
  private started = false;

  constructor(private readonly options: WireTimingOptions) {}

  /** The line's level when reading starts (or restarts after a fault): taken as settled. */
  start(timeMs: number, active: boolean): WireChange[] {
    this.started = true;
    this.rawActive = this.stableActive = this.red = active;
    this.rawSinceMs = this.stableSinceMs = timeMs;
    return [{ timeMs, red: active }];
  }

  get isRed(): boolean {
    return this.red;
  }

  /** A level change reported at `timeMs`. Repeated levels (a lost edge) are harmless. */
  level(timeMs: number, active: boolean): WireChange[] {
    if (!this.started) return this.start(timeMs, active);
    const changes = this.tick(timeMs);
    if (active !== this.rawActive) {
      this.rawActive = active;
      this.rawSinceMs = timeMs;
    }
    return changes.concat(this.tick(timeMs));
  }

  /** Applies every confirmation due by `nowMs`. */
  tick(nowMs: number): WireChange[] {
    const changes: WireChange[] = [];
    if (!this.started) return changes;
    if (this.rawActive !== this.stableActive && nowMs - this.rawSinceMs >= this.options.debounceMs) {
      this.stableActive = this.rawActive;
      this.stableSinceMs = this.rawSinceMs;
      if (this.stableActive && !this.red) {
        this.red = true;
        changes.push({ timeMs: this.stableSinceMs, red: true });
      }
    }
    if (!this.stableActive && this.red && nowMs - this.stableSinceMs >= this.options.pulseHoldMs) {
      this.red = false;
      changes.push({ timeMs: this.stableSinceMs, red: false });
    }
    return changes;
  }

  /** When tick() next has something to confirm, or undefined when nothing is pending. */
  nextDeadline(): number | undefined {
    if (!this.started) return undefined;
    if (this.rawActive !== this.stableActive) return this.rawSinceMs + this.options.debounceMs;
    if (!this.stableActive && this.red) return this.stableSinceMs + this.options.pulseHoldMs;
    return undefined;
  }
}
