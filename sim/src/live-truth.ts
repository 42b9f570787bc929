// Live mode's truth comes from the capture itself: the fake Echo reports what it did and on which
// connection (local port) between which wall-clock times; the records earshot's decoder finds on
// that flow in that span are the episode, with capture-clock times and exact record bytes.

import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { TcpFlag, type CapturedFrame } from '../../appliance/src/decode/types.js';
import { FlowTable } from '../../appliance/src/flows/flow-table.js';
import { TruthRecorder, type EpisodeKind, type HeartbeatKind, type StreamService } from './sim-truth.js';

export interface LiveFlow {
  localPort: number;
  dst: string;
  dstPort: number;
  /** TCP unless it says UDP. */
  protocol?: 'udp';
}

export type LiveEvent =
  | { event: 'episode'; kind: EpisodeKind; utterance?: string; codec?: string; flow: LiveFlow; startUs: number; endUs: number; otherFlows?: LiveFlow[] }
  | { event: 'heartbeat'; kind: HeartbeatKind; flow: LiveFlow; timeUs: number; length: number }
  | { event: 'stream'; service: StreamService; flows: LiveFlow[]; startUs: number; endUs: number; downloadBytes: number };

interface EchoSegment {
  timeUs: number;
  payloadLength: number;
  /** Application-data record lengths whose header starts in this segment. */
  records: number[];
  bare: boolean;
}

/** Slack around the Echo's own wall-clock readings: the capture stamps a frame a moment after the write. */
const BEFORE_US = 5_000;
const AFTER_US = 300_000;

export function liveTruth(frames: readonly CapturedFrame[], echoIp: string, events: readonly LiveEvent[]): TruthRecorder {
  const table = new FlowTable();
  const byFlow = new Map<string, EchoSegment[]>();
  const seen = new Set<string>();
  const serverBytes = new Map<string, number>();
  for (const frame of frames) {
    const d = decodeFrame(frame);
    if (!d.ok) continue;
    if (d.packet.udp && d.packet.src === echoIp) {
      // A datagram is one "record" of its payload's length (the UDP leak).
      const key = `udp:${d.packet.udp.srcPort}>${d.packet.dst}:${d.packet.udp.dstPort}`;
      const list = byFlow.get(key) ?? [];
      list.push({ timeUs: frame.timeUs, payloadLength: d.packet.payloadLength, records: [d.packet.payloadLength], bare: false });
      byFlow.set(key, list);
      continue;
    }
    if (!d.packet.tcp) continue;
    const p = d.packet;
    const tcp = p.tcp!;
    const obs = table.observe(p);
    if (!obs) continue;
    if (p.src !== echoIp) {
      const key = `${tcp.dstPort}>${p.src}:${tcp.srcPort}`;
      serverBytes.set(key, (serverBytes.get(key) ?? 0) + p.payloadLength);
      continue;
    }
    const key = `${tcp.srcPort}>${p.dst}:${tcp.dstPort}`;
    const copy = `${key}|${tcp.seq}|${p.payloadLength}`;
    if (p.payloadLength > 0 && seen.has(copy)) continue; // a retransmission: its records were counted
    if (p.payloadLength > 0) seen.add(copy);
    const list = byFlow.get(key) ?? [];
    list.push({
      timeUs: frame.timeUs,
      payloadLength: p.payloadLength,
      records: obs.tlsRecords.filter((r) => r.contentType === 23).map((r) => r.length),
      bare: p.payloadLength === 0 && (tcp.flags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) === 0,
    });
    byFlow.set(key, list);
  }
  const flowKey = (f: LiveFlow): string => `${f.protocol === 'udp' ? 'udp:' : ''}${f.localPort}>${f.dst}:${f.dstPort}`;
  const tuple = (f: LiveFlow, src: string) => ({ protocol: f.protocol ?? ('tcp' as const), src, srcPort: f.localPort, dst: f.dst, dstPort: f.dstPort });
  const truth = new TruthRecorder();
  const heartbeatSegments = new Set<EchoSegment>();
  for (const e of events) {
    if (e.event !== 'heartbeat') continue;
    // TLS heartbeats are found by record length; Spotify's sync is plain TCP, found by payload length.
    const matches = (s: EchoSegment): boolean => (e.kind === 'spotify_sync' ? s.payloadLength === e.length : s.records.includes(e.length));
    const candidates = (byFlow.get(flowKey(e.flow)) ?? []).filter((s) => matches(s) && Math.abs(s.timeUs - e.timeUs) < 1_000_000);
    const nearest = candidates.sort((a, b) => Math.abs(a.timeUs - e.timeUs) - Math.abs(b.timeUs - e.timeUs))[0];
    if (!nearest) continue;
    heartbeatSegments.add(nearest);
    truth.heartbeat(e.kind, e.length, tuple(e.flow, echoIp))(nearest.timeUs, false, nearest.payloadLength);
  }
  truth.heartbeats.sort((a, b) => a.timeUs - b.timeUs);
  for (const e of events) {
    if (e.event === 'episode') {
      const episode = truth.episode(e.kind, tuple(e.flow, echoIp), { utterance: e.utterance, codec: e.codec });
      for (const other of e.otherFlows ?? []) episode.addFlow(tuple(other, echoIp));
      const segments = [e.flow, ...(e.otherFlows ?? [])].flatMap((f) => byFlow.get(flowKey(f)) ?? []).sort((a, b) => a.timeUs - b.timeUs);
      for (const s of segments) {
        if (s.timeUs < e.startUs - BEFORE_US || s.timeUs > e.endUs + AFTER_US || s.payloadLength === 0 || heartbeatSegments.has(s)) continue;
        episode.onSegment(s.timeUs, false, s.payloadLength);
        episode.addRecords(s.records.reduce((n, r) => n + r, 0), s.records.length);
      }
    } else if (e.event === 'stream') {
      const stream = truth.stream(e.service);
      stream.downloadBytes = e.downloadBytes;
      for (const f of e.flows) {
        stream.flows.push(tuple(f, echoIp));
        const segments = byFlow.get(flowKey(f)) ?? [];
        stream.sessions.push({ echoAcks: segments.filter((s) => s.bare).length, echoFrames: segments.length });
        for (const s of segments) if (s.payloadLength > 0) stream.onSegment(s.timeUs, false, s.payloadLength);
      }
    }
  }
  return truth;
}
