// The forest's inputs: one registry of named features, so training (from CSV rows) and the device
// (from the pipeline's PaperFeatures) compute the same vector, and a model file can name what it needs.

import type { HighestLayerCode } from '../features/paper-features.js';

/**
 * What a row of the dataset and a live packet have in common. `PaperFeatures` satisfies it, and so
 * does a parsed CSV row: the paper's files have no `payload`, earshot's do.
 */
export interface PacketRow {
  /** Frame length on the wire (the paper's `length` column is the frame, not the payload). */
  length: number;
  dstport: number;
  highestLayer: HighestLayerCode | number;
  delta: number;
  ackFlag: 0 | 1 | number;
  /** 1 on, 0 muted, undefined when no sensor says. */
  microphone: 0 | 1 | number | undefined;
  contentType: number | undefined;
  payload: number | undefined;
}

interface FeatureDefinition {
  readonly about: string;
  readonly value: (row: PacketRow) => number;
}

/**
 * Ethernet (14) + IPv4 (20) + TCP with the timestamp option (32): a bare ACK in the paper's files
 * is 66 bytes. Only an estimate: SYNs, RSTs and SACK blocks carry other option lengths.
 */
export const ESTIMATED_HEADER_BYTES = 66;
export const estimatePayload = (frameLength: number): number => Math.max(0, frameLength - ESTIMATED_HEADER_BYTES);

export const FEATURES = {
  length: { about: 'frame length in bytes', value: (r) => r.length },
  dstport: { about: 'TCP destination port', value: (r) => r.dstport },
  highest_layer: { about: '0 TLS, 1 TCP, 2 DATA, 3 HTTP', value: (r) => r.highestLayer },
  delta: { about: 'ms since the previous packet of the stream', value: (r) => r.delta },
  ack_flag: { about: 'TCP ACK flag', value: (r) => r.ackFlag },
  // An unknown mic counts as on: the labelling rules do the same ("justified", the paper's default),
  // so a box without a sensor sees the inputs its training rows had for "mic on".
  microphone: { about: 'mic state from the ring: 1 on, 0 muted', value: (r) => r.microphone ?? 1 },
  // The paper replaced the missing content type of non-TLS rows by 0.
  content_type: { about: 'TLS record type, 0 when not TLS', value: (r) => r.contentType ?? 0 },
  payload: { about: 'TCP payload bytes (estimated from length on the paper data)', value: (r) => r.payload ?? estimatePayload(r.length) },
  // HOOK (episode features): the judge's upload-episode features (bytes so far, cadence, time since
  // listening) are added here once the judge exports them per packet. Add their names to
  // FEATURE_SETS too; models that name them are refused by older builds, which is intended.
} as const satisfies Record<string, FeatureDefinition>;

export type FeatureName = keyof typeof FEATURES;

export const isFeatureName = (name: string): name is FeatureName => Object.hasOwn(FEATURES, name);

/** The paper's columns after it dropped `date`, `dstip` and the constant `synchronized`. */
const PAPER: readonly FeatureName[] = ['length', 'dstport', 'highest_layer', 'delta', 'ack_flag', 'microphone', 'content_type'];

export const FEATURE_SETS = {
  /** What a sniffer alone sees: the paper's features without the mic. */
  traffic: PAPER.filter((f) => f !== 'microphone'),
  paper: PAPER,
  'paper+payload': [...PAPER, 'payload'],
} as const satisfies Record<string, readonly FeatureName[]>;

export type FeatureSetName = keyof typeof FEATURE_SETS;

export const isFeatureSetName = (name: string): name is FeatureSetName => Object.hasOwn(FEATURE_SETS, name);

/** A reusable extractor: fills one vector per packet without allocating. */
export class FeatureVector {
  readonly values: Float64Array;
  private readonly extractors: ReadonlyArray<(row: PacketRow) => number>;

  constructor(readonly names: readonly FeatureName[]) {
    this.values = new Float64Array(names.length);
    this.extractors = names.map((n) => FEATURES[n].value);
  }

  fill(row: PacketRow): Float64Array {
    for (let i = 0; i < this.extractors.length; i++) this.values[i] = this.extractors[i](row);
    return this.values;
  }

  /** A fresh array, for building training matrices. */
  of(row: PacketRow): number[] {
    return this.extractors.map((f) => f(row));
  }
}
