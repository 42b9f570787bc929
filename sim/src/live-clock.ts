// Live mode's clock: scenario time runs `scale` times faster than the wall clock, except around
// voice uploads and their answers (and the shaped leaks), which keep real time so their cadence (a record every 20 ms)
// and volume stay those of speech. Pure: it only maps times.

import { leakDurationUs, type Plan } from './scenario-plan.js';

const S = 1_000_000;

export class ScaledClock {
  /** Merged spans of scenario time (relative to the plan's start) that run in real time. */
  readonly realTime: [number, number][];

  constructor(
    private readonly plan: Plan,
    readonly scale: number,
  ) {
    const spans: [number, number][] = [];
    for (const action of plan.actions) {
      if (action.kind === 'music') continue;
      const at = action.atUs - plan.startUs;
      // A shaped leak: from a second before (its connection set-up) until a few seconds after it.
      if (action.kind === 'leak') {
        spans.push([Math.max(0, at - 1 * S), at + leakDurationUs(action) + 3 * S]);
        continue;
      }
      // An answer brings a download and follow-up events for several seconds; a leak ends with its upload.
      const tail = action.answerUs > 0 ? action.answerUs + 12 * S : 2 * S;
      spans.push([Math.max(0, at - 1 * S), at + action.speechUs + tail]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    this.realTime = [];
    for (const span of spans) {
      const last = this.realTime[this.realTime.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else this.realTime.push([...span]);
    }
  }

  /** Wall-clock microseconds from the run's start to a plan time (absolute, as in the plan). */
  wallUs(planTimeUs: number): number {
    const t = planTimeUs - this.plan.startUs;
    let wall = 0;
    let cursor = 0;
    for (const [start, end] of this.realTime) {
      if (start >= t) break;
      wall += (start - cursor) / this.scale + (Math.min(end, t) - start);
      cursor = Math.min(end, t);
    }
    return wall + Math.max(0, t - cursor) / this.scale;
  }

  /** A scenario interval (a heartbeat period, a gap) as wall time, at plan time `planTimeUs`. */
  intervalUs(planTimeUs: number, scenarioUs: number): number {
    return this.wallUs(planTimeUs + scenarioUs) - this.wallUs(planTimeUs);
  }

  get totalWallUs(): number {
    return this.wallUs(this.plan.endUs);
  }
}
