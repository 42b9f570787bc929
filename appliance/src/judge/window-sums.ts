// Byte counts over time that cost O(1) per packet and allocate nothing after construction: the
// judge updates them for every upstream packet of the Echo, at line rate.

/**
 * Bytes in the last `buckets × bucketUs` (to within one bucket): a ring of bucket sums. The
 * window ends at the latest time added, so it slides with the traffic.
 */
export class SlidingSum {
  private readonly sums: Float64Array;
  private headBucket = -1;
  private total = 0;

  constructor(
    private readonly bucketUs: number,
    buckets: number,
  ) {
    this.sums = new Float64Array(buckets);
  }

  /** Adds `bytes` at `timeUs` (never earlier than the previous call) and returns the window's sum. */
  add(timeUs: number, bytes: number): number {
    this.advance(Math.floor(timeUs / this.bucketUs));
    this.sums[this.headBucket % this.sums.length] += bytes;
    this.total += bytes;
    return this.total;
  }

  private advance(bucket: number): void {
    if (bucket <= this.headBucket) return;
    const size = this.sums.length;
    if (this.headBucket < 0 || bucket - this.headBucket >= size) {
      this.sums.fill(0);
      this.total = 0;
    } else {
      for (let b = this.headBucket + 1; b <= bucket; b++) {
        this.total -= this.sums[b % size];
        this.sums[b % size] = 0;
      }
    }
    this.headBucket = bucket;
  }

  reset(): void {
    this.headBucket = -1;
    this.total = 0;
    this.sums.fill(0);
  }
}

/**
 * Consecutive fixed time slots (multiples of `slotUs` on the capture clock), each carrying at
 * least `minBytesPerSlot`, with traffic spread over at least three quarters of the slots' span:
 * a short burst that straddles a slot boundary fills two slots but is not sustained.
 */
export class SlotRun {
  private slot = -1;
  private slotBytes = 0;
  private slotFirstUs = 0;
  private lastFullSlot = -2;
  private runFirstUs = 0;
  private readonly minSpanUs: number;
  /** Slots in a row that reached the minimum, ending at the latest full slot. */
  run = 0;

  constructor(
    readonly slotUs: number,
    private readonly slotsNeeded: number,
  ) {
    this.minSpanUs = 0.75 * (slotsNeeded - 1) * slotUs;
  }

  /** Adds `bytes` at `timeUs`; true once `slotsNeeded` slots in a row have each reached `minBytesPerSlot`. */
  add(timeUs: number, bytes: number, minBytesPerSlot: number): boolean {
    const slot = Math.floor(timeUs / this.slotUs);
    if (slot !== this.slot) {
      this.slot = slot;
      this.slotBytes = 0;
      this.slotFirstUs = timeUs;
    }
    const wasFull = this.slotBytes >= minBytesPerSlot;
    this.slotBytes += bytes;
    if (!wasFull && this.slotBytes >= minBytesPerSlot) {
      if (this.lastFullSlot === slot - 1) this.run++;
      else {
        this.run = 1;
        this.runFirstUs = this.slotFirstUs;
      }
      this.lastFullSlot = slot;
    }
    return this.lastFullSlot === slot && this.run >= this.slotsNeeded && timeUs - this.runFirstUs >= this.minSpanUs;
  }
}
