// The realism report of docs/simulator.md: the simulator's rows against the paper's dataset and
// the real Echo captures, as tables, plus the small summary the tests use when ../shared is absent.
// Pure: rows in, markdown and numbers out.

import { classSamples, compareClasses, gapsMs, median, quantiles, shapesOf, withAppDataMerged, type ClassComparison, type DatasetRow, type Shapes } from './realism-stats.js';

/** The paper's class counts (its section 5.5.1; 62,630 rows including the duplicated file). */
export const PAPER_CLASS_COUNTS: Record<string, number> = {
  ack: 48_252,
  expected: 4_813,
  syn: 2_888,
  handshake: 1_751,
  retransmit: 1_457,
  not_justified: 1_361,
  justified: 1_316,
  not_relevant: 792,
};
export const CLASSES = Object.keys(PAPER_CLASS_COUNTS);

/** The bounds the tests hold the simulator to (docs/simulator.md explains each). */
export const SHAPE_BOUNDS: Record<keyof Shapes, [number, number]> = {
  avsHeartbeatPeriodS: [29.5, 30.5],
  avsHeartbeatFrame: [100, 100],
  metricsHeartbeatPeriodS: [90, 92],
  spotifySyncPeriodS: [30.3, 31.3],
  voiceCadenceMs: [15, 30],
  voiceCadenceP10Ms: [2, 15],
  voiceCadenceP90Ms: [25, 45],
  streamingAckShare: [0.85, 0.99],
};
export const CLASS_MIX_FACTOR = 2;

export interface NamedRows {
  name: string;
  rows: DatasetRow[];
}

export interface RealismInputs {
  simulated: { command: string; hours: number; frames: number; rows: DatasetRow[]; streamingRows: DatasetRow[]; conversationRows: DatasetRow[]; voiceUploadBytes: number[] };
  paper: NamedRows[];
  pcaps: NamedRows[];
}

export interface UploadShapes {
  syncPeriodS: number;
  /** p10, p50, p90 of the gap between app-data records inside an upload. */
  recordGapMs: number[];
  /** p10, p50, p90 of the size of a voice upload. */
  uploadKb: number[];
}

export interface ReferenceSummary {
  about: string;
  paper: { files: number; rows: number; classShares: Record<string, number>; shapes: Shapes; classes: Record<string, { lengthP10P50P90: number[]; gapMsP10P50P90: number[] }> };
  echoPcaps: { files: number; rows: number; uploads: UploadShapes };
}

const P = [0.1, 0.5, 0.9];
const round = (x: number, digits = 3): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** Real captures have no mic timeline: their app data is one class; uploads are runs of it with gaps under 2 s. */
export function uploadShapes(files: readonly DatasetRow[][], voiceUploadBytes?: number[]): UploadShapes {
  const sync = files.flatMap((rows) => gapsMs(rows, (r) => r.payload === 11, 120_000));
  const recordGaps: number[] = [];
  const uploads: number[] = [];
  for (const rows of files) {
    const appData = rows.filter((r) => (r.cls === 'justified' || r.cls === 'expected' || r.cls === 'not_justified') && r.dstport === 443);
    let bytes = 0;
    let previous: DatasetRow | undefined;
    for (const row of appData) {
      if (previous && row.timeUs - previous.timeUs > 2_000_000) {
        uploads.push(bytes);
        bytes = 0;
      } else if (previous && row.timeUs - previous.timeUs <= 200_000) recordGaps.push((row.timeUs - previous.timeUs) / 1000);
      bytes += row.payload ?? 0;
      previous = row;
    }
    if (bytes > 0) uploads.push(bytes);
  }
  const voice = voiceUploadBytes ?? uploads.filter((b) => b >= 20_000);
  return { syncPeriodS: round(median(sync) / 1000), recordGapMs: quantiles(recordGaps, P).map((x) => round(x, 1)), uploadKb: quantiles(voice, P).map((b) => round(b / 1000, 1)) };
}

