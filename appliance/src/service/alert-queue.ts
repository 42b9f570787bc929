// Alerts wait here while the broker is away, and leave in order once it is back.
// Bound and overflow policy (docs/service.md): at most `limit` events; when full, the oldest event
// that is not a critical alert is dropped (a critical alert only when nothing else is left), and
// every drop is counted so Home Assistant can show it later.

import type { JudgeEvent } from '../judge/judge-events.js';

export class AlertQueue {
  private readonly items: JudgeEvent[] = [];
  overflow = 0;

  constructor(readonly limit: number) {}

  get length(): number {
    return this.items.length;
  }

  push(event: JudgeEvent): void {
    if (this.items.length >= this.limit) {
      const victim = this.items.findIndex((e) => !(e.type === 'alert' && e.severity === 'critical'));
      this.items.splice(victim >= 0 ? victim : 0, 1);
      this.overflow++;
    }
    this.items.push(event);
  }

  peek(): JudgeEvent | undefined {
    return this.items[0];
  }

  /** Removes the head after it was delivered. */
  shift(): void {
    this.items.shift();
  }

  toArray(): JudgeEvent[] {
    return [...this.items];
  }
}
