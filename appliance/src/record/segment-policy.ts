// When the recorder starts a new segment (a CSV and its pcap) and which old segments it deletes
// to stay inside its disk budget. Pure: sizes and times in, decisions out.

export interface RecordLimits {
  /** All segments in the folder together, current one included. */
  maxTotalBytes: number;
  /** A segment closes when its CSV + pcap reach this size... */
  segmentBytes: number;
  /** ...or when it is this old. */
  segmentMs: number;
}

export interface SegmentOnDisk {
  /** The stem shared by the pair, e.g. "earshot-20261206T192700Z". */
  stem: string;
  bytes: number;
}

const STEM = /^earshot-(\d{8}T\d{6}(?:\d{3})?Z)(?:-\d+)?$/;

export const isSegmentStem = (stem: string): boolean => STEM.test(stem);

/** "earshot-20261206T192700123Z": sorts by time as text, and says when it began (UTC, ms). */
export function segmentStem(startMs: number): string {
  const iso = new Date(startMs).toISOString(); // 2026-12-06T19:27:00.123Z
  return `earshot-${iso.slice(0, 19).replaceAll('-', '').replaceAll(':', '')}${iso.slice(20, 23)}Z`;
}

export function shouldRotate(current: { bytes: number; startedMs: number }, nowMs: number, limits: RecordLimits): boolean {
  return current.bytes >= limits.segmentBytes || nowMs - current.startedMs >= limits.segmentMs;
}

/**
 * The oldest closed segments to delete so the folder fits the budget. The current segment is
 * never deleted (it is last in `segments`, which is oldest first); rotation keeps it small.
 */
export function segmentsToDelete(segments: readonly SegmentOnDisk[], maxTotalBytes: number): string[] {
  let total = segments.reduce((a, s) => a + s.bytes, 0);
  const doomed: string[] = [];
  for (const s of segments.slice(0, -1)) {
    if (total <= maxTotalBytes) break;
    doomed.push(s.stem);
    total -= s.bytes;
  }
  return doomed;
}
