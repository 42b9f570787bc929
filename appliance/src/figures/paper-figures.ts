// The paper's analysis figures (Figs. 5-14) plus class mix per context, frame vs payload length
// and bytes per second per capture, as SVG text. Pure: dataset rows in, figures out.

import { PACKET_CLASSES, paperLabel, type PacketClass } from '../features/packet-class.js';
import type { FigureCapture, FigureRow } from './figure-dataset.js';
import {
  boxStats,
  bytesPerSecond,
  classCounts,
  classCountsByContext,
  framePayloadPairs,
  histogram,
  keepEveryNthAck,
  micByClass,
  micOffSpans,
  valueCounts,
} from './figure-stats.js';
import { barChartSvg, boxPlotSvg, bubblePlotSvg, histogramSvg, timeSeriesSvg } from './svg-plot.js';

export interface Figure {
  /** File name without extension, e.g. "fig05-class-distribution". */
  id: string;
  title: string;
  /** Which of the paper's figures this redraws, or what it adds. */
  paperRef: string;
  svg: string;
}

export interface FigureSet {
  figures: Figure[];
  /** Figures that could not be drawn from these inputs, with the reason. */
  skipped: Array<{ id: string; reason: string }>;
}

const LENGTH_BIN = 20;
/** Bands behind the time series: the ring's muted red, as on the box's status page. */
const MUTED_COLOR = '#c0392b';
const HIGHEST_LAYER_NAMES: Record<number, string> = { 0: 'SSL/TLS', 1: 'TCP', 2: 'DATA', 3: 'HTTP' };

/** The time series keep at most this many points, so a day-long recording still draws quickly. */
const MAX_TIME_POINTS = 1500;
const TIME_BINS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** The smallest round bin width that keeps a capture of this length under MAX_TIME_POINTS points. */
export function timeBinFor(durationS: number): number {
  return TIME_BINS_S.find((b) => durationS / b < MAX_TIME_POINTS) ?? Math.ceil(durationS / MAX_TIME_POINTS);
}

const labels = PACKET_CLASSES.map(paperLabel);
const counted = (counts: Record<PacketClass, number>): number[] => PACKET_CLASSES.map((c) => counts[c]);

