// What the simulator really produced, for truth.json: every upload episode with the verdict the
// scenario script declared for it, every heartbeat and every stream. Offline, times are those of
// the emitted segments (capture clock), recorded as the frames are built, so the truth matches
// the capture byte for byte; live, they are what the fake Echo wrote and when (live-truth.ts).
// Nothing here runs product code (it borrows one type, the event contract's FlowTuple): an
// episode's verdict is the script's, so a product that judges wrongly disagrees with truth.json
// instead of agreeing with itself.

import { micStateAt, type MicChange, type MicState } from './mic-plan.js';
import type { Expectation, ExpectedVerdict } from './scenario-plan.js';
import type { FlowTuple } from '../../appliance/src/judge/judge-events.js';

/** Voice-like uploads (the Echo's own framing: a record every 20 ms). */
type VoiceKind = 'voice_command' | 'muted_upload' | 'misactivation' | 'slow_leak';
/** Leaks framed like no Echo client (issue 14), carrying audio by volume or rate all the same. */
type ShapedLeakKind = 'bulk_leak' | 'burst_leak' | 'udp_leak' | 'split_leak';
/** The planned uploads (each with the script's verdict), then the background ones, which must never alert. */
export type EpisodeKind = VoiceKind | ShapedLeakKind | 'follow_up' | 'event' | 'telemetry';
export type { ExpectedVerdict };

/** A connection as truth.json names it: the shape of the alerts' `flows` (design.md's event contract), a type only. */
export type { FlowTuple };
export type HeartbeatKind = 'avs_ping' | 'metrics' | 'spotify_sync';
export type StreamService = 'amazon_music' | 'spotify';

/** Receives each captured segment of an activity: time, whether it is a retransmission, its payload length. */
export type SegmentObserver = (timeUs: number, retransmission: boolean, payloadLength: number) => void;

interface Span {
  firstUs: number;
  lastUs: number;
  packets: number;
  retransmissions: number;
  tcpPayloadBytes: number;
}

const newSpan = (): Span => ({ firstUs: Infinity, lastUs: -Infinity, packets: 0, retransmissions: 0, tcpPayloadBytes: 0 });

function observe(span: Span): SegmentObserver {
  return (timeUs, retransmission, payloadLength) => {
    span.firstUs = Math.min(span.firstUs, timeUs);
    span.lastUs = Math.max(span.lastUs, timeUs);
    span.packets++;
    if (retransmission) span.retransmissions++;
    else span.tcpPayloadBytes += payloadLength;
  };
}

export interface EpisodeDetails {
  utterance?: string;
  codec?: string;
  /** The script's verdict for an upload it planned; background uploads (telemetry, events) have none. */
  expect?: Expectation;
}

export class EpisodeRecorder {
  readonly span = newSpan();
  /** Sum of the TLS application-data record lengths (UDP: payload lengths) the Echo sent in this episode. */
  bytes = 0;
  /** TLS records, or UDP datagrams. */
  records = 0;
  readonly onSegment: SegmentObserver;
  /** Every connection of the episode, `flow` (where it began) first. */
  readonly flows: FlowTuple[];

  constructor(
    readonly id: string,
    readonly kind: EpisodeKind,
    readonly flow: FlowTuple,
    readonly details: EpisodeDetails,
  ) {
    this.onSegment = observe(this.span);
    this.flows = [flow];
  }

  /** An upload that goes on over another connection is still this episode. */
  addFlow(flow: FlowTuple): void {
    this.flows.push(flow);
  }

  addRecords(recordBytes: number, count: number): void {
    this.bytes += recordBytes;
    this.records += count;
  }
}

export class StreamRecorder {
  readonly span = newSpan();
  readonly flows: FlowTuple[] = [];
  /** The live counters of each connection of the stream. */
  readonly sessions: { echoAcks: number; echoFrames: number }[] = [];
  downloadBytes = 0;
  readonly onSegment: SegmentObserver;

  constructor(
    readonly id: string,
    readonly service: StreamService,
  ) {
    this.onSegment = observe(this.span);
  }
}

interface HeartbeatRecord {
  kind: HeartbeatKind;
  timeUs: number;
  /** TLS record length (AVS, metrics) or TCP payload length (Spotify sync). */
  length: number;
  flow: FlowTuple;
}

export class TruthRecorder {
  readonly episodes: EpisodeRecorder[] = [];
  readonly streams: StreamRecorder[] = [];
  readonly heartbeats: HeartbeatRecord[] = [];
  readonly counters: Record<string, number> = {};

  episode(kind: EpisodeKind, flow: FlowTuple, details: EpisodeDetails = {}): EpisodeRecorder {
    const episode = new EpisodeRecorder(`ep${this.episodes.length + 1}`, kind, flow, details);
    this.episodes.push(episode);
    return episode;
  }

