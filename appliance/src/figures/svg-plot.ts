// Chart primitives as SVG text: bar charts (grouped or stacked), histograms, box plots, a bubble
// plot and a time series. Hand-written rather than a chart library: five chart kinds fit in one
// small file, need no DOM, and give byte-identical output run to run. Every drawn count carries
// data-* attributes so tests can check the picture's numbers against the CSV.

const WIDTH = 760;
const HEIGHT = 440;
const M = { left: 78, right: 24, top: 44, bottom: 84 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;
const FONT = 'font-family="DejaVu Sans,Helvetica,Arial,sans-serif"';

/** Colour-blind-safe palette (Okabe-Ito), one colour per series. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The largest value, at least `floor`; a loop, because spreading a long array overflows the stack. */
export function maxOf(values: Iterable<number>, floor: number): number {
  let max = floor;
  for (const v of values) if (v > max) max = v;
  return max;
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** 4-8 round tick values from 0 (or min) to at least max. */
export function niceTicks(min: number, max: number): number[] {
  if (max <= min) max = min + 1;
  const raw = (max - min) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => raw <= s)!;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v < max + step - 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    `<text x="${M.left + PLOT_W / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="18" y="${M.top + PLOT_H / 2}" text-anchor="middle" transform="rotate(-90 18 ${M.top + PLOT_H / 2})">${escapeXml(yLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function yAxis(ticks: number[], y: (v: number) => number): string[] {
  return ticks.flatMap((t) => [
    `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/>`,
    `<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`,
  ]);
}

function xAxisLine(): string {
  return `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${M.top + PLOT_H}" y2="${M.top + PLOT_H}" stroke="#333"/>`;
}

function legend(names: readonly string[], colors: readonly string[]): string[] {
  // A white card, so bands and bars behind the legend do not hide its text.
  const card = `<rect x="${M.left + PLOT_W - 206}" y="${M.top}" width="206" height="${names.length * 18 + 8}" fill="#fff" fill-opacity="0.85"/>`;
  return [card, ...names.flatMap((name, i) => {
    const x = M.left + PLOT_W - 200;
    const y = M.top + 6 + i * 18;
    return [
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${colors[i]}"/>`,
      `<text x="${x + 18}" y="${y + 10}">${escapeXml(name)}</text>`,
    ];
  })];
}

export interface BarSeries {
  name: string;
  values: readonly number[];
}

export interface BarChart {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  stacked?: boolean;
  colors?: readonly string[];
}

export function barChartSvg(chart: BarChart): string {
  const colors = chart.colors ?? PALETTE;
  const n = chart.categories.length;
  const totals = chart.categories.map((_, i) => chart.series.reduce((a, s) => a + s.values[i], 0));
  const max = chart.stacked ? maxOf(totals, 1) : maxOf(chart.series.flatMap((s) => s.values), 1);
  // Headroom above the tallest bar for the legend card (top right) and the value labels.
  const ticks = niceTicks(0, max * (chart.series.length > 1 ? 1.3 : 1.05));
  const top = ticks[ticks.length - 1];
  const y = (v: number): number => M.top + PLOT_H - (v / top) * PLOT_H;
  const slot = PLOT_W / n;
  const groupW = slot * 0.8;
  const barW = chart.stacked ? groupW : groupW / chart.series.length;
  const body = yAxis(ticks, y);
  chart.categories.forEach((cat, i) => {
    const x0 = M.left + i * slot + (slot - groupW) / 2;
    let base = 0;
    chart.series.forEach((s, k) => {
      const v = s.values[i];
      const x = chart.stacked ? x0 : x0 + k * barW;
      const y1 = y(base + v);
      const h = y(base) - y1;
      body.push(
        `<rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[k % colors.length]}" data-category="${escapeXml(cat)}" data-series="${escapeXml(s.name)}" data-count="${v}"/>`,
      );
      if (!chart.stacked && v > 0) body.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y1 - 3).toFixed(1)}" text-anchor="middle" font-size="${chart.series.length > 2 ? 9 : 11}">${v}</text>`);
      if (chart.stacked) base += v;
    });
    if (chart.stacked) body.push(`<text x="${(x0 + groupW / 2).toFixed(1)}" y="${(y(totals[i]) - 3).toFixed(1)}" text-anchor="middle" font-size="11">${totals[i]}</text>`);
    const lx = x0 + groupW / 2;
    const ly = M.top + PLOT_H + 14;
    body.push(`<text x="${lx.toFixed(1)}" y="${ly}" text-anchor="end" transform="rotate(-30 ${lx.toFixed(1)} ${ly})">${escapeXml(cat)}</text>`);
  });
  body.push(xAxisLine());
  if (chart.series.length > 1) body.push(...legend(chart.series.map((s) => s.name), chart.series.map((_, k) => colors[k % colors.length])));
  return frame(chart.title, chart.xLabel, chart.yLabel, body);
}

