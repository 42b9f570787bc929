// One TCP connection between the Echo and a server, driven by the event queue, as the box's AP
// sees it. The capture point is the Echo's link: the Echo's frames are captured when sent and
// reach the server one-way-delay later; the server's frames are captured when they reach the
// Echo. Receivers ACK like Linux (every second segment, else after a delayed-ACK timer; quick
// ACKs at the start; at once for out-of-order data, with SACK blocks), and senders retransmit a
// lost segment on the third duplicate ACK or on a timeout, so tshark's sequence analysis finds
// ordinary retransmissions, never inconsistencies.
//
//   Echo --(captured at t)--> AP ---- owd ----> server
//   Echo <--(captured at t+owd)-- AP <-- owd -- server (sent at t)

import { TcpFlag } from './wire-constants.js';
import type { EventQueue } from './event-queue.js';
import { concat, tcpFrame, timestampOptions, type Endpoint } from './frame-builder.js';
import type { SeededRandom } from './seeded-random.js';
import { newSide, sackOption, synOptionsFor, type Segment, type Side } from './tcp-side.js';

export type CaptureSink = (timeUs: number, frame: Uint8Array) => void;

export interface SimContext {
  queue: EventQueue;
  random: SeededRandom;
  capture: CaptureSink;
}

export interface TcpSessionOptions {
  echo: Endpoint;
  server: Endpoint;
  rttUs: number;
  /** Whether the server accepts TCP timestamps (the paper's AVS connection did not: 54-byte ACKs). */
  timestamps: boolean;
  /** Largest payload per segment from the Echo (the paper's frames: 1494 without, 1506 with timestamps). */
  echoMss?: number;
  serverMss?: number;
  /** Chance that a data segment is lost beyond the AP (Echo) or before it (server). */
  echoLossRate?: number;
  serverLossRate?: number;
  /** TTL of the server's packets when they reach the AP. */
  serverTtl?: number;
}

export interface SendOptions {
  /** Gap between the segments of this write (default: 40-250 µs, Wi-Fi airtime). */
  segmentGapUs?: number;
  /** Pace a bulk write: bursts of this many segments... */
  burstSegments?: number;
  /** ...at this average rate in bytes per second. */
  bytesPerSecond?: number;
  /** Called for each segment of this write that the AP captures from the Echo (retransmissions too). */
  onEchoSegment?: (timeUs: number, retransmission: boolean, payloadLength: number) => void;
  /** PSH on the last segment (default true). */
  push?: boolean;
}

const DELAYED_ACK_US = 40_000;
const MIN_RTO_US = 200_000;

export interface TcpSessionStats {
  echoFrames: number;
  /** Bare ACKs from the Echo (no payload, SYN or FIN). */
  echoAcks: number;
  echoRetransmissions: number;
  /** Payload bytes of the server's frames that the AP captured. */
  serverPayloadBytes: number;
}

export class TcpSession {
  readonly stats: TcpSessionStats = { echoFrames: 0, echoAcks: 0, echoRetransmissions: 0, serverPayloadBytes: 0 };
  readonly echo: Side;
  readonly server: Side;
  private readonly owdUs: number;
  private established = false;

  constructor(
    private readonly ctx: SimContext,
    readonly options: TcpSessionOptions,
  ) {
    const r = ctx.random;
    const side = (endpoint: Endpoint, isEcho: boolean, mss: number, window: number, ttl: number, lossRate: number): Side => newSide(r, { endpoint, isEcho, mss, window, ttl, lossRate });
    const ts = options.timestamps;
    this.echo = side(options.echo, true, options.echoMss ?? 1440, 2000, 64, options.echoLossRate ?? 0);
    this.server = side(options.server, false, options.serverMss ?? (ts ? 1448 : 1460), 1050, options.serverTtl ?? 236, options.serverLossRate ?? 0);
    this.owdUs = Math.max(1000, Math.round(options.rttUs / 2));
  }

  get rttUs(): number {
    return this.owdUs * 2;
  }

  /** The connection as the judge's events name a flow. */
  get flow(): { protocol: 'tcp'; src: string; srcPort: number; dst: string; dstPort: number } {
    const e = this.options.echo;
    const s = this.options.server;
    return { protocol: 'tcp', src: e.ip, srcPort: e.port, dst: s.ip, dstPort: s.port };
  }

