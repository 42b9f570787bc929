// Feeds the judge upload shapes written as (time, bytes, flow) lists, the way the wiring point
// does: one reused UploadPacket, a stream index per connection.

import type { AlertEndEvent, AlertEvent, FlowTuple, JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { Judge, type JudgeOptions, type UploadPacket } from '../../appliance/src/judge/judge.js';
import type { MicState } from '../../appliance/src/mic/mic-state.js';
import { MicTimeline } from '../../appliance/src/mic/mic-timeline.js';

/** 2022-01-15T12:57:32Z in microseconds. */
export const T0 = 1_642_251_452_000_000;
export const MS = 1_000;
export const S = 1_000_000;

export const flowTo = (dst = '198.51.100.20', srcPort = 40000, dstPort = 443, protocol: 'tcp' | 'udp' = 'tcp'): FlowTuple => ({ protocol, src: '192.0.2.10', srcPort, dst, dstPort });
export const FLOW = flowTo();

export interface Sent {
  timeUs: number;
  bytes: number;
  flow: FlowTuple;
}

/** `bytes` every `everyMs` for `seconds`, from `startUs`. */
export function paced(startUs: number, seconds: number, everyMs: number, bytes: number, flow = FLOW): Sent[] {
  const sent: Sent[] = [];
  for (let t = 0; t < seconds * S; t += everyMs * MS) sent.push({ timeUs: startUs + t, bytes, flow });
  return sent;
}

/** `total` bytes as back-to-back segments of at most `segment` bytes, 0.1 ms apart. */
export function burst(startUs: number, total: number, segment = 1_448, flow = FLOW): Sent[] {
  const sent: Sent[] = [];
  for (let left = total, i = 0; left > 0; left -= segment, i++) sent.push({ timeUs: startUs + i * 100, bytes: Math.min(segment, left), flow });
  return sent;
}

export function runJudge(options: JudgeOptions) {
  const events: JudgeEvent[] = [];
  const judge = new Judge(options, (event) => events.push(event));
  const streams = new Map<string, number>();
  let flow: FlowTuple = FLOW;
  const packet: UploadPacket = { timeUs: 0, bytes: 0, stream: 0, flowTuple: () => ({ ...flow }) };
  /** Uploads the packets in time order; returns the index of each packet after which events appeared. */
  const feed = (sent: Sent[]): number[] => {
    const at: number[] = [];
    for (const [i, p] of [...sent].sort((a, b) => a.timeUs - b.timeUs).entries()) {
      const key = `${p.flow.protocol}|${p.flow.srcPort}|${p.flow.dst}|${p.flow.dstPort}`;
      if (!streams.has(key)) streams.set(key, streams.size);
      flow = p.flow;
      Object.assign(packet, { timeUs: p.timeUs, bytes: p.bytes, stream: streams.get(key)! });
      const before = events.length;
      judge.upload(packet);
      if (events.length > before) at.push(i);
    }
    return at;
  };
  const alerts = () => events.filter((e): e is AlertEvent => e.type === 'alert');
  const ends = () => events.filter((e): e is AlertEndEvent => e.type === 'alert_end');
  return { judge, events, feed, alerts, ends };
}

export const timeline = (...rows: [number, MicState][]) => new MicTimeline(rows.map(([timeUs, state]) => ({ timeUs, state })));
export const always = (state: MicState) => timeline([T0 - 3_600 * S, state]);
export const last = (sent: Sent[]) => sent[sent.length - 1];
export const totalBytes = (sent: Sent[]) => sent.reduce((sum, p) => sum + p.bytes, 0);
/** Milliseconds from the episode's start to the alert. */
export const latencyMs = (alert: AlertEvent) => Date.parse(alert.time) - Date.parse(alert.start);