export interface HistogramChart {
  title: string;
  xLabel: string;
  bins: ReadonlyArray<{ lo: number; hi: number; count: number }>;
  color?: string;
}

export function histogramSvg(chart: HistogramChart): string {
  const bins = chart.bins;
  const maxX = bins.length === 0 ? 1 : bins[bins.length - 1].hi;
  const ticks = niceTicks(0, maxOf(bins.map((b) => b.count), 1));
  const top = ticks[ticks.length - 1];
  const xTicks = niceTicks(0, maxX);
  const xTop = xTicks[xTicks.length - 1];
  const x = (v: number): number => M.left + (v / xTop) * PLOT_W;
  const y = (v: number): number => M.top + PLOT_H - (v / top) * PLOT_H;
  const body = yAxis(ticks, y);
  for (const b of bins) {
    if (b.count === 0) continue;
    body.push(
      `<rect x="${x(b.lo).toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${Math.max(0.8, x(b.hi) - x(b.lo) - 0.5).toFixed(1)}" height="${(y(0) - y(b.count)).toFixed(1)}" fill="${chart.color ?? PALETTE[0]}" data-lo="${b.lo}" data-hi="${b.hi}" data-count="${b.count}"/>`,
    );
  }
  for (const t of xTicks) body.push(`<text x="${x(t).toFixed(1)}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${fmt(t)}</text>`);
  body.push(xAxisLine());
  const total = bins.reduce((a, b) => a + b.count, 0);
  body.push(`<text x="${M.left + PLOT_W - 4}" y="${M.top + 14}" text-anchor="end" data-total="${total}">n = ${total}</text>`);
  return frame(chart.title, chart.xLabel, 'packets', body);
}

export interface BoxGroup {
  label: string;
  stats: { count: number; min: number; q1: number; median: number; q3: number; max: number } | undefined;
}

export function boxPlotSvg(title: string, yLabel: string, groups: readonly BoxGroup[]): string {
  const ticks = niceTicks(0, maxOf(groups.map((g) => g.stats?.max ?? 0), 1));
  const top = ticks[ticks.length - 1];
  const y = (v: number): number => M.top + PLOT_H - (v / top) * PLOT_H;
  const slot = PLOT_W / groups.length;
  const body = yAxis(ticks, y);
  groups.forEach((g, i) => {
    const cx = M.left + i * slot + slot / 2;
    const w = slot * 0.5;
    const ly = M.top + PLOT_H + 14;
    body.push(`<text x="${cx.toFixed(1)}" y="${ly}" text-anchor="end" transform="rotate(-30 ${cx.toFixed(1)} ${ly})">${escapeXml(g.label)}</text>`);
    const s = g.stats;
    if (!s) return;
    const c = PALETTE[i % PALETTE.length];
    body.push(
      `<g data-category="${escapeXml(g.label)}" data-count="${s.count}" data-median="${s.median}" data-min="${s.min}" data-max="${s.max}">`,
      `<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${y(s.max).toFixed(1)}" y2="${y(s.min).toFixed(1)}" stroke="#333"/>`,
      `<rect x="${(cx - w / 2).toFixed(1)}" y="${y(s.q3).toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(1, y(s.q1) - y(s.q3)).toFixed(1)}" fill="${c}" fill-opacity="0.6" stroke="#333"/>`,
      `<line x1="${(cx - w / 2).toFixed(1)}" x2="${(cx + w / 2).toFixed(1)}" y1="${y(s.median).toFixed(1)}" y2="${y(s.median).toFixed(1)}" stroke="#000" stroke-width="2"/>`,
      `<text x="${cx.toFixed(1)}" y="${(y(s.max) - 4).toFixed(1)}" text-anchor="middle" font-size="10">n=${s.count}</text>`,
      '</g>',
    );
  });
  body.push(xAxisLine());
  return frame(title, 'class (box: quartiles, line: median, whiskers: min to max)', yLabel, body);
}

