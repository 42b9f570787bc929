// A small synthetic dataset in the paper's layout (context folders of CSVs) for `earshot figures`
// tests. The generator keeps the rows it wrote, so tests compute what the figures must show from
// those rows, not from the code under test.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FixtureRow {
  timeS: number;
  length: number;
  microphone: 0 | 1;
  ackFlag: 0 | 1;
  highestLayer: number;
  label: string;
}

export interface FixtureFile {
  /** e.g. "microphone_mute/01.csv" */
  name: string;
  rows: FixtureRow[];
}

const HEADER = 'date,length,dstip,dstport,highest_layer,delta,ack_flag,microphone,content_type,synchronized,class';
const T0 = Date.UTC(2022, 0, 15, 12, 0, 0) / 1000;

/** A deterministic pseudo-random generator (mulberry32), so the fixture is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function capture(seed: number, startS: number, seconds: number, mic: 0 | 1, appLabel: string): FixtureRow[] {
  const next = random(seed);
  const rows: FixtureRow[] = [];
  for (let s = 0; s < seconds; s++) {
    const t = startS + s;
    rows.push({ timeS: t + 0.1, length: 66, microphone: mic, ackFlag: 1, highestLayer: 1, label: 'ack' });
    if (s % 30 === 0) rows.push({ timeS: t + 0.2, length: 100, microphone: mic, ackFlag: 1, highestLayer: 0, label: 'syn' });
    if (s % 45 === 5) rows.push({ timeS: t + 0.3, length: 140 + Math.floor(next() * 300), microphone: mic, ackFlag: 0, highestLayer: 0, label: 'handshake' });
    if (s >= 20 && s < 28) {
      for (let k = 0; k < 4; k++) rows.push({ timeS: t + 0.4 + k * 0.1, length: 300 + Math.floor(next() * 1200), microphone: mic, ackFlag: 1, highestLayer: 0, label: appLabel });
    }
  }
  return rows;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function paperDateOf(timeS: number): string {
  const d = new Date(Math.floor(timeS) * 1000);
  const micros = String(Math.round((timeS % 1) * 1e6)).padStart(6, '0');
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${micros}`;
}

export function fixtureCsv(rows: readonly FixtureRow[]): string {
  const lines = rows.map((r) =>
    [paperDateOf(r.timeS), r.length, '203.0.113.7', 443, `${r.highestLayer}.0`, 0, r.ackFlag, r.microphone, r.highestLayer === 0 ? 23 : '', 1, r.label].join(','),
  );
  return [HEADER, ...lines].join('\n') + '\n';
}

/** Three captures in two contexts: two with the mic on (justified uploads), one muted (not_justified). */
export function figureFixture(): FixtureFile[] {
  return [
    { name: 'microphone_mute/01.csv', rows: capture(1, T0, 90, 0, 'not_justified') },
    { name: 'no_wake_word/01.csv', rows: capture(2, T0 + 3600, 120, 1, 'justified') },
    { name: 'no_wake_word/02.csv', rows: capture(3, T0 + 7200, 60, 1, 'justified') },
  ];
}

export function writeFigureFixture(dir: string, files: readonly FixtureFile[] = figureFixture()): string {
  for (const f of files) {
    const path = join(dir, f.name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, fixtureCsv(f.rows));
  }
  return dir;
}