  get isOpen(): boolean {
    return this.established && !this.echo.closed && !this.server.closed;
  }

  /** The Echo opens the connection now; `onEstablished` runs when it sends the handshake's ACK. */
  open(onEstablished: () => void): void {
    const e = this.echo;
    this.transmit(e, 0, TcpFlag.SYN);
    e.sndNxt = 1;
    this.whenReceived(e, 1, () => {
      this.established = true;
      onEstablished();
    });
  }

  /** Queues `bytes` from `from` now (or after what it is still sending); returns the end sequence number. */
  send(from: Side, bytes: Uint8Array, options: SendOptions = {}): number {
    if (from.closed || bytes.length === 0) return from.writeSeq;
    const q = this.ctx.queue;
    const r = this.ctx.random;
    let t = Math.max(q.nowUs, from.busyUntilUs);
    const count = Math.ceil(bytes.length / from.mss);
    const burst = options.burstSegments ?? 0;
    const burstPeriodUs = burst > 0 && options.bytesPerSecond ? (burst * from.mss * 1e6) / options.bytesPerSecond : 0;
    const burstStart = t;
    for (let i = 0; i < count; i++) {
      const chunk = bytes.subarray(i * from.mss, Math.min(bytes.length, (i + 1) * from.mss));
      const seq = from.writeSeq;
      from.writeSeq += chunk.length;
      const last = i === count - 1;
      const flags = TcpFlag.ACK | (last && options.push !== false ? TcpFlag.PSH : 0);
      q.at(t, () => this.sendData(from, seq, flags, chunk, options.onEchoSegment));
      if (burstPeriodUs > 0 && (i + 1) % burst === 0) t = burstStart + ((i + 1) / burst) * burstPeriodUs + r.uniform(0, burstPeriodUs * 0.2);
      else t += options.segmentGapUs ?? r.uniform(40, 250);
    }
    from.busyUntilUs = t;
    return from.writeSeq;
  }

  /** Runs `run` once `side` has received everything before relative sequence number `seq`. */
  whenReceived(side: Side, seq: number, run: () => void): void {
    if (side.rcvNxt >= seq) run();
    else side.waiters.push({ seq, run });
  }

  /** An orderly close started by `from` (FIN, the peer's FIN, the last ACK). */
  close(from: Side): void {
    if (from.closed) return;
    const q = this.ctx.queue;
    q.at(Math.max(q.nowUs, from.busyUntilUs), () => {
      if (from.closed) return;
      this.transmit(from, from.sndNxt, TcpFlag.FIN | TcpFlag.ACK);
      from.sndNxt += 1;
      from.writeSeq += 1;
      from.closed = true;
    });
  }

  /** An abortive close: a bare RST without ACK, as the Echo sends when it drops a connection (the paper's 54-byte rows). */
  reset(from: Side): void {
    if (from.closed) return;
    const q = this.ctx.queue;
    q.at(Math.max(q.nowUs, from.busyUntilUs), () => {
      if (from.closed) return;
      from.closed = true;
      from.resetSent = true;
      this.emitFrame(from, { seq: from.sndNxt, ack: 0, flags: TcpFlag.RST, length: 0, payload: undefined, tsVal: 0, onEchoSegment: undefined }, false, true);
    });
  }

  private peer(side: Side): Side {
    return side === this.echo ? this.server : this.echo;
  }

  private tsVal(side: Side): number {
    return (side.tsOffset + Math.floor(this.ctx.queue.nowUs / 1000)) >>> 0;
  }

  private sendData(from: Side, seq: number, flags: number, payload: Uint8Array, onEchoSegment: SendOptions['onEchoSegment']): void {
    if (from.closed) return;
    from.sndNxt = Math.max(from.sndNxt, seq + payload.length);
    const segment = this.segment(from, seq, flags, payload, onEchoSegment);
    const lose = from.lossRate > 0 && this.ctx.random.chance(from.lossRate);
    if (lose) {
      from.lost.set(seq, segment);
      this.ctx.queue.after(Math.max(MIN_RTO_US, 3 * this.rttUs), () => this.retransmit(from, seq));
    }
    this.emitFrame(from, segment, lose);
  }