  stream(service: StreamService): StreamRecorder {
    const stream = new StreamRecorder(`st${this.streams.length + 1}`, service);
    this.streams.push(stream);
    return stream;
  }

  /** An observer that records the heartbeat when its first segment is captured. */
  heartbeat(kind: HeartbeatKind, length: number, flow: FlowTuple): SegmentObserver {
    let seen = false;
    return (timeUs, retransmission) => {
      if (seen || retransmission) return;
      seen = true;
      this.heartbeats.push({ kind, timeUs, length, flow });
    };
  }

  count(name: string, n = 1): void {
    this.counters[name] = (this.counters[name] ?? 0) + n;
  }
}

export const isoMs = (timeUs: number): string => new Date(Math.floor(timeUs / 1000)).toISOString();

export interface TruthHeader {
  mode: 'offline' | 'live';
  scenario: string;
  seed: number;
  timeScale: number;
  device: { ip: string; mac: string };
  captureFile: string;
  frames: number;
  captureStartUs: number;
  captureEndUs: number;
  micFile: string;
  /** Written into truth.json for the judge's runs; the truth itself does not depend on it. */
  graceS: number;
  segments: { scenario: string; startUs: number; endUs: number }[];
}

const time = (us: number): { iso: string; us: number } => ({ iso: isoMs(us), us: Math.round(us) });

/**
 * truth.json as a plain object. Episodes without a captured segment (cut off by the end) are left
 * out. An episode's `mic` is the script's for a planned upload, else the ring's state at its start.
 */
export function truthDocument(header: TruthHeader, truth: TruthRecorder, mic: readonly MicChange[]): object {
  const episodes = truth.episodes
    .filter((e) => e.span.packets > 0)
    .map((e) => {
      const context: MicState = e.details.expect?.mic ?? micStateAt(mic, e.span.firstUs);
      const verdict: ExpectedVerdict = e.details.expect?.verdict ?? 'none';
      const start = time(e.span.firstUs);
      const end = time(e.span.lastUs);
      return {
        id: e.id,
        kind: e.kind,
        ...(e.details.utterance ? { utterance: e.details.utterance } : {}),
        ...(e.details.codec ? { codec: e.details.codec } : {}),
        start: start.iso,
        end: end.iso,
        start_us: start.us,
        end_us: end.us,
        bytes: e.bytes,
        records: e.records,
        tcp_payload_bytes: e.span.tcpPayloadBytes,
        packets: e.span.packets,
        retransmissions: e.span.retransmissions,
        dst: `${e.flow.dst}:${e.flow.dstPort}`,
        flow: e.flow,
        flows: e.flows,
        mic: context,
        voice_like: verdict !== 'none',
        expected_verdict: verdict,
        alert: verdict === 'critical' || verdict === 'warning',
      };
    });
  const verdicts: Record<ExpectedVerdict, number> = { critical: 0, warning: 0, expected: 0, none: 0 };
  for (const e of episodes) verdicts[e.expected_verdict]++;
  return {
    format: 'earshot-simulate-truth/1',
    generator: { mode: header.mode, scenario: header.scenario, seed: header.seed, time_scale: header.timeScale },
    device: header.device,
    capture: { file: header.captureFile, start: isoMs(header.captureStartUs), end: isoMs(header.captureEndUs), frames: header.frames },
    mic_timeline: { file: header.micFile, grace_s: header.graceS },
    segments: header.segments.map((s) => ({ scenario: s.scenario, start: isoMs(s.startUs), end: isoMs(s.endUs) })),
    episodes,
    heartbeats: truth.heartbeats.map((h) => ({ kind: h.kind, time: isoMs(h.timeUs), time_us: Math.round(h.timeUs), length: h.length, dst: `${h.flow.dst}:${h.flow.dstPort}`, flow: h.flow, alert: false })),
    streams: truth.streams
      .filter((s) => s.span.packets > 0)
      .map((s) => ({
        id: s.id,
        service: s.service,
        start: isoMs(s.span.firstUs),
        end: isoMs(s.span.lastUs),
        start_us: Math.round(s.span.firstUs),
        end_us: Math.round(s.span.lastUs),
        download_bytes: s.downloadBytes,
        upload_tcp_payload_bytes: s.span.tcpPayloadBytes,
        echo_frames: s.sessions.reduce((n, c) => n + c.echoFrames, 0),
        echo_acks: s.sessions.reduce((n, c) => n + c.echoAcks, 0),
        flows: s.flows,
        alert: false,
      })),
    counts: { episodes_by_verdict: verdicts, heartbeats: truth.heartbeats.length, streams: truth.streams.length, ...truth.counters },
  };
}
