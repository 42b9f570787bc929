// The numbers behind the paper's analysis figures (its section 5.5), computed from dataset rows.
// Pure: no I/O. Every function counts what it is given; none drops or deduplicates rows, so the
// counts can be set beside the paper's (which counted a duplicated file twice, see docs/figures.md).

import { PACKET_CLASSES, type PacketClass } from '../features/packet-class.js';
import type { FigureCapture, FigureRow } from './figure-dataset.js';

export type ClassCounts = Record<PacketClass, number>;

export const emptyClassCounts = (): ClassCounts =>
  Object.fromEntries(PACKET_CLASSES.map((c) => [c, 0])) as ClassCounts;

export function classCounts(rows: Iterable<FigureRow>): ClassCounts {
  const counts = emptyClassCounts();
  for (const r of rows) counts[r.packetClass]++;
  return counts;
}

/** Contexts in first-seen order, each with its class counts. */
export function classCountsByContext(captures: readonly FigureCapture[]): Map<string, ClassCounts> {
  const out = new Map<string, ClassCounts>();
  for (const c of captures) {
    const counts = out.get(c.context) ?? emptyClassCounts();
    for (const r of c.rows) counts[r.packetClass]++;
    out.set(c.context, counts);
  }
  return out;
}

/**
 * The paper keeps 5% of the ack packets, chosen at random (Fig. 6). Here the 1st, 21st, 41st...
 * ack is kept instead, so the figure is the same on every run; the count matches the paper's
 * (ceil(acks / 20): 48252 -> 2413).
 */
export function keepEveryNthAck(rows: readonly FigureRow[], n = 20): FigureRow[] {
  let ackIndex = 0;
  return rows.filter((r) => r.packetClass !== 'ack' || ackIndex++ % n === 0);
}

export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/** Fixed-width bins from 0 up to the bin that holds the largest value; [lo, hi). */
export function histogram(values: readonly number[], binWidth: number): Bin[] {
  if (values.length === 0) return [];
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  const bins: Bin[] = [];
  const n = Math.floor(max / binWidth) + 1;
  for (let i = 0; i < n; i++) bins.push({ lo: i * binWidth, hi: (i + 1) * binWidth, count: 0 });
  for (const v of values) bins[Math.floor(Math.max(0, v) / binWidth)].count++;
  return bins;
}

export interface BoxStats {
  count: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** Quartiles by linear interpolation between order statistics (numpy's default, as pandas plots). */
export function boxStats(values: readonly number[]): BoxStats | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => {
    const at = p * (s.length - 1);
    const lo = Math.floor(at);
    const hi = Math.ceil(at);
    return s[lo] + (s[hi] - s[lo]) * (at - lo);
  };
  return { count: s.length, min: s[0], q1: q(0.25), median: q(0.5), q3: q(0.75), max: s[s.length - 1] };
}

export interface MicCounts {
  on: number;
  off: number;
  unknown: number;
}

/** Per class: how many rows were recorded with the mic on, with it off, and with no mic state. */
export function micByClass(rows: Iterable<FigureRow>): Record<PacketClass, MicCounts> {
  const out = Object.fromEntries(PACKET_CLASSES.map((c) => [c, { on: 0, off: 0, unknown: 0 }])) as Record<PacketClass, MicCounts>;
  for (const r of rows) out[r.packetClass][r.microphone === 1 ? 'on' : r.microphone === 0 ? 'off' : 'unknown']++;
  return out;
}

/** Counts of one field's values, in ascending order of value. */
export function valueCounts(rows: Iterable<FigureRow>, field: (r: FigureRow) => number): Array<{ value: number; count: number }> {
  const counts = new Map<number, number>();
  for (const r of rows) {
    const v = field(r);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count }));
}

export interface LengthPair {
  frame: number;
  payload: number;
  count: number;
}

/** Distinct (frame length, payload length) pairs with how often each occurs; rows without payload are skipped. */
export function framePayloadPairs(rows: Iterable<FigureRow>): LengthPair[] {
  const counts = new Map<string, LengthPair>();
  for (const r of rows) {
    if (r.payload === undefined) continue;
    const key = `${r.length},${r.payload}`;
    const pair = counts.get(key);
    if (pair) pair.count++;
    else counts.set(key, { frame: r.length, payload: r.payload, count: 1 });
  }
  return [...counts.values()].sort((a, b) => a.frame - b.frame || a.payload - b.payload);
}

export interface SecondBin {
  /** Seconds since the capture's first packet. */
  t: number;
  bytes: number;
  /** Bytes of the application-data classes (expected, justified, not_justified). */
  appBytes: number;
  packets: number;
}

/** Upstream bytes per second over one capture; seconds with no packets are present with zeros. */
export function bytesPerSecond(rows: readonly FigureRow[], binS = 1): SecondBin[] {
  if (rows.length === 0) return [];
  let start = Infinity;
  let end = -Infinity;
  for (const r of rows) {
    start = Math.min(start, r.timeS);
    end = Math.max(end, r.timeS);
  }
  const n = Math.floor((end - start) / binS) + 1;
  const bins: SecondBin[] = Array.from({ length: n }, (_, i) => ({ t: i * binS, bytes: 0, appBytes: 0, packets: 0 }));
  for (const r of rows) {
    const b = bins[Math.floor((r.timeS - start) / binS)];
    b.bytes += r.length;
    b.packets++;
    if (r.packetClass === 'expected' || r.packetClass === 'justified' || r.packetClass === 'not_justified') b.appBytes += r.length;
  }
  return bins;
}

export interface Span {
  /** Seconds since the capture's first packet. */
  from: number;
  to: number;
}

/**
 * Where the mic was off, in seconds since the capture's first packet. A row's mic state holds
 * until the next row (as a mic timeline's does), so a muted capture is one band, not one sliver
 * per packet. Rows need not be sorted.
 */
export function micOffSpans(rows: readonly FigureRow[]): Span[] {
  const sorted = [...rows].sort((a, b) => a.timeS - b.timeS);
  if (sorted.length === 0) return [];
  const start = sorted[0].timeS;
  const spans: Span[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].microphone !== 0) continue;
    const from = sorted[i].timeS - start;
    const to = (i + 1 < sorted.length ? sorted[i + 1].timeS : sorted[i].timeS) - start;
    const last = spans[spans.length - 1];
    if (last && last.to === from) last.to = to;
    else spans.push({ from, to });
  }
  return spans.filter((s) => s.to > s.from);
}