  private retransmit(from: Side, seq: number): void {
    const original = from.lost.get(seq);
    if (!original || from.closed) return;
    from.lost.delete(seq);
    this.emitFrame(from, this.segment(from, seq, original.flags, original.payload, original.onEchoSegment), false, false, true);
  }

  private segment(from: Side, seq: number, flags: number, payload: Uint8Array | undefined, onEchoSegment: SendOptions['onEchoSegment']): Segment {
    return { seq, ack: from.rcvNxt, flags, length: payload?.length ?? 0, payload, tsVal: this.tsVal(from), onEchoSegment };
  }

  /** Sends a segment without payload (SYN, FIN, or an ACK with optional SACK blocks). */
  private transmit(from: Side, seq: number, flags: number, sack?: [number, number][]): void {
    const segment: Segment = { seq, ack: from.rcvNxt, flags, length: 0, payload: undefined, tsVal: this.tsVal(from), onEchoSegment: undefined };
    this.emitFrame(from, segment, false, false, false, sack);
  }

  private emitFrame(from: Side, segment: Segment, lose: boolean, bare = false, retransmission = false, sack?: [number, number][]): void {
    const to = this.peer(from);
    const hasAck = (segment.flags & TcpFlag.ACK) !== 0;
    if (hasAck) {
      from.unackedSegments = 0;
      segment.ack = from.rcvNxt;
    }
    const isSyn = (segment.flags & TcpFlag.SYN) !== 0;
    let options: Uint8Array | undefined;
    if (isSyn) options = synOptionsFor(from, this.peer(from), this.options.timestamps, segment.tsVal);
    else if (!bare && this.options.timestamps) options = timestampOptions(segment.tsVal, from.tsRecent);
    if (sack && sack.length > 0) options = concat(options ?? new Uint8Array(0), sackOption(sack.map(([a, b]) => [(to.iss + a) >>> 0, (to.iss + b) >>> 0])));
    const frame = tcpFrame({
      from: from.endpoint,
      to: to.endpoint,
      seq: (from.iss + segment.seq) >>> 0,
      ack: hasAck ? (to.iss + segment.ack) >>> 0 : 0,
      flags: segment.flags,
      window: isSyn ? 64240 : bare ? 0 : from.window,
      payload: segment.payload,
      options,
      ttl: from.ttl,
      ipId: from.ipId++,
    });
    const q = this.ctx.queue;
    if (from.isEcho) {
      this.ctx.capture(q.nowUs, frame);
      segment.onEchoSegment?.(q.nowUs, retransmission, segment.length);
      this.stats.echoFrames++;
      if (segment.length === 0 && hasAck && (segment.flags & (TcpFlag.SYN | TcpFlag.FIN)) === 0) this.stats.echoAcks++;
      if (retransmission) this.stats.echoRetransmissions++;
      if (!lose) q.after(this.owdUs, () => this.deliver(to, segment));
    } else if (!lose) {
      q.after(this.owdUs, () => {
        this.ctx.capture(q.nowUs, frame);
        this.stats.serverPayloadBytes += segment.length;
        this.deliver(to, segment);
      });
    }
  }