export function referenceSummary(paper: NamedRows[], pcaps: NamedRows[]): ReferenceSummary {
  const paperRows = paper.flatMap((f) => f.rows);
  const counts = countClasses(paperRows);
  const samples = new Map();
  for (const f of paper) classSamples(f.rows, samples);
  const classes: ReferenceSummary['paper']['classes'] = {};
  for (const cls of CLASSES) {
    const s = samples.get(cls) ?? { lengths: [], gapsMs: [] };
    classes[cls] = { lengthP10P50P90: quantiles(s.lengths, P).map((x) => round(x, 1)), gapMsP10P50P90: quantiles(s.gapsMs, P).map((x) => round(x, 1)) };
  }
  const shapes = shapesOf(
    paper.map((f) => f.rows),
    paper.filter((f) => f.name.startsWith('music_stream')).map((f) => f.rows),
  );
  return {
    about:
      'Summary numbers computed by `earshot-sim simulate --report` from ../shared/data: the paper dataset (without no_wake_word/05.csv, a byte-for-byte copy of microphone_mute/03.csv) and the real Echo captures in echo-pcaps, read with `earshot features --device 10.63.7.79`. The data itself is not in the repository; tests use these numbers when it is absent.',
    paper: {
      files: paper.length,
      rows: paperRows.length,
      classShares: Object.fromEntries(CLASSES.map((c) => [c, round((counts[c] ?? 0) / paperRows.length, 5)])),
      shapes: Object.fromEntries(Object.entries(shapes).map(([k, v]) => [k, round(v)])) as unknown as Shapes,
      classes,
    },
    echoPcaps: { files: pcaps.length, rows: pcaps.reduce((n, f) => n + f.rows.length, 0), uploads: uploadShapes(pcaps.map((f) => f.rows)) },
  };
}

function countClasses(rows: readonly DatasetRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.cls] = (counts[row.cls] ?? 0) + 1;
  return counts;
}

const fmt = (n: number): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : '–');
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const table = (header: string[], rows: string[][]): string[] => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];

function comparisonRows(comparisons: ClassComparison[]): string[][] {
  return comparisons.map((c) => [
    `\`${c.cls}\``,
    `${fmt(c.simulated)} / ${fmt(c.reference)}`,
    `${fmt(c.lengthMedian[0])} / ${fmt(c.lengthMedian[1])}`,
    fmt(round(c.lengthKs, 3)),
    `${fmt(c.gapMedianMs[0])} / ${fmt(c.gapMedianMs[1])}`,
    fmt(round(c.gapKs, 3)),
  ]);
}

