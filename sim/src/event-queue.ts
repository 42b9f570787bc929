// The simulator's clock: a binary heap of timed callbacks. Every frame is built by the event that
// sends it, at its own time, so TCP state (sequence numbers, ACKs, timestamps) always reflects
// exactly the frames before it, however many connections interleave.

interface ScheduledEvent {
  timeUs: number;
  order: number;
  run: () => void;
}

export class EventQueue {
  private readonly heap: ScheduledEvent[] = [];
  private order = 0;
  /** The time of the event being run (capture-clock microseconds). */
  nowUs: number;

  constructor(startUs: number) {
    this.nowUs = startUs;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` at `timeUs`; a time in the past runs at the current time, after what is queued for it. */
  at(timeUs: number, run: () => void): void {
    const event = { timeUs: Math.max(Math.round(timeUs), this.nowUs), order: this.order++, run };
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = event;
  }

  after(delayUs: number, run: () => void): void {
    this.at(this.nowUs + delayUs, run);
  }

  /** Runs events in time order (ties in the order they were scheduled) until none is left before `untilUs`. */
  runUntil(untilUs = Infinity): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0].timeUs <= untilUs) {
      const event = this.pop();
      this.nowUs = event.timeUs;
      event.run();
    }
  }

  private pop(): ScheduledEvent {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && before(heap[right], heap[left]) ? right : left;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

const before = (a: ScheduledEvent, b: ScheduledEvent): boolean => a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.order < b.order);