  private deliver(to: Side, segment: Segment): void {
    const fin = (segment.flags & TcpFlag.FIN) !== 0;
    if (to.closed && (to.resetSent || !fin)) {
      // A segment for a socket that is gone: Linux answers with a RST carrying the ACK as its sequence number.
      if (to.resetSent && (segment.length > 0 || fin)) {
        this.emitFrame(to, { seq: segment.ack, ack: 0, flags: TcpFlag.RST, length: 0, payload: undefined, tsVal: 0, onEchoSegment: undefined }, false, true);
      }
      return;
    }
    if ((segment.flags & TcpFlag.RST) !== 0) {
      to.closed = true;
      return;
    }
    if ((segment.flags & TcpFlag.SYN) !== 0) {
      to.rcvNxt = 1;
      to.tsRecent = segment.tsVal;
      if ((segment.flags & TcpFlag.ACK) !== 0) {
        to.sndUna = 1;
        this.transmit(to, to.sndNxt, TcpFlag.ACK); // the handshake's third packet
        this.wake(to);
      } else {
        this.ctx.queue.after(this.ctx.random.uniform(50, 400), () => {
          this.transmit(to, 0, TcpFlag.SYN | TcpFlag.ACK);
          to.sndNxt = 1;
        });
      }
      return;
    }
    if ((segment.flags & TcpFlag.ACK) !== 0) this.onAck(to, segment);
    const length = segment.length + ((segment.flags & TcpFlag.FIN) !== 0 ? 1 : 0);
    if (length === 0) return;
    if (segment.seq === to.rcvNxt) {
      to.rcvNxt += length;
      to.tsRecent = segment.tsVal;
      const filledHole = this.mergeOutOfOrder(to);
      this.wake(to);
      if ((segment.flags & TcpFlag.FIN) !== 0) this.answerFin(to);
      else if (filledHole) this.ackSoon(to, true);
      else this.ackPolicy(to);
    } else if (segment.seq > to.rcvNxt) {
      to.outOfOrder.push([segment.seq, segment.seq + length]);
      to.outOfOrder.sort((a, b) => a[0] - b[0]);
      this.ackSoon(to, true, true);
    } else {
      this.ackSoon(to, true); // a duplicate: ACK it again at once
    }
  }

  private onAck(side: Side, segment: Segment): void {
    if (segment.ack > side.sndUna) {
      side.sndUna = segment.ack;
      side.dupAcks = 0;
      for (const seq of side.lost.keys()) if (seq + (side.lost.get(seq)?.length ?? 0) <= segment.ack) side.lost.delete(seq);
    } else if (segment.ack === side.sndUna && segment.length === 0 && side.sndNxt > side.sndUna) {
      side.dupAcks++;
      if (side.dupAcks === 3 && side.lost.has(segment.ack)) this.retransmit(side, segment.ack);
    }
  }

  private mergeOutOfOrder(side: Side): boolean {
    let filled = false;
    while (side.outOfOrder.length > 0 && side.outOfOrder[0][0] <= side.rcvNxt) {
      const [, end] = side.outOfOrder.shift()!;
      side.rcvNxt = Math.max(side.rcvNxt, end);
      filled = true;
    }
    return filled;
  }

  private wake(side: Side): void {
    if (side.waiters.length === 0) return;
    const ready = side.waiters.filter((w) => side.rcvNxt >= w.seq);
    if (ready.length === 0) return;
    side.waiters = side.waiters.filter((w) => side.rcvNxt < w.seq);
    for (const waiter of ready) waiter.run();
  }

  private ackPolicy(side: Side): void {
    side.unackedSegments++;
    if (side.quickAcks > 0) {
      side.quickAcks--;
      this.ackSoon(side, false);
    } else if (side.unackedSegments >= 2) {
      this.ackSoon(side, false);
    } else if (!side.delayedAckPending) {
      side.delayedAckPending = true;
      this.ctx.queue.after(DELAYED_ACK_US, () => {
        side.delayedAckPending = false;
        if (side.unackedSegments > 0 && !side.closed) this.transmit(side, side.sndNxt, TcpFlag.ACK);
      });
    }
  }

  /** An ACK a moment from now (softirq latency); `force` sends it even if data went out meanwhile. */
  private ackSoon(side: Side, force: boolean, withSack = false, afterClose = false): void {
    this.ctx.queue.after(this.ctx.random.uniform(15, 120), () => {
      if ((side.closed && !afterClose) || (!force && side.unackedSegments === 0)) return;
      this.transmit(side, side.sndNxt, TcpFlag.ACK, withSack ? side.outOfOrder.slice(0, 3) : undefined);
    });
  }

  private answerFin(side: Side): void {
    if (side.closed) {
      this.ackSoon(side, true, false, true); // the peer's FIN answers ours: the last ACK
      return;
    }
    this.ctx.queue.after(side.isEcho ? this.ctx.random.uniform(100, 2000) : this.ctx.random.uniform(200, 1000), () => {
      if (side.closed) return;
      this.transmit(side, side.sndNxt, TcpFlag.FIN | TcpFlag.ACK);
      side.sndNxt += 1;
      side.writeSeq += 1;
      side.closed = true;
    });
  }
}
