// The dataset CSV: the paper's columns in the paper's order, then `payload`. Times are UTC.

import { paperLabel } from './packet-class.js';
import type { PaperFeatures } from './paper-features.js';

export const DATASET_COLUMNS = [
  'date',
  'length',
  'dstip',
  'dstport',
  'highest_layer',
  'delta',
  'ack_flag',
  'microphone',
  'content_type',
  'synchronized',
  'class',
  'payload',
] as const;

export const DATASET_HEADER = DATASET_COLUMNS.join(',');

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** "2022-01-15 12:57:32.384759", the paper's date format, in UTC. */
export function paperDate(timeUs: number): string {
  const d = new Date(Math.floor(timeUs / 1000));
  const micros = String(Math.floor(timeUs) % 1_000_000).padStart(6, '0');
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${micros}`;
}

/** The paper's files say every capture was made with the Echo associated to an account. */
const SYNCHRONIZED = 1;

export function datasetRow(f: PaperFeatures): string {
  return [
    paperDate(f.timeUs),
    f.length,
    f.dstip,
    f.dstport,
    f.highestLayer,
    f.delta,
    f.ackFlag,
    f.microphone ?? '',
    f.contentType ?? '',
    SYNCHRONIZED,
    paperLabel(f.packetClass),
    f.payload,
  ].join(',');
}
