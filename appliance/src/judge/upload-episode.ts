// An upload episode: a run of Echo→internet application data with no gap longer than
// EPISODE_GAP_US. It keeps running statistics only (counts, sums, extremes): never payload.

import type { FlowTuple } from './judge-events.js';

/** "No gap longer than a few seconds": a spoken command pauses well under this between records. */
export const EPISODE_GAP_US = 2_500_000;

/**
 * Before an episode is known to be voice-like, any gap longer than speech's cadence starts it
 * afresh: a stray record, or chatter every few hundred ms, must not become the start of the
 * upload that follows, because the start's mic state decides the verdict and the alert's latency
 * is measured from it. On the real captures this kept every result and cut the worst latency
 * from 845 to 505 ms (docs/judge.md).
 */
export const REANCHOR_GAP_US = 100_000;

/** Inter-arrival gaps that carry speech: records every 20-32 ms, or pairs every 30-70 ms. */
export const PACED_GAP_MIN_US = 10_000;
export const PACED_GAP_MAX_US = 100_000;

export class UploadEpisode {
  readonly startUs: number;
  lastUs: number;
  bytes = 0;
  packets = 0;
  /** Packets that followed the previous one after a speech-like gap. */
  pacedPackets = 0;
  pacedBytes = 0;
  firstPacedUs = -1;
  lastPacedUs = -1;
  private gapSumUs = 0;
  private gapSquareSumUs = 0;
  private sizeSum = 0;
  private sizeSquareSum = 0;
  /** Payload bytes the other side sent on the episode's destination meanwhile. */
  downstreamBytes = 0;
  private readonly bytesByFlow = new Map<string, { flow: FlowTuple; bytes: number }>();
  /** Set once the judge has raised an alert for this episode. */
  alertId: string | undefined;

  constructor(
    readonly destination: string,
    timeUs: number,
  ) {
    this.startUs = timeUs;
    this.lastUs = timeUs;
  }

  get durationUs(): number {
    return this.lastUs - this.startUs;
  }

  /** Whether a packet at `timeUs` still belongs to this episode. */
  continuesAt(timeUs: number): boolean {
    return timeUs - this.lastUs <= EPISODE_GAP_US;
  }

  add(timeUs: number, bytes: number, flow: FlowTuple): void {
    if (this.packets > 0) {
      const gap = timeUs - this.lastUs;
      if (gap >= PACED_GAP_MIN_US && gap <= PACED_GAP_MAX_US) {
        this.pacedPackets++;
        this.pacedBytes += bytes;
        this.gapSumUs += gap;
        this.gapSquareSumUs += gap * gap;
        if (this.firstPacedUs < 0) this.firstPacedUs = timeUs;
        this.lastPacedUs = timeUs;
      }
    }
    this.lastUs = timeUs;
    this.packets++;
    this.bytes += bytes;
    this.sizeSum += bytes;
    this.sizeSquareSum += bytes * bytes;
    const key = `${flow.protocol}|${flow.src}|${flow.srcPort}|${flow.dst}|${flow.dstPort}`;
    const entry = this.bytesByFlow.get(key);
    if (entry) entry.bytes += bytes;
    else this.bytesByFlow.set(key, { flow, bytes });
  }

  /** How long the speech-like cadence has been sustained. */
  get pacedSpanUs(): number {
    return this.firstPacedUs < 0 ? 0 : this.lastPacedUs - this.firstPacedUs;
  }

  get meanPacedGapUs(): number {
    return this.pacedPackets === 0 ? 0 : this.gapSumUs / this.pacedPackets;
  }

  /** Coefficient of variation of the paced gaps: low for a steady audio stream. */
  get pacedGapVariation(): number {
    if (this.pacedPackets < 2) return 0;
    const mean = this.meanPacedGapUs;
    const variance = Math.max(0, this.gapSquareSumUs / this.pacedPackets - mean * mean);
    return Math.sqrt(variance) / mean;
  }

  get meanPacketBytes(): number {
    return this.packets === 0 ? 0 : this.sizeSum / this.packets;
  }

  /** Coefficient of variation of the packet sizes ("record-size regularity"). */
  get sizeVariation(): number {
    if (this.packets < 2) return 0;
    const mean = this.meanPacketBytes;
    const variance = Math.max(0, this.sizeSquareSum / this.packets - mean * mean);
    return Math.sqrt(variance) / mean;
  }

  /** The flow that carried most of the episode's bytes. */
  get mainFlow(): FlowTuple {
    let best: { flow: FlowTuple; bytes: number } | undefined;
    for (const entry of this.bytesByFlow.values()) if (!best || entry.bytes > best.bytes) best = entry;
    return best!.flow;
  }
}
