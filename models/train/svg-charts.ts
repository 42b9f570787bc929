// The report's charts as SVG text: a confusion matrix (cells shaded by the share of the true
// class, counts written in) and a horizontal bar chart. No chart library: two small pictures do
// not need one, and the output is deterministic, so a regenerated report diffs cleanly.

const FONT = 'font-family="Helvetica,Arial,sans-serif"';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function confusionSvg(title: string, labels: readonly string[], confusion: readonly number[][]): string {
  const cell = 46;
  const left = 110;
  const top = 60;
  const size = labels.length * cell;
  const width = left + size + 20;
  const height = top + size + 100;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${left + size / 2}" y="${top + size + 90}" text-anchor="middle">predicted class</text>`,
    `<text x="14" y="${top + size / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + size / 2})">true class</text>`,
  ];
  confusion.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0);
    parts.push(`<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(labels[r])}</text>`);
    row.forEach((count, c) => {
      const share = total === 0 ? 0 : count / total;
      // Blue for the diagonal, red for mistakes: the eye should find errors first.
      const hue = r === c ? '33,102,172' : '178,24,43';
      const x = left + c * cell;
      const y = top + r * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgba(${hue},${share.toFixed(3)})" stroke="#ccc"/>`);
      if (count > 0) parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? '#fff' : '#000'}">${count}</text>`);
    });
  });
  labels.forEach((label, c) => {
    const x = left + c * cell + cell / 2;
    const y = top + size + 8;
    parts.push(`<text x="${x}" y="${y}" text-anchor="end" transform="rotate(-45 ${x} ${y})">${escapeXml(label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export interface Bar {
  label: string;
  value: number;
}

export function barChartSvg(title: string, bars: readonly Bar[], valueLabel: string): string {
  const rowHeight = 24;
  const left = 120;
  const barWidth = 320;
  const top = 40;
  const width = left + barWidth + 80;
  const height = top + bars.length * rowHeight + 40;
  const max = Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const w = (Math.max(0, bar.value) / max) * barWidth;
    parts.push(`<text x="${left - 6}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="#2166ac"/>`);
    parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + 15}">${bar.value.toFixed(3)}</text>`);
  });
  parts.push(`<text x="${left + barWidth / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(valueLabel)}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
