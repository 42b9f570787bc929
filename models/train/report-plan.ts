// What REPORT.md compares: the paper's protocol and the honest one, the dataset's defects one at
// a time, and the feature sets. Each variant is data options plus a protocol; the report command
// turns the capture variants into one job per held-out capture.

import { FEATURE_SETS } from '../../appliance/src/classify/features.js';
import type { DataOptions } from './protocols.js';

export interface Variant {
  key: string;
  title: string;
  protocol: 'paper' | 'capture';
  data: DataOptions;
}

const PAPER = FEATURE_SETS.paper;

export const VARIANTS: readonly Variant[] = [
  { key: 'paper-raw', title: "paper's protocol, all 13 files", protocol: 'paper', data: { features: PAPER, mic: 'recorded', dropDuplicates: false } },
  { key: 'paper-dedup', title: "paper's protocol, copied file dropped", protocol: 'paper', data: { features: PAPER, mic: 'recorded', dropDuplicates: true } },
  { key: 'capture-raw', title: 'leave one capture out, all 13 files', protocol: 'capture', data: { features: PAPER, mic: 'recorded', dropDuplicates: false } },
  { key: 'capture-paper', title: "leave one capture out, paper's features", protocol: 'capture', data: { features: PAPER, mic: 'recorded', dropDuplicates: true } },
  { key: 'capture-traffic', title: 'traffic only (no mic)', protocol: 'capture', data: { features: FEATURE_SETS.traffic, mic: 'recorded', dropDuplicates: true } },
  { key: 'capture-payload', title: "paper's + payload", protocol: 'capture', data: { features: FEATURE_SETS['paper+payload'], mic: 'recorded', dropDuplicates: true } },
  { key: 'capture-ring', title: "paper's with the ring's mic state", protocol: 'capture', data: { features: PAPER, mic: 'context', dropDuplicates: true } },
  { key: 'capture-ours', title: "paper's + ours (ring state, payload)", protocol: 'capture', data: { features: FEATURE_SETS['paper+payload'], mic: 'context', dropDuplicates: true } },
];

/** The variant whose recipe `earshot train` ships (the defaults of its options). */
export const SHIPPED_VARIANT = 'capture-ring';

export interface Job {
  variant: string;
  /** The held-out capture for the honest protocol; -1 for the paper's single split. */
  fold: number;
}
