// The state of one end of a simulated TCP connection, and the TCP options it puts on the wire.
// tcp-session.ts drives two of these; this file holds no behaviour beyond building option bytes.

import type { Endpoint } from './frame-builder.js';
import type { SeededRandom } from './seeded-random.js';
import type { SendOptions } from './tcp-session.js';

export interface Segment {
  seq: number;
  ack: number;
  flags: number;
  length: number;
  payload: Uint8Array | undefined;
  tsVal: number;
  onEchoSegment: SendOptions['onEchoSegment'];
}

export interface Side {
  readonly endpoint: Endpoint;
  readonly isEcho: boolean;
  readonly iss: number;
  readonly mss: number;
  readonly window: number;
  readonly ttl: number;
  readonly lossRate: number;
  ipId: number;
  tsOffset: number;
  tsRecent: number;
  /** Relative sequence numbers: 0 is the SYN. */
  sndNxt: number;
  sndUna: number;
  /** The next sequence number a new write starts at (writes are scheduled ahead of sending). */
  writeSeq: number;
  /** When this side's transmitter is free again. */
  busyUntilUs: number;
  rcvNxt: number;
  unackedSegments: number;
  delayedAckPending: boolean;
  quickAcks: number;
  outOfOrder: [number, number][];
  dupAcks: number;
  lost: Map<number, Segment>;
  waiters: { seq: number; run: () => void }[];
  closed: boolean;
  /** The Echo dropped the connection with a RST: anything that still arrives gets a RST back. */
  resetSent: boolean;
}


export function newSide(r: SeededRandom, fixed: { endpoint: Endpoint; isEcho: boolean; mss: number; window: number; ttl: number; lossRate: number }): Side {
  return {
    ...fixed,
    iss: r.uint32(),
    ipId: r.int(0, 0xffff),
    tsOffset: r.uint32(),
    tsRecent: 0,
    sndNxt: 0,
    sndUna: 0,
    writeSeq: 1,
    busyUntilUs: 0,
    rcvNxt: 0,
    unackedSegments: 0,
    delayedAckPending: false,
    quickAcks: 16,
    outOfOrder: [],
    dupAcks: 0,
    lost: new Map(),
    waiters: [],
    closed: false,
    resetSent: false,
  };
}

/**
 * SYN options. The Echo always offers timestamps (its SYN is a 74-byte frame in the paper); a
 * server that does not want them leaves them out of its SYN-ACK. Each side announces the MSS that
 * makes the peer's segments the sizes the paper saw (1440 bytes of payload from the Echo).
 */
export function synOptionsFor(from: Side, peer: Side, timestamps: boolean, tsVal: number): Uint8Array {
  const ts = from.isEcho || timestamps;
  const announcedMss = peer.mss + (timestamps ? 12 : 0);
  const out = new Uint8Array(ts ? 20 : 12);
  const view = new DataView(out.buffer);
  if (ts) {
    out.set([2, 4, announcedMss >> 8, announcedMss & 0xff, 4, 2, 8, 10]);
    view.setUint32(8, tsVal);
    view.setUint32(12, from.isEcho ? 0 : from.tsRecent);
    out.set([1, 3, 3, from.isEcho ? 7 : 9], 16);
  } else {
    out.set([2, 4, announcedMss >> 8, announcedMss & 0xff, 1, 1, 4, 2, 1, 3, 3, 9]);
  }
  return out;
}

/** NOP, NOP, then a SACK option with up to three blocks (absolute sequence numbers). */
export function sackOption(blocks: [number, number][]): Uint8Array {
  const out = new Uint8Array(4 + 8 * blocks.length);
  const view = new DataView(out.buffer);
  out.set([1, 1, 5, 2 + 8 * blocks.length]);
  blocks.forEach(([left, right], i) => {
    view.setUint32(4 + 8 * i, left >>> 0);
    view.setUint32(8 + 8 * i, right >>> 0);
  });
  return out;
}
