// `earshot figures DATASET.csv|DIR... -o DIR`: the paper's analysis figures (Figs. 5-14) and our
// additions, as SVG and PNG, from the paper's CSVs or any recorded with `earshot features`/`record`,
// plus an index.html that shows them all.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFigureCsv } from '../figures/figure-dataset.js';
import { figureIndexHtml } from '../figures/figure-index.js';
import { buildFigures } from '../figures/paper-figures.js';
import { EARSHOT_VERSION } from '../version.js';
import type { CliIo } from './cli-io.js';
import { EXIT_OK, UsageError } from './cli-io.js';
import { describeFsError } from './inputs.js';

export const FIGURES_USAGE = 'figures DATASET.csv|DIR... -o OUT_DIR [--no-png]';

export async function figuresCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, 'no-png': { type: 'boolean' } },
  });
  if (positionals.length === 0) throw new UsageError(`expected at least one DATASET.csv or folder; usage: earshot ${FIGURES_USAGE}`);
  if (values.output === undefined) throw new UsageError(`-o OUT_DIR is required; usage: earshot ${FIGURES_USAGE}`);
  const outDir = values.output;

  const texts = datasetFiles(positionals).map((file) => ({ ...file, text: readDataset(file.path) }));
  const captures = texts.map(({ path, name, context, text }) => parseFigureCsv(text, name, context, path));
  const notes = duplicateNotes(texts);
  if (captures.every((c) => c.rows.length === 0)) throw new UsageError(`${positionals.join(' ')}: no data rows, only headers`);
  const set = buildFigures(captures);
  const renderPng = !values['no-png'] ? await pngRenderer(io) : undefined;

  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new UsageError(`${outDir}: cannot create the output folder: ${describeFsError(error)}`);
  }
  const write = (file: string, data: string | Buffer): void => {
    try {
      writeFileSync(join(outDir, file), data);
    } catch (error) {
      throw new UsageError(`${join(outDir, file)}: cannot write: ${describeFsError(error)}`);
    }
  };
  for (const figure of set.figures) {
    write(`${figure.id}.svg`, figure.svg);
    if (renderPng) write(`${figure.id}.png`, renderPng(figure.svg));
  }
  const inputs = captures.map((c) => ({ name: c.name, context: c.context, rows: c.rows.length }));
  write('index.html', figureIndexHtml({ inputs, set, notes, png: renderPng !== undefined, version: EARSHOT_VERSION }));

  const rows = inputs.reduce((a, i) => a + i.rows, 0);
  io.stderr(`earshot figures: ${set.figures.length} figures from ${rows} rows in ${captures.length} file${captures.length === 1 ? '' : 's'} written to ${join(outDir, 'index.html')}\n`);
  for (const s of set.skipped) io.stderr(`earshot figures: not drawn: ${s.id}: ${s.reason}\n`);
  for (const note of notes) io.stderr(`earshot figures: note: ${note}\n`);
  return EXIT_OK;
}

/** Byte-for-byte copies among the inputs (the paper's no_wake_word/05.csv is one): counted, and said. */
function duplicateNotes(files: ReadonlyArray<{ name: string; text: string }>): string[] {
  const first = new Map<string, string>();
  const notes: string[] = [];
  for (const f of files) {
    const digest = createHash('sha256').update(f.text).digest('hex');
    const original = first.get(digest);
    if (original === undefined) first.set(digest, f.name);
    else notes.push(`${f.name} is a byte-for-byte copy of ${original}; both are counted, as the paper counted them`);
  }
  return notes;
}

interface DatasetFile {
  path: string;
  /** How the figures and the index name the file. */
  name: string;
  /** The folder the file sits in: the paper's context (microphone_mute, music_stream, ...). */
  context: string;
}

/** Files as given, and every *.csv below a folder given (sorted, so the figures are the same on every run). */
export function datasetFiles(inputs: readonly string[]): DatasetFile[] {
  const files: DatasetFile[] = [];
  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch (error) {
      throw new UsageError(`${input}: cannot read dataset: ${describeFsError(error)}`);
    }
    if (!isDir) {
      files.push({ path: input, name: `${contextOf(input)}/${basename(input)}`, context: contextOf(input) });
      continue;
    }
    const below = csvFilesUnder(input);
    if (below.length === 0) throw new UsageError(`${input}: no *.csv files in this folder`);
    for (const path of below) {
      const name = relative(input, path).split('\\').join('/');
      files.push({ path, name: name.includes('/') ? name : `${contextOf(path)}/${name}`, context: contextOf(path) });
    }
  }
  return files;
}

const contextOf = (path: string): string => basename(dirname(resolve(path)));

function csvFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...csvFilesUnder(path));
    else if (entry.name.endsWith('.csv')) out.push(path);
  }
  return out;
}

function readDataset(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read dataset: ${describeFsError(error)}`);
  }
}

/**
 * SVG to PNG with resvg (Rust, shipped as a prebuilt npm package per platform, so `npm ci`
 * installs it with no compiler and no download outside npm). It is a dev dependency: figures are
 * drawn on a workstation, and the Pi's image (npm ci --omit=dev) should not carry a renderer. Where
 * it is absent, the SVGs are still written.
 */
async function pngRenderer(io: CliIo): Promise<((svg: string) => Buffer) | undefined> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch {
    io.stderr('earshot figures: SVG only: @resvg/resvg-js, which renders the PNGs, is not installed (run `npm ci` with dev dependencies)\n');
    return undefined;
  }
  return (svg) =>
    new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 1.5 }, background: '#ffffff' })
      .render()
      .asPng();
}
