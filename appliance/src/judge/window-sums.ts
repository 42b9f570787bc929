// Byte counts over time that cost O(1) per packet and allocate nothing after construction: the
// judge updates them for every upstream packet of the Echo, at line rate.

/**
 * Bytes in the last `buckets × bucketUs` (to within one bucket): a ring of bucket sums. The
 * window ends at the latest time added, so it slides with the traffic.
 */
export class SlidingSum {
  private readonly sums: Float64Array;
  /** When each bucket's first bytes came. */
  private readonly firsts: Float64Array;
  private headBucket = -1;
  private total = 0;

  constructor(
    private readonly bucketUs: number,
    buckets: number,
  ) {
    this.sums = new Float64Array(buckets);
    this.firsts = new Float64Array(buckets);
  }

  /** Adds `bytes` at `timeUs` (never earlier than the previous call) and returns the window's sum. */
  add(timeUs: number, bytes: number): number {
    this.advance(Math.floor(timeUs / this.bucketUs));
    const index = this.headBucket % this.sums.length;
    if (this.sums[index] === 0) this.firsts[index] = timeUs;
    this.sums[index] += bytes;
    this.total += bytes;
    return this.total;
  }

  /** When the oldest bytes still in the window came (the window's first packet). */
  firstTimeUs(): number {
    const size = this.sums.length;
    for (let b = this.headBucket - size + 1; b <= this.headBucket; b++) {
      if (b >= 0 && this.sums[b % size] > 0) return this.firsts[b % size];
    }
    return 0;
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
 * The latest `slots` fixed time slots (multiples of `slotUs` on the capture clock): sustained
 * when every one of them carries traffic, at least `fullNeeded` carry `minBytesPerSlot`,
 * together they carry `slots × minBytesPerSlot`, and their traffic spans all but the last slot.
 * The span keeps a short burst that straddles a slot boundary from counting, and no slot may be
 * empty, so a telemetry burst and a stray record a second apart are not a stream; allowing a
 * slot to come short lets a stream that Wi-Fi or a busy sender delivers in lumps still count.
 */
export class SlotRun {
  private readonly sums: Float64Array;
  private readonly firsts: Float64Array;
  private headSlot = -1;
  private readonly minSpanUs: number;
  /** The latest slots' first packet and their bytes, as of the last call. */
  firstUs = 0;
  totalBytes = 0;

  constructor(
    readonly slotUs: number,
    private readonly slots: number,
    private readonly fullNeeded = slots,
    spanShare = 1,
    /** Each busy slot must carry this share of the busiest one (0: any). */
    private readonly evenShare = 0,
  ) {
    this.sums = new Float64Array(slots);
    this.firsts = new Float64Array(slots);
    this.minSpanUs = (slots - 1) * slotUs * spanShare;
  }

  /** How long a run of this scale lasts. */
  get spanUs(): number {
    return this.slots * this.slotUs;
  }

  /** Adds `bytes` at `timeUs`; true while the latest slots are sustained at `minBytesPerSlot`. */
  add(timeUs: number, bytes: number, minBytesPerSlot: number): boolean {
    const size = this.slots;
    const slot = Math.floor(timeUs / this.slotUs);
    if (slot > this.headSlot) {
      const from = this.headSlot < 0 || slot - this.headSlot > size ? slot - size + 1 : this.headSlot + 1;
      for (let s = from; s <= slot; s++) this.sums[s % size] = 0;
      this.headSlot = slot;
    }
    const index = this.headSlot % size;
    if (this.sums[index] === 0) this.firsts[index] = timeUs;
    this.sums[index] += bytes;
    let full = 0;
    let busy = 0;
    let total = 0;
    let firstUs = timeUs;
    let smallest = Infinity;
    let largest = 0;
    for (let s = this.headSlot - size + 1; s <= this.headSlot; s++) {
      if (s < 0) continue;
      const sum = this.sums[s % size];
      if (sum === 0) continue;
      busy++;
      total += sum;
      if (sum >= minBytesPerSlot) full++;
      if (sum < smallest) smallest = sum;
      if (sum > largest) largest = sum;
      if (this.firsts[s % size] < firstUs) firstUs = this.firsts[s % size];
    }
    this.firstUs = firstUs;
    this.totalBytes = total;
    const even = smallest >= largest * this.evenShare;
    return busy === size && full >= this.fullNeeded && even && total >= size * minBytesPerSlot && timeUs - firstUs >= this.minSpanUs;
  }
}
