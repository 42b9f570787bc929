// The human summary of a replay: what a person reading a terminal wants to know first.

import { palette, type Palette } from './colour.js';
import type { JudgeEvent } from '../judge/judge-events.js';
import { formatKilobytes } from '../judge/verdict.js';
import type { MicChange } from '../mic/mic-timeline.js';
import type { SummaryEvent } from '../pipeline/events.js';
import { clockTime } from '../time-format.js';

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

export interface SummaryOptions {
  title?: string;
  /** Played at a set pace: wall time says nothing about throughput. */
  paced?: boolean;
}

export function formatReplaySummary(summary: SummaryEvent, micNote: string, options: SummaryOptions = {}): string {
  const lines: string[] = [];
  lines.push(`${options.title ?? 'earshot replay'}: ${summary.capture}`);
  lines.push(`  capture    ${fmt(summary.frames)} frames over ${summary.capture_seconds.toFixed(1)} s, ${fmt(summary.capture_dropped)} dropped by capture`);
  const skipped = Object.entries(summary.skipped).map(([r, n]) => `${r} ${fmt(n)}`).join(', ');
  lines.push(`  decoded    ${fmt(summary.decoded)} frames${skipped ? `; skipped: ${skipped}` : ''}${summary.fragments ? `; ${fmt(summary.fragments)} IP fragments` : ''}`);
  if (summary.devices.length > 1) {
    for (const d of summary.devices) {
      const alerts = d.alerts === 0 ? 'no alerts' : `${d.alerts_by_severity.critical} critical, ${d.alerts_by_severity.warning} warning`;
      lines.push(`  echo       ${d.name} (${d.address ?? 'not seen'}): ${fmt(d.echo_packets)} packets, ${alerts}`);
    }
  } else lines.push(`  echo       ${summary.device ?? 'not found (no local sender in the capture)'}`);
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
  const severity = summary.alerts_by_severity;
  const latency = summary.alert_latency_ms ? `; raised ${summary.alert_latency_ms.median} ms (median), ${summary.alert_latency_ms.max} ms (max) after the upload began` : '';
  lines.push(`  alerts     ${summary.alerts === 0 ? 'none' : `${fmt(severity.critical)} critical, ${fmt(severity.warning)} warning${latency}`}`);
  lines.push(`  uploads    ${fmt(summary.upload_episodes)} episodes, ${fmt(summary.voice_like_episodes)} voice-like`);
  if (options.paced) lines.push(`  played in ${summary.wall_seconds.toFixed(1)} s`);
  else lines.push(`  throughput ${fmt(summary.packets_per_second)} packets/s (${summary.wall_seconds.toFixed(2)} s wall)`);
  return lines.join('\n') + '\n';
}


/** Mic changes within the capture (and the state in force when it began) merged with alerts, by time. */
export function formatTimeline(mic: MicChange[], events: JudgeEvent[], firstUs: number, lastUs: number, paint: Palette = palette(false)): string {
  const rows: { timeUs: number; text: string }[] = [];
  const before = mic.filter((c) => c.timeUs <= firstUs).at(-1);
  if (before) rows.push({ timeUs: firstUs, text: `mic ${before.state} (at capture start)` });
  for (const change of mic) if (change.timeUs > firstUs && change.timeUs <= lastUs) rows.push({ timeUs: change.timeUs, text: `mic ${change.state}` });
  for (const event of events) {
    if (event.type === 'alert') rows.push({ timeUs: Date.parse(event.time) * 1000, text: `${(event.severity === 'critical' ? paint.red : paint.yellow)(event.severity.toUpperCase().padEnd(8))} ${event.reason} [${event.id}]` });
    else rows.push({ timeUs: Date.parse(event.end) * 1000, text: `ended    ${formatKilobytes(event.bytes)} in ${fmt(event.packets)} packets in all [${event.id}]` });
  }
  if (rows.length === 0) return '';
  rows.sort((a, b) => a.timeUs - b.timeUs);
  const day = new Date(Math.floor(firstUs / 1000)).toISOString().slice(0, 10);
  return [`timeline (${day}, UTC)`, ...rows.map((r) => `  ${clockTime(r.timeUs, true)}  ${r.text}`), ''].join('\n') + '\n';
}
