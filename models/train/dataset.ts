// Reads labelled packets: the paper's dataset (a folder of context folders of CSVs) and CSVs
// written by `earshot features` (the same columns plus `payload`). Each file is one capture,
// which is the unit an honest evaluation splits on. Files that are byte-for-byte copies of an
// earlier one are marked, because a copy on both sides of a split is a leak.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { PacketRow } from '../../appliance/src/classify/features.js';
import { classFromPaperLabel, type PacketClass } from '../../appliance/src/features/packet-class.js';
import { InputError } from '../../appliance/src/input-error.js';

export interface Capture {
  /** The file's path below the input folder (or its base name), never an absolute path. */
  name: string;
  sha256: string;
  rows: PacketRow[];
  labels: PacketClass[];
  hasPayload: boolean;
  /**
   * The mic state the capture's context implies (the paper's folders: `microphone_mute` means
   * muted, every other context means on), i.e. what a ring sensor would have read. Undefined for
   * earshot's own CSVs, whose `microphone` column already is the sensor's reading.
   */
  contextMic: 0 | 1 | undefined;
  /** Set when this file is a byte-for-byte copy of an earlier capture. */
  duplicateOf?: string;
}

/** Bad training data: the CLI shows the one line (file, line, field) and exits 2. */
export class DatasetError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

const REQUIRED = ['length', 'dstport', 'highest_layer', 'delta', 'ack_flag', 'microphone', 'content_type', 'class'] as const;
const CONTEXT_MIC: Record<string, 0 | 1> = { microphone_mute: 0, music_stream: 1, no_wake_word: 1, normal_conversation: 1 };

/** Every CSV under the inputs (folders are searched recursively), in a stable order. */
export function loadCaptures(inputs: readonly string[]): Capture[] {
  const files: Array<{ path: string; name: string }> = [];
  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      throw new DatasetError(`${input}: no such file or folder`);
    }
    if (isDir) files.push(...csvFilesUnder(input).map((path) => ({ path, name: relative(input, path).split('\\').join('/') })));
    else files.push({ path: input, name: basename(input) });
  }
  if (files.length === 0) throw new DatasetError(`${inputs.join(', ')}: no CSV files found`);
  const seen = new Map<string, string>();
  return files.map(({ path, name }) => {
    const bytes = readFileSync(path);
    const capture = parseCaptureCsv(bytes.toString('utf8'), name, path);
    const first = seen.get(capture.sha256);
    if (first !== undefined) capture.duplicateOf = first;
    else seen.set(capture.sha256, name);
    return capture;
  });
}

function csvFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return csvFilesUnder(path);
      return entry.isFile() && entry.name.endsWith('.csv') ? [path] : [];
    });
}

/** One capture from CSV text; `path` is only used in error messages. Pure apart from hashing. */
export function parseCaptureCsv(text: string, name: string, path = name): Capture {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',');
  const col = new Map(header.map((h, i) => [h.trim(), i] as const));
  const missing = REQUIRED.filter((c) => !col.has(c));
  if (missing.length > 0) throw new DatasetError(`${path}: line 1: missing column(s) ${missing.join(', ')}`);
  const at = (c: string): number => col.get(c)!;
  const payloadAt = col.get('payload');
  const rows: PacketRow[] = [];
  const labels: PacketClass[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const f = lines[i].split(',');
    const num = (c: string, optional = false): number | undefined => {
      const raw = f[at(c)];
      if (optional && (raw === undefined || raw === '')) return undefined;
      const v = Number(raw);
      if (raw === undefined || raw === '' || !Number.isFinite(v)) throw new DatasetError(`${path}: line ${i + 1}: field "${c}" is not a number (${JSON.stringify(raw ?? '')})`);
      return v;
    };
    const label = f[at('class')];
    const cls = classFromPaperLabel(label);
    if (cls === undefined) throw new DatasetError(`${path}: line ${i + 1}: field "class" has the unknown label ${JSON.stringify(label)}`);
    const mic = num('microphone', true);
    rows.push({
      length: num('length')!,
      dstport: num('dstport')!,
      highestLayer: num('highest_layer')!,
      delta: num('delta')!,
      ackFlag: num('ack_flag')!,
      microphone: mic === undefined ? undefined : mic === 0 ? 0 : 1,
      contentType: num('content_type', true),
      payload: payloadAt === undefined ? undefined : num('payload', true),
    });
    labels.push(cls);
  }
  const context = name.includes('/') ? name.split('/')[0] : undefined;
  return {
    name,
    sha256: createHash('sha256').update(text).digest('hex'),
    rows,
    labels,
    hasPayload: payloadAt !== undefined,
    contextMic: payloadAt === undefined && context !== undefined ? CONTEXT_MIC[context] : undefined,
  };
}

/** sha256 over the captures' `sha256  name` lines sorted by name, as `sha256sum` would list them. */
export function datasetHash(captures: readonly Capture[]): string {
  const lines = [...captures].sort((a, b) => (a.name < b.name ? -1 : 1)).map((c) => `${c.sha256}  ${c.name}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}
