// The index page that shows every figure `earshot figures` wrote: one self-contained HTML file
// beside the SVGs and PNGs (no scripts, no CDN; it opens from disk on an offline box). Pure.

import type { FigureSet } from './paper-figures.js';
import { escapeXml } from './svg-plot.js';

export interface IndexInput {
  /** One line per input file: its name, context and row count. */
  inputs: ReadonlyArray<{ name: string; context: string; rows: number }>;
  set: FigureSet;
  /** Things a reader should know about the inputs, e.g. a file that copies another. */
  notes: readonly string[];
  /** False when PNGs were not written (--no-png). */
  png: boolean;
  version: string;
}

export function figureIndexHtml(input: IndexInput): string {
  const total = input.inputs.reduce((a, i) => a + i.rows, 0);
  const inputRows = input.inputs
    .map((i) => `<tr><td>${escapeXml(i.name)}</td><td>${escapeXml(i.context)}</td><td class="n">${i.rows}</td></tr>`)
    .join('\n');
  const toc = input.set.figures.map((f) => `<li><a href="#${f.id}">${escapeXml(f.title)}</a> <span class="ref">${escapeXml(f.paperRef)}</span></li>`).join('\n');
  const figures = input.set.figures
    .map((f) =>
      [
        `<figure id="${f.id}">`,
        `<img src="${f.id}.svg" alt="${escapeXml(f.title)}" width="760" height="440">`,
        `<figcaption>${escapeXml(f.title)} <span class="ref">(${escapeXml(f.paperRef)})</span>`,
        ` <a href="${f.id}.svg">SVG</a>${input.png ? ` <a href="${f.id}.png">PNG</a>` : ''}</figcaption>`,
        '</figure>',
      ].join(''),
    )
    .join('\n');
  const skipped = input.set.skipped.map((s) => `<li><b>${escapeXml(s.id)}</b>: ${escapeXml(s.reason)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>earshot figures</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 800px; color: #222; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; } .ref { color: #666; font-size: 90%; }
figure { margin: 2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
</style>
</head>
<body>
<h1>The paper's analysis figures, redrawn</h1>
<p>${total} packets from ${input.inputs.length} file${input.inputs.length === 1 ? '' : 's'}. Drawn by earshot ${escapeXml(input.version)}; docs/figures.md says where these differ from the paper's and why.</p>
<table><tr><th>file</th><th>context</th><th>rows</th></tr>
${inputRows}
</table>
<h2>Figures</h2>
<ul>
${toc}
</ul>
${input.notes.length === 0 ? '' : `<h2>Notes on the inputs</h2>\n<ul>\n${input.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('\n')}\n</ul>`}
${skipped === '' ? '' : `<h2>Not drawn</h2>\n<ul>\n${skipped}\n</ul>`}
${figures}
</body>
</html>
`;
}
