// A clock with timers that only move when the test says so. advance() runs due callbacks in time
// order and lets promise chains started by each one settle (one macrotask turn) before the next,
// so async drivers above it behave as they would on real time, without sleeping.

import type { Clock, TimerHandle, Timers } from '../clock.js';

interface Scheduled {
  id: number;
  atMs: number;
  callback: () => void;
}

export class FakeClock implements Clock, Timers {
  private nowMs: number;
  private nextId = 1;
  private queue: Scheduled[] = [];

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.queue.push({ id, atMs: this.nowMs + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.queue.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.nowMs + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    await settle();
    for (;;) {
      const due = this.queue.filter((t) => t.atMs <= targetMs).sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (!due) break;
      this.queue = this.queue.filter((t) => t !== due);
      this.nowMs = Math.max(this.nowMs, due.atMs);
      due.callback();
      await settle();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
  }
}

/** Lets pending promise callbacks run: one turn of the real event loop, not a sleep. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