export interface Bubble {
  x: number;
  y: number;
  count: number;
}

/** Distinct points with a count each: the area of a dot grows with its count. */
export function bubblePlotSvg(title: string, xLabel: string, yLabel: string, points: readonly Bubble[]): string {
  const xTicks = niceTicks(0, maxOf(points.map((p) => p.x), 1));
  const yTicks = niceTicks(0, maxOf(points.map((p) => p.y), 1));
  const xTop = xTicks[xTicks.length - 1];
  const yTop = yTicks[yTicks.length - 1];
  const x = (v: number): number => M.left + (v / xTop) * PLOT_W;
  const y = (v: number): number => M.top + PLOT_H - (v / yTop) * PLOT_H;
  const maxCount = maxOf(points.map((p) => p.count), 1);
  const body = yAxis(yTicks, y);
  for (const t of xTicks) body.push(`<text x="${x(t).toFixed(1)}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${fmt(t)}</text>`);
  for (const p of points) {
    const r = 1.5 + 8 * Math.sqrt(p.count / maxCount);
    body.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="${r.toFixed(1)}" fill="${PALETTE[0]}" fill-opacity="0.5" data-x="${p.x}" data-y="${p.y}" data-count="${p.count}"/>`);
  }
  body.push(xAxisLine());
  return frame(title, xLabel, yLabel, body);
}

export interface TimeSeriesChart {
  title: string;
  /** One x per point, in seconds from the start. */
  t: readonly number[];
  lines: ReadonlyArray<{ name: string; values: readonly number[] }>;
  /** Spans drawn as bands behind the lines, e.g. where the mic was off. */
  bands: ReadonlyArray<{ from: number; to: number; name: string; color: string }>;
  yLabel: string;
}

export function timeSeriesSvg(chart: TimeSeriesChart): string {
  const end = maxOf(chart.t, 1) + 1;
  const xTicks = niceTicks(0, end);
  const yTicks = niceTicks(0, maxOf(chart.lines.flatMap((l) => l.values), 1));
  const xTop = xTicks[xTicks.length - 1];
  const yTop = yTicks[yTicks.length - 1];
  const x = (v: number): number => M.left + (v / xTop) * PLOT_W;
  const y = (v: number): number => M.top + PLOT_H - (v / yTop) * PLOT_H;
  const body: string[] = [];
  for (const b of chart.bands) {
    body.push(`<rect x="${x(b.from).toFixed(1)}" y="${M.top}" width="${Math.max(0.5, x(b.to) - x(b.from)).toFixed(1)}" height="${PLOT_H}" fill="${b.color}" fill-opacity="0.25" data-band="${escapeXml(b.name)}" data-from="${b.from}" data-to="${b.to}"/>`);
  }
  body.push(...yAxis(yTicks, y));
  for (const t of xTicks) body.push(`<text x="${x(t).toFixed(1)}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${fmt(t)}</text>`);
  chart.lines.forEach((line, k) => {
    const pts = line.values.map((v, i) => `${x(chart.t[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const sum = line.values.reduce((a, b) => a + b, 0);
    body.push(`<polyline points="${pts}" fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="1.2" data-series="${escapeXml(line.name)}" data-sum="${sum}"/>`);
  });
  body.push(xAxisLine());
  const names = [...chart.lines.map((l) => l.name), ...new Set(chart.bands.map((b) => b.name))];
  const colors = [...chart.lines.map((_, k) => PALETTE[k % PALETTE.length]), ...[...new Map(chart.bands.map((b) => [b.name, b.color])).values()]];
  body.push(...legend(names, colors));
  return frame(chart.title, 'seconds since the capture\'s first packet', chart.yLabel, body);
}
