// The columns the figures need, read from one dataset CSV: the paper's files or `earshot
// features` output (the same columns plus `payload`). Pure: the command reads the files.
// Kept apart from the trainer's reader (models/train/dataset.ts) because the figures also need
// `date` and `synchronized`, which training drops, and the service must not load the trainer.

import { classFromPaperLabel, type PacketClass } from '../features/packet-class.js';
import { InputError } from '../input-error.js';

export interface FigureRow {
  /** Seconds since the Unix epoch (UTC), with microseconds. */
  timeS: number;
  /** Captured frame length, as in the paper's CSVs. */
  length: number;
  /** TCP payload length; only in earshot's own CSVs. */
  payload: number | undefined;
  /** 1 on, 0 muted; undefined when the recorder did not know (an empty field in `earshot features` output). */
  microphone: 0 | 1 | undefined;
  ackFlag: number;
  highestLayer: number;
  synchronized: number;
  packetClass: PacketClass;
}

export interface FigureCapture {
  /** The file's path below the input folder, or its base name. */
  name: string;
  /** The context (the paper's folder name), or the file name for a lone file. */
  context: string;
  rows: FigureRow[];
  hasPayload: boolean;
}

export class FigureDatasetError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'FigureDatasetError';
  }
}

export const FIGURE_COLUMNS = ['date', 'length', 'highest_layer', 'ack_flag', 'microphone', 'synchronized', 'class'] as const;

const DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** "2022-01-15 12:57:32.384759" (UTC) to epoch seconds, or undefined when it is not that shape. */
export function parsePaperDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (!Number.isFinite(ms)) return undefined;
  return ms / 1000 + (m[7] ? Number(`0.${m[7]}`) : 0);
}

/** One capture from CSV text; `path` names the file in error messages. */
export function parseFigureCsv(text: string, name: string, context: string, path = name): FigureCapture {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i] as const));
  const missing = FIGURE_COLUMNS.filter((c) => !col.has(c));
  if (missing.length > 0) {
    throw new FigureDatasetError(`${path}: line 1: missing column(s) ${missing.join(', ')} (not a dataset CSV from the paper or \`earshot features\`)`);
  }
  const at = (c: string): number => col.get(c)!;
  const payloadAt = col.get('payload');
  const rows: FigureRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const f = lines[i].split(',');
    const fail = (c: string, why: string): never => {
      throw new FigureDatasetError(`${path}: line ${i + 1}: field "${c}" ${why}`);
    };
    const num = (c: string): number => {
      const raw = f[at(c)];
      const v = Number(raw);
      if (raw === undefined || raw === '' || !Number.isFinite(v)) fail(c, `is not a number (${JSON.stringify(raw ?? '')})`);
      return v;
    };
    const timeS = parsePaperDate(f[at('date')] ?? '');
    if (timeS === undefined) fail('date', `is not a date like 2022-01-15 12:57:32.384759 (${JSON.stringify(f[at('date')] ?? '')})`);
    const label = f[at('class')] ?? '';
    const packetClass = classFromPaperLabel(label);
    if (packetClass === undefined) fail('class', `has the unknown label ${JSON.stringify(label)}`);
    const rawPayload = payloadAt === undefined ? '' : f[payloadAt] ?? '';
    const rawMic = f[at('microphone')] ?? '';
    rows.push({
      timeS: timeS!,
      length: num('length'),
      payload: rawPayload === '' ? undefined : num('payload'),
      microphone: rawMic === '' ? undefined : num('microphone') === 0 ? 0 : 1,
      ackFlag: num('ack_flag'),
      highestLayer: num('highest_layer'),
      synchronized: num('synchronized'),
      packetClass: packetClass!,
    });
  }
  return { name, context, rows, hasPayload: payloadAt !== undefined };
}
