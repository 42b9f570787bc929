// Live mode's truth comes from the sender: the fake Echo counts what it writes for each episode
// (SentTally: when, how many writes, how many bytes in how many TLS records) and reports it with
// the connection and the script's expectation. Nothing is read back from the capture, so a
// decoder that misreads the capture cannot make the truth agree with it.

import type { Expectation } from './scenario-plan.js';
import { TruthRecorder, type EpisodeKind, type HeartbeatKind, type StreamService } from './sim-truth.js';

export interface LiveFlow {
  localPort: number;
  dst: string;
  dstPort: number;
  /** TCP unless it says UDP. */
  protocol?: 'udp';
}

/** What the Echo wrote for one episode or stream, on its own clock (the box's capture clock: one host). */
export interface SentCounts {
  /** The first and the last write. */
  startUs: number;
  endUs: number;
  writes: number;
  /** TLS application-data record lengths (header not included); UDP: payload lengths. */
  bytes: number;
  /** TLS records; UDP: datagrams. */
  records: number;
}

/** TLS record header bytes, on the wire before each record. */
const RECORD_HEADER = 5;
/** TLS 1.2 AES-128-GCM (the cipher live-cloud.ts pins): an 8-byte explicit nonce and a 16-byte tag per record. */
const RECORD_OVERHEAD = 24;
/** Largest TLS record plaintext, and HTTP/2's default largest frame payload. */
const MAX_CHUNK = 16_384;
/** An HTTP/2 frame header. */
const H2_FRAME_HEADER = 9;

/** Counts the Echo's writes for one episode as it makes them. */
export class SentTally implements SentCounts {
  startUs = 0;
  endUs = 0;
  writes = 0;
  bytes = 0;
  records = 0;

  constructor(private readonly now: () => number) {}

  /** `plaintext` bytes written to a TLS socket: one record per 16 KB. */
  tls(plaintext: number): void {
    const records = Math.max(1, Math.ceil(plaintext / MAX_CHUNK));
    this.wrote(plaintext + RECORD_OVERHEAD * records, records);
  }

  /** `body` bytes written to an HTTP/2 stream: DATA frames of up to 16 KB, each in its own record. */
  h2(body: number): void {
    const frames = Math.max(1, Math.ceil(body / MAX_CHUNK));
    this.wrote(body + (H2_FRAME_HEADER + RECORD_OVERHEAD) * frames, frames);
  }

  /** One datagram of `payload` bytes. */
  udp(payload: number): void {
    this.wrote(payload, 1);
  }

  private wrote(bytes: number, records: number): void {
    const now = this.now();
    if (this.writes === 0) this.startUs = now;
    this.endUs = now;
    this.writes++;
    this.bytes += bytes;
    this.records += records;
  }
}

export type LiveEvent =
  | ({ event: 'episode'; kind: EpisodeKind; utterance?: string; codec?: string; expect?: Expectation; flow: LiveFlow; otherFlows?: LiveFlow[] } & SentCounts)
  | { event: 'heartbeat'; kind: HeartbeatKind; flow: LiveFlow; timeUs: number; length: number }
  | { event: 'stream'; service: StreamService; flows: LiveFlow[]; startUs: number; endUs: number; downloadBytes: number; requests: number; requestBytes: number };

export function liveTruth(echoIp: string, events: readonly LiveEvent[]): TruthRecorder {
  const tuple = (f: LiveFlow) => ({ protocol: f.protocol ?? ('tcp' as const), src: echoIp, srcPort: f.localPort, dst: f.dst, dstPort: f.dstPort });
  const truth = new TruthRecorder();
  for (const e of events) {
    if (e.event === 'heartbeat') truth.heartbeat(e.kind, e.length, tuple(e.flow))(e.timeUs, false, e.length);
    else if (e.event === 'episode') {
      if (e.writes === 0) continue;
      const episode = truth.episode(e.kind, tuple(e.flow), { utterance: e.utterance, codec: e.codec, expect: e.expect });
      for (const other of e.otherFlows ?? []) episode.addFlow(tuple(other));
      // The sender sees writes, not segments: `packets` counts writes and nothing is retransmitted.
      Object.assign(episode.span, { firstUs: e.startUs, lastUs: e.endUs, packets: e.writes, retransmissions: 0, tcpPayloadBytes: e.bytes + (e.flow.protocol === 'udp' ? 0 : RECORD_HEADER * e.records) });
      episode.addRecords(e.bytes, e.records);
    } else {
      const stream = truth.stream(e.service);
      stream.downloadBytes = e.downloadBytes;
      stream.flows.push(...e.flows.map(tuple));
      // The Echo's ACKs are the kernel's, which the sender does not see.
      stream.sessions.push({ echoAcks: 0, echoFrames: e.requests });
      Object.assign(stream.span, { firstUs: e.startUs, lastUs: e.endUs, packets: e.requests, retransmissions: 0, tcpPayloadBytes: e.requestBytes });
    }
  }
  truth.heartbeats.sort((a, b) => a.timeUs - b.timeUs);
  return truth;
}
