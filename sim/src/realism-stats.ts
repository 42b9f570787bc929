// How close simulated traffic is to the real thing, from dataset rows (the paper's CSVs and
// `earshot features` output share the columns): per-class frame lengths and inter-arrival times,
// Kolmogorov-Smirnov distances between them, and the shapes the tests hold to bounds.

export interface DatasetRow {
  timeUs: number;
  length: number;
  dstip: string;
  dstport: number;
  cls: string;
  /** TCP payload length, when the CSV has earshot's `payload` column. */
  payload?: number;
}

/** Rows of a dataset CSV (header `date,length,dstip,dstport,...,class`); dates are UTC. */
export function parseDatasetCsv(text: string): DatasetRow[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',');
  const at = (name: string): number => header.indexOf(name);
  const [date, length, dstip, dstport, cls, payload] = ['date', 'length', 'dstip', 'dstport', 'class', 'payload'].map(at);
  if ([date, length, dstip, dstport, cls].some((i) => i < 0)) throw new Error(`not a dataset CSV: header is "${lines[0].slice(0, 80)}"`);
  const rows: DatasetRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cells = lines[i].split(',');
    const text = cells[date];
    const fraction = text.slice(20).padEnd(6, '0');
    const ms = Date.parse(`${text.slice(0, 10)}T${text.slice(11, 19)}Z`);
    const row: DatasetRow = { timeUs: ms * 1000 + Number(fraction), length: Number(cells[length]), dstip: cells[dstip], dstport: Number(cells[dstport]), cls: cells[cls] };
    if (payload >= 0) row.payload = Number(cells[payload]);
    rows.push(row);
  }
  return rows;
}

export interface ClassSample {
  lengths: number[];
  /**
   * Whole milliseconds since the previous row of the same class to the same destination. Whole,
   * because the paper's capture stamped bursts of packets with one time (its `delta` is in ms too):
   * finer gaps would measure the capture clock, not the Echo.
   */
  gapsMs: number[];
}

/** Per-class samples of one capture's rows (gaps never span two captures: call once per file). */
export function classSamples(rows: readonly DatasetRow[], into = new Map<string, ClassSample>()): Map<string, ClassSample> {
  const last = new Map<string, number>();
  for (const row of rows) {
    let sample = into.get(row.cls);
    if (!sample) into.set(row.cls, (sample = { lengths: [], gapsMs: [] }));
    sample.lengths.push(row.length);
    const key = `${row.cls}|${row.dstip}|${row.dstport}`;
    const previous = last.get(key);
    if (previous !== undefined) sample.gapsMs.push(Math.floor((row.timeUs - previous) / 1000));
    last.set(key, row.timeUs);
  }
  return into;
}

/** The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical CDFs. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return NaN;
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** Quantiles by linear interpolation between order statistics. */
export function quantiles(values: readonly number[], ps: readonly number[]): number[] {
  if (values.length === 0) return ps.map(() => NaN);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  });
}

export const median = (values: readonly number[]): number => quantiles(values, [0.5])[0];

/** Gaps (ms) between consecutive rows that `select` picks, per destination, no longer than `maxGapMs`. */
export function gapsMs(rows: readonly DatasetRow[], select: (row: DatasetRow) => boolean, maxGapMs = Infinity): number[] {
  const last = new Map<string, number>();
  const out: number[] = [];
  for (const row of rows) {
    if (!select(row)) continue;
    const key = `${row.dstip}|${row.dstport}`;
    const previous = last.get(key);
    if (previous !== undefined && (row.timeUs - previous) / 1000 <= maxGapMs) out.push((row.timeUs - previous) / 1000);
    last.set(key, row.timeUs);
  }
  return out;
}