export function buildFigures(captures: readonly FigureCapture[]): FigureSet {
  const rows: FigureRow[] = captures.flatMap((c) => c.rows);
  const figures: Figure[] = [];
  const skipped: FigureSet['skipped'] = [];
  const total = rows.length;

  figures.push({
    id: 'fig05-class-distribution',
    title: 'Distribution of target classes',
    paperRef: 'Fig. 5',
    svg: barChartSvg({ title: `Distribution of target classes (${total} packets)`, xLabel: 'class', yLabel: 'packets', categories: labels, series: [{ name: 'packets', values: counted(classCounts(rows)) }] }),
  });

  const thinned = keepEveryNthAck(rows);
  figures.push({
    id: 'fig06-class-distribution-5pct-ack',
    title: 'Distribution of target classes, 5% of ack packets kept',
    paperRef: 'Fig. 6 (every 20th ack kept, not a random 5%)',
    svg: barChartSvg({ title: `Classes with every 20th ack kept (${thinned.length} packets)`, xLabel: 'class', yLabel: 'packets', categories: labels, series: [{ name: 'packets', values: counted(classCounts(thinned)) }] }),
  });

  const byContext = classCountsByContext(captures);
  figures.push({
    id: 'class-mix-per-context',
    title: 'Class mix per context',
    paperRef: 'section 5.2 (the paper gives the per-context totals only as text)',
    // Shares, not counts: music streaming's 38k acks would flatten every other context's bars.
    svg: barChartSvg({
      title: 'Class mix per context (% of the context\'s packets)',
      xLabel: 'class',
      yLabel: '% of the context\'s packets',
      categories: labels,
      series: [...byContext].map(([context, counts]) => {
        const n = Math.max(1, PACKET_CLASSES.reduce((acc, c) => acc + counts[c], 0));
        return { name: `${context} (${n})`, values: counted(counts).map((v) => Math.round((1000 * v) / n) / 10) };
      }),
    }),
  });

  figures.push({
    id: 'fig07-length-by-class',
    title: 'Distribution of length in correlation with target classes',
    paperRef: 'Fig. 7 (as the paper, after thinning the acks)',
    svg: boxPlotSvg(`Frame length by class (${thinned.length} packets, every 20th ack)`, 'frame length (bytes)', PACKET_CLASSES.map((c) => ({ label: paperLabel(c), stats: boxStats(thinned.filter((r) => r.packetClass === c).map((r) => r.length)) }))),
  });

  const histograms: Array<[string, PacketClass, string]> = [
    ['fig08-length-justified', 'justified', 'Fig. 8'],
    ['fig09-length-not-justified', 'not_justified', 'Fig. 9'],
    ['fig10-length-expected', 'expected', 'Fig. 10'],
  ];
  histograms.forEach(([id, cls, ref], k) => {
    const lengths = rows.filter((r) => r.packetClass === cls).map((r) => r.length);
    figures.push({
      id,
      title: `Distribution of length of ${cls} packets`,
      paperRef: ref,
      svg: histogramSvg({ title: `Frame length of ${cls} packets (${LENGTH_BIN}-byte bins)`, xLabel: 'frame length (bytes)', bins: histogram(lengths, LENGTH_BIN), color: ['#009E73', '#D55E00', '#0072B2'][k] }),
    });
  });

  const mic = micByClass(rows);
  const micClasses: PacketClass[] = ['justified', 'not_justified', 'expected'];
  figures.push({
    id: 'fig11-mic-by-class',
    title: 'Justified, not justified and expected packets with the microphone on and off',
    paperRef: 'Fig. 11 (the paper draws justified and not_justified; expected added)',
    svg: barChartSvg({
      title: 'Application-data packets by microphone state',
      xLabel: 'class',
      yLabel: 'packets',
      categories: micClasses.map(paperLabel),
      series: [
        { name: 'microphone on', values: micClasses.map((c) => mic[c].on) },
        { name: 'microphone off', values: micClasses.map((c) => mic[c].off) },
        // Only a recording without a mic sensor has these; the paper's files always say 0 or 1.
        ...(micClasses.some((c) => mic[c].unknown > 0) ? [{ name: 'microphone unknown', values: micClasses.map((c) => mic[c].unknown) }] : []),
      ],
      colors: ['#0072B2', MUTED_COLOR, '#999999'],
    }),
  });

  // The paper draws Figs. 12-14 after thinning the acks: its "Synchronized: 16791" is 62630 - 48252 + 2413.
  const sync = valueCounts(thinned, (r) => r.synchronized);
  figures.push({
    id: 'fig12-synchronized',
    title: 'Distribution of synchronized packets',
    paperRef: 'Fig. 12 (a bar chart, not a pie; after thinning the acks)',
    svg: barChartSvg({ title: `synchronized (${thinned.length} packets, every 20th ack)`, xLabel: 'synchronized', yLabel: 'packets', categories: sync.map((v) => (v.value === 1 ? 'synchronized (1)' : `not synchronized (${v.value})`)), series: [{ name: 'packets', values: sync.map((v) => v.count) }] }),
  });

  const ack = valueCounts(thinned, (r) => r.ackFlag);
  figures.push({
    id: 'fig13-ack-flag',
    title: 'Distribution of ack flag',
    paperRef: 'Fig. 13 (after thinning the acks)',
    svg: barChartSvg({ title: `ack_flag (${thinned.length} packets, every 20th ack)`, xLabel: 'ack_flag', yLabel: 'packets', categories: ack.map((v) => `ack_flag = ${v.value}`), series: [{ name: 'packets', values: ack.map((v) => v.count) }] }),
  });

  const layers = valueCounts(thinned, (r) => r.highestLayer);
  figures.push({
    id: 'fig14-highest-layer',
    title: 'Distribution of highest layer',
    paperRef: 'Fig. 14 (after thinning the acks)',
    svg: barChartSvg({ title: `highest_layer (${thinned.length} packets, every 20th ack)`, xLabel: 'highest_layer', yLabel: 'packets', categories: layers.map((v) => `${v.value} ${HIGHEST_LAYER_NAMES[v.value] ?? '?'}`), series: [{ name: 'packets', values: layers.map((v) => v.count) }] }),
  });

  const pairs = framePayloadPairs(rows);
  if (pairs.length === 0) {
    skipped.push({ id: 'frame-vs-payload', reason: 'no input has a payload column (the paper\'s CSVs record frame length only; `earshot features` and `earshot record` write payload)' });
  } else {
    figures.push({
      id: 'frame-vs-payload',
      title: 'Frame length vs TCP payload length',
      paperRef: 'not in the paper (its `length` is the frame length; see docs/design.md)',
      svg: bubblePlotSvg(`Frame vs payload length (${pairs.reduce((a, p) => a + p.count, 0)} packets)`, 'frame length (bytes)', 'TCP payload (bytes)', pairs.map((p) => ({ x: p.frame, y: p.payload, count: p.count }))),
    });
  }

  for (const capture of captures) {
    if (capture.rows.length === 0) {
      skipped.push({ id: `timeseries of ${capture.name}`, reason: 'the file has a header but no rows' });
      continue;
    }
    const first = capture.rows.reduce((a, r) => Math.min(a, r.timeS), Infinity);
    const last = capture.rows.reduce((a, r) => Math.max(a, r.timeS), -Infinity);
    const binS = timeBinFor(last - first);
    const bins = bytesPerSecond(capture.rows, binS);
    const bands = micOffSpans(capture.rows).map((s) => ({ ...s, name: 'microphone off', color: MUTED_COLOR }));
    figures.push({
      id: `timeseries-${capture.name.replace(/\.csv$/, '').replace(/[^A-Za-z0-9_-]+/g, '-')}`,
      title: `Upstream bytes per second: ${capture.name}`,
      paperRef: 'not in the paper (its captures as time series)',
      svg: timeSeriesSvg({
        title: `${capture.name}: bytes per second (${capture.rows.length} packets)`,
        t: bins.map((b) => b.t),
        lines: [
          { name: 'all packets', values: bins.map((b) => b.bytes / binS) },
          { name: 'application data', values: bins.map((b) => b.appBytes / binS) },
        ],
        bands,
        yLabel: `bytes per second (frame lengths${binS > 1 ? `, ${binS} s mean` : ''})`,
      }),
    });
  }
  return { figures, skipped };
}
