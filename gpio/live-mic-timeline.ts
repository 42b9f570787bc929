// The live sensor as the judge's MicStateSource: readings go in as they come, queries use the
// contract's own MicTimeline (so grace and mute semantics are the file's exactly). Only a window
// of recent changes is kept, so a box that runs for months has bounded memory.

import { GRACE_RANGE_S } from '../appliance/src/defaults.js';
import type { MicContext, MicStateSource } from '../appliance/src/mic/mic-state.js';
import { MicTimeline, type MicChange } from '../appliance/src/mic/mic-timeline.js';
import type { MicReading } from './mic-sensor.js';

/** Twice the longest grace period the config allows. */
const DEFAULT_RETAIN_MS = 2 * GRACE_RANGE_S.max * 1000;

export class LiveMicTimeline implements MicStateSource {
  private changes: MicChange[] = [];
  private timeline = new MicTimeline([]);

  constructor(private readonly retainMs = DEFAULT_RETAIN_MS) {}

  push(reading: MicReading): void {
    const last = this.changes[this.changes.length - 1];
    const timeUs = Math.max(last?.timeUs ?? -Infinity, Math.round(reading.timeMs * 1000));
    if (last && last.state === reading.state) return;
    this.changes.push({ timeUs, state: reading.state });
    // Keep the newest change that is older than the window: it says what held at the window's start.
    const cutoffUs = timeUs - this.retainMs * 1000;
    let first = 0;
    while (first + 1 < this.changes.length && this.changes[first + 1].timeUs <= cutoffUs) first++;
    if (first > 0) this.changes = this.changes.slice(first);
    this.timeline = new MicTimeline(this.changes);
  }

  get length(): number {
    return this.changes.length;
  }

  contextAt(timeUs: number, graceUs: number): MicContext {
    return this.timeline.contextAt(timeUs, graceUs);
  }

  listeningBetween(fromUs: number, toUs: number): boolean {
    return this.timeline.listeningBetween(fromUs, toUs);
  }

  mutedThroughout(fromUs: number, toUs: number): boolean {
    return this.timeline.mutedThroughout(fromUs, toUs);
  }
}
