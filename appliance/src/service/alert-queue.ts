// Alerts wait here while the broker is away, and leave in order once it is back.
// Bound and overflow policy (docs/service.md): at most `limit` events; when full, the oldest event
// that is not a critical alert is dropped; if only critical alerts are queued, a newcomer that is
// not critical is dropped instead, and a critical newcomer replaces the oldest critical. Every
// drop is counted so Home Assistant can show it later.

import type { JudgeEvent } from '../judge/judge-events.js';

const isCritical = (event: JudgeEvent): boolean => event.type === 'alert' && event.severity === 'critical';

export class AlertQueue {
  private readonly items: JudgeEvent[] = [];
  overflow = 0;

  constructor(readonly limit: number) {}

  get length(): number {
    return this.items.length;
  }

  /** Queues `event`; returns the event dropped to make room (possibly `event` itself), if any. */
  push(event: JudgeEvent): JudgeEvent | undefined {
    let dropped: JudgeEvent | undefined;
    if (this.items.length >= this.limit) {
      this.overflow++;
      const victim = this.items.findIndex((e) => !isCritical(e));
      if (victim >= 0) dropped = this.items.splice(victim, 1)[0];
      // Nothing but critical alerts queued: a less important newcomer is the one to go.
      else if (!isCritical(event)) return event;
      else dropped = this.items.shift();
    }
    this.items.push(event);
    return dropped;
  }

  peek(): JudgeEvent | undefined {
    return this.items[0];
  }

  /** Removes the head after it was delivered. */
  shift(): void {
    this.items.shift();
  }

  /** Removes this very event (delivered while a newcomer may have pushed others out). */
  remove(event: JudgeEvent): boolean {
    const index = this.items.indexOf(event);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  toArray(): JudgeEvent[] {
    return [...this.items];
  }
}
