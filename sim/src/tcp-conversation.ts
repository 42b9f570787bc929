// A TCP connection between a client and a server that keeps sequence numbers, timestamps and
// ACKs consistent, emitting frames as they would be captured on the AP. Generated captures
// (demo, benchmark, tests) are built from these, so tshark dissects them as ordinary TCP.

import { TcpFlag } from './wire-constants.js';
import { synOptions, tcpFrame, timestampOptions, tlsRecord, type Endpoint } from './frame-builder.js';

export type FrameSink = (timeUs: number, frame: Uint8Array) => void;

const MSS = 1448;

interface Side {
  endpoint: Endpoint;
  seq: number;
  tsVal: number;
}

export class TcpConversation {
  private readonly client: Side;
  private readonly server: Side;

  constructor(
    client: Endpoint,
    server: Endpoint,
    private readonly emit: FrameSink,
    private readonly rttUs = 40_000,
    initialSeq = 1000,
  ) {
    this.client = { endpoint: client, seq: initialSeq >>> 0, tsVal: 1 };
    this.server = { endpoint: server, seq: (initialSeq * 7 + 12345) >>> 0, tsVal: 100 };
  }

  /** Three-way handshake starting at `timeUs`; returns the time the client's ACK leaves. */
  open(timeUs: number): number {
    const c = this.client;
    const s = this.server;
    this.emit(timeUs, tcpFrame({ from: c.endpoint, to: s.endpoint, seq: c.seq, ack: 0, flags: TcpFlag.SYN, window: 64240, options: synOptions(c.tsVal) }));
    const synAckTime = timeUs + this.rttUs / 2;
    this.emit(synAckTime, tcpFrame({ from: s.endpoint, to: c.endpoint, seq: s.seq, ack: c.seq + 1, flags: TcpFlag.SYN | TcpFlag.ACK, window: 65160, options: synOptions(s.tsVal) }));
    c.seq = (c.seq + 1) >>> 0;
    s.seq = (s.seq + 1) >>> 0;
    const ackTime = timeUs + this.rttUs;
    this.ack(this.client, this.server, ackTime);
    return ackTime;
  }

  /** The client sends `bytes` as MSS-sized segments; the server ACKs after half an RTT. */
  clientSends(timeUs: number, bytes: Uint8Array, gapUs = 0): number {
    return this.send(this.client, this.server, timeUs, bytes, gapUs);
  }

  serverSends(timeUs: number, bytes: Uint8Array, gapUs = 0): number {
    return this.send(this.server, this.client, timeUs, bytes, gapUs);
  }

  /** A TLS application-data record of `length` from the client. */
  clientRecord(timeUs: number, length: number, contentType = 23): number {
    return this.clientSends(timeUs, tlsRecord(contentType, length));
  }

  serverRecord(timeUs: number, length: number, contentType = 23): number {
    return this.serverSends(timeUs, tlsRecord(contentType, length));
  }

  /** Sends the same bytes again from the client without advancing: a retransmission. */
  clientRetransmits(timeUs: number, bytes: Uint8Array): void {
    const c = this.client;
    const seq = (c.seq - bytes.length) >>> 0;
    this.emit(timeUs, this.segment(c, this.server, seq, TcpFlag.ACK | TcpFlag.PSH, bytes));
  }

  close(timeUs: number): void {
    const c = this.client;
    const s = this.server;
    this.emit(timeUs, this.segment(c, s, c.seq, TcpFlag.FIN | TcpFlag.ACK));
    c.seq = (c.seq + 1) >>> 0;
    const reply = timeUs + this.rttUs / 2;
    this.emit(reply, this.segment(s, c, s.seq, TcpFlag.FIN | TcpFlag.ACK));
    s.seq = (s.seq + 1) >>> 0;
    this.ack(c, s, reply + 1000);
  }

  private send(from: Side, to: Side, timeUs: number, bytes: Uint8Array, gapUs: number): number {
    let t = timeUs;
    for (let offset = 0; offset < bytes.length; offset += MSS) {
      const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + MSS));
      this.emit(t, this.segment(from, to, from.seq, TcpFlag.ACK | TcpFlag.PSH, chunk));
      from.seq = (from.seq + chunk.length) >>> 0;
      t += gapUs || 50;
    }
    this.ack(to, from, t + this.rttUs / 2);
    return t;
  }

  private ack(from: Side, to: Side, timeUs: number): void {
    this.emit(timeUs, this.segment(from, to, from.seq, TcpFlag.ACK));
  }

  private segment(from: Side, to: Side, seq: number, flags: number, payload?: Uint8Array): Uint8Array {
    from.tsVal++;
    return tcpFrame({
      from: from.endpoint,
      to: to.endpoint,
      seq,
      ack: to.seq,
      flags,
      window: 501,
      payload,
      options: timestampOptions(from.tsVal, to.tsVal),
    });
  }
}
