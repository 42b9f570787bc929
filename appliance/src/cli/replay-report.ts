// The human summary of a replay: what a person reading a terminal wants to know first.

import type { SummaryEvent } from '../pipeline/events.js';

const CLASS_ORDER = ['not_justified', 'justified', 'expected', 'handshake', 'syn', 'ack', 'retransmit', 'not_relevant'];
const CLASS_NOTES: Record<string, string> = {
  not_justified: 'app data while muted',
  justified: 'app data, mic on, no interaction',
  expected: 'app data during/after an interaction',
  handshake: 'TLS handshake',
  syn: 'heartbeat / sync',
  ack: 'bare ACK',
  retransmit: 'retransmission or unanswered SYN',
  not_relevant: 'other',
};

const fmt = (n: number): string => n.toLocaleString('en-US');

export function formatReplaySummary(summary: SummaryEvent, micNote: string): string {
  const lines: string[] = [];
  lines.push(`earshot replay: ${summary.capture}`);
  lines.push(`  capture    ${fmt(summary.frames)} frames over ${summary.capture_seconds.toFixed(1)} s, ${fmt(summary.capture_dropped)} dropped by capture`);
  const skipped = Object.entries(summary.skipped).map(([r, n]) => `${r} ${fmt(n)}`).join(', ');
  lines.push(`  decoded    ${fmt(summary.decoded)} frames${skipped ? `; skipped: ${skipped}` : ''}${summary.fragments ? `; ${fmt(summary.fragments)} IP fragments` : ''}`);
  lines.push(`  echo       ${summary.device ?? 'not found (no local sender in the capture)'}`);
  lines.push(`  mic        ${micNote}`);
  lines.push('');
  lines.push(`  packets the Echo sent: ${fmt(summary.echo_packets)}`);
  const width = Math.max(...CLASS_ORDER.map((c) => fmt(summary.classes[c] ?? 0).length));
  for (const label of CLASS_ORDER) {
    const n = summary.classes[label] ?? 0;
    const bar = summary.echo_packets > 0 ? '#'.repeat(Math.ceil((40 * n) / summary.echo_packets)) : '';
    lines.push(`    ${label.padEnd(14)}${fmt(n).padStart(width)}  ${CLASS_NOTES[label].padEnd(38)}${bar}`);
  }
  lines.push('');
  lines.push(`  alerts     ${summary.alerts === 0 ? 'none' : fmt(summary.alerts)}`);
  lines.push(`  throughput ${fmt(summary.packets_per_second)} packets/s (${summary.wall_seconds.toFixed(2)} s wall)`);
  return lines.join('\n') + '\n';
}