export interface Shapes {
  /** The 41-byte-record heartbeat (100-byte frames): median period in seconds and frame length. */
  avsHeartbeatPeriodS: number;
  avsHeartbeatFrame: number;
  /** The 28-byte-record heartbeat (99-byte frames). */
  metricsHeartbeatPeriodS: number;
  /** 11-byte DATA to port 4070. */
  spotifySyncPeriodS: number;
  /** Median gap between Opus voice records (172-byte frames labelled expected) inside uploads. */
  voiceCadenceMs: number;
  voiceCadenceP10Ms: number;
  voiceCadenceP90Ms: number;
  /** Share of the Echo's rows that are bare ACKs while music streams. */
  streamingAckShare: number;
}

/** The shapes from rows of one or more captures (`files` keeps gaps inside each capture). */
export function shapesOf(files: readonly DatasetRow[][], streamingFiles: readonly DatasetRow[][]): Shapes {
  const collect = (select: (r: DatasetRow) => boolean, maxGapMs: number): number[] => files.flatMap((rows) => gapsMs(rows, select, maxGapMs));
  const avs = collect((r) => r.cls === 'syn' && r.length === 100 && r.dstport === 443, 120_000);
  const metrics = collect((r) => r.cls === 'syn' && r.length === 99 && r.dstport === 443, 300_000);
  const spotify = collect((r) => r.cls === 'syn' && r.length === 77 && r.dstport === 4070, 120_000);
  const voice = collect((r) => r.cls === 'expected' && r.length === 172, 200);
  const [p10, p50, p90] = quantiles(voice, [0.1, 0.5, 0.9]);
  const streamingRows = streamingFiles.flat();
  const acks = streamingRows.filter((r) => r.cls === 'ack').length;
  const frames = files.flatMap((rows) => rows.filter((r) => r.cls === 'syn' && r.dstport === 443 && (r.length === 100 || r.length === 99)).map((r) => r.length));
  return {
    avsHeartbeatPeriodS: median(avs) / 1000,
    avsHeartbeatFrame: mode(frames),
    metricsHeartbeatPeriodS: median(metrics) / 1000,
    spotifySyncPeriodS: median(spotify) / 1000,
    voiceCadenceMs: p50,
    voiceCadenceP10Ms: p10,
    voiceCadenceP90Ms: p90,
    streamingAckShare: streamingRows.length > 0 ? acks / streamingRows.length : NaN,
  };
}

function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = NaN;
  let bestCount = 0;
  for (const [v, n] of counts) if (n > bestCount) [best, bestCount] = [v, n];
  return best;
}

export interface ClassComparison {
  cls: string;
  simulated: number;
  reference: number;
  lengthKs: number;
  gapKs: number;
  lengthMedian: [number, number];
  gapMedianMs: [number, number];
}

/** Per-class distances between a simulated and a reference set of samples. */
export function compareClasses(simulated: Map<string, ClassSample>, reference: Map<string, ClassSample>, classes: readonly string[]): ClassComparison[] {
  return classes.map((cls) => {
    const s = simulated.get(cls) ?? { lengths: [], gapsMs: [] };
    const r = reference.get(cls) ?? { lengths: [], gapsMs: [] };
    return {
      cls,
      simulated: s.lengths.length,
      reference: r.lengths.length,
      lengthKs: ksStatistic(s.lengths, r.lengths),
      gapKs: ksStatistic(s.gapsMs, r.gapsMs),
      lengthMedian: [median(s.lengths), median(r.lengths)],
      gapMedianMs: [median(s.gapsMs), median(r.gapsMs)],
    };
  });
}

/** Merges the three app-data classes, for captures without a mic timeline (the real Echo captures). */
export function withAppDataMerged(samples: Map<string, ClassSample>): Map<string, ClassSample> {
  const out = new Map<string, ClassSample>();
  for (const [cls, sample] of samples) {
    const key = cls === 'expected' || cls === 'justified' || cls === 'not_justified' ? 'app_data' : cls;
    const into = out.get(key) ?? { lengths: [], gapsMs: [] };
    for (const length of sample.lengths) into.lengths.push(length);
    for (const gap of sample.gapsMs) into.gapsMs.push(gap);
    out.set(key, into);
  }
  return out;
}