export function realismMarkdown(inputs: RealismInputs, reference: ReferenceSummary): string {
  const sim = inputs.simulated;
  const simCounts = countClasses(sim.rows);
  const paperTotal = Object.values(PAPER_CLASS_COUNTS).reduce((a, b) => a + b, 0);
  const lines: string[] = [];
  lines.push(`Simulated: \`${sim.command}\`: ${fmt(round(sim.hours, 1))} h, ${fmt(sim.frames)} frames, ${fmt(sim.rows.length)} rows for packets the Echo sent (\`earshot features\`).`);
  lines.push(`Reference: the paper's dataset (${reference.paper.files} files, ${fmt(reference.paper.rows)} rows; \`no_wake_word/05.csv\` is left out as a copy of \`microphone_mute/03.csv\`) and the real Echo captures (${reference.echoPcaps.files} files, ${fmt(reference.echoPcaps.rows)} rows, recorded in 2018).`);
  lines.push('', '### Class mix', '', `\`earshot features\` on the simulated run against the paper's counts (section 5.5.1). The test holds every ratio within a factor of ${CLASS_MIX_FACTOR}.`, '');
  lines.push(
    ...table(
      ['class', 'simulated', 'share', 'paper', 'share', 'ratio'],
      CLASSES.map((c) => {
        const s = (simCounts[c] ?? 0) / sim.rows.length;
        const p = PAPER_CLASS_COUNTS[c] / paperTotal;
        return [`\`${c}\``, fmt(simCounts[c] ?? 0), pct(s), fmt(PAPER_CLASS_COUNTS[c]), pct(p), (s / p).toFixed(2)];
      }),
    ),
  );
  const simSamples = classSamples(sim.rows);
  const paperSamples = new Map();
  for (const f of inputs.paper) classSamples(f.rows, paperSamples);
  lines.push('', '### Per-class distributions against the paper', '');
  lines.push('KS is the two-sample Kolmogorov–Smirnov distance (0: the same distribution, 1: disjoint). Frame length is the captured frame, as the paper\'s `length`. Inter-arrival is whole milliseconds since the previous row of the same class to the same destination (ip:port).', '');
  lines.push(...table(['class', 'rows sim / paper', 'length median sim / paper', 'KS length', 'inter-arrival median ms sim / paper', 'KS inter-arrival'], comparisonRows(compareClasses(simSamples, paperSamples, CLASSES))));
  const simShapes = shapesOf([sim.rows], [sim.streamingRows]);
  const pcapUploads = reference.echoPcaps.uploads;
  const simUploads = uploadShapes([sim.conversationRows], sim.voiceUploadBytes);
  lines.push('', '### Shapes the tests hold to bounds', '');
  const shapeRow = (label: string, key: keyof Shapes, real: string): string[] => [label, fmt(round(simShapes[key])), fmt(round(reference.paper.shapes[key])), real, `${SHAPE_BOUNDS[key][0]}–${SHAPE_BOUNDS[key][1]}`];
  lines.push(
    ...table(
      ['shape', 'simulated', 'paper', 'real captures', 'test bound'],
      [
        shapeRow('heartbeat (41-byte record) period, s', 'avsHeartbeatPeriodS', '–'),
        shapeRow('heartbeat frame length, bytes', 'avsHeartbeatFrame', '–'),
        shapeRow('heartbeat (28-byte record) period, s', 'metricsHeartbeatPeriodS', '–'),
        shapeRow('Spotify sync (11 bytes, port 4070) period, s', 'spotifySyncPeriodS', fmt(pcapUploads.syncPeriodS)),
        shapeRow('voice record gap, median ms', 'voiceCadenceMs', fmt(pcapUploads.recordGapMs[1])),
        shapeRow('voice record gap, 10th percentile ms', 'voiceCadenceP10Ms', fmt(pcapUploads.recordGapMs[0])),
        shapeRow('voice record gap, 90th percentile ms', 'voiceCadenceP90Ms', fmt(pcapUploads.recordGapMs[2])),
        shapeRow('share of ACKs among the Echo\'s rows while streaming', 'streamingAckShare', '–'),
      ],
    ),
  );
  lines.push('', '### Against the real Echo captures', '');
  lines.push('These captures have no mic timeline, so their app data is one class (`app_data`); the simulated side is the `conversation` part of the run.', '');
  const pcapSamples = new Map();
  for (const f of inputs.pcaps) classSamples(f.rows, pcapSamples);
  const pcapClasses = ['ack', 'app_data', 'handshake', 'syn', 'retransmit', 'not_relevant'];
  lines.push(...table(['class', 'rows sim / real', 'length median sim / real', 'KS length', 'inter-arrival median ms sim / real', 'KS inter-arrival'], comparisonRows(compareClasses(withAppDataMerged(classSamples(sim.conversationRows)), withAppDataMerged(pcapSamples), pcapClasses))));
  lines.push('');
  lines.push(
    ...table(
      ['voice upload', 'simulated (requests)', 'real captures'],
      [
        ['size, KB (10th / 50th / 90th percentile)', simUploads.uploadKb.map(fmt).join(' / '), pcapUploads.uploadKb.map(fmt).join(' / ')],
        ['record gap inside an upload, ms (10th / 50th / 90th)', simUploads.recordGapMs.map(fmt).join(' / '), pcapUploads.recordGapMs.map(fmt).join(' / ')],
      ],
    ),
  );
  return lines.join('\n') + '\n';
}

export const REPORT_BEGIN = '<!-- realism report: begin (generated by `earshot-sim simulate --report`; edit outside these markers) -->';
export const REPORT_END = '<!-- realism report: end -->';

/** Puts the generated section between the markers of `doc`, or appends it when they are absent. */
export function spliceReport(doc: string, section: string): string {
  const block = `${REPORT_BEGIN}\n${section}${REPORT_END}`;
  const begin = doc.indexOf(REPORT_BEGIN);
  const end = doc.indexOf(REPORT_END);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + block + doc.slice(end + REPORT_END.length);
  return `${doc.trimEnd()}\n\n## Realism report\n\n${block}\n`;
}

export { median };
