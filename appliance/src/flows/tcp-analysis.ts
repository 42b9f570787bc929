// Sequence analysis equivalent to Wireshark's `tcp.analysis.retransmission` (packet-tcp.c,
// tcp_analyze_sequence_number): a segment that carries data, SYN or FIN and does not advance the
// sender's next sequence number is a retransmission, unless it is a keep-alive, an out-of-order
// segment (arrived within one first-RTT of the highest segment). Fast and spurious
// retransmissions (data the peer already acked) count too, as they do in Wireshark's field.

import { TcpFlag } from '../decode/types.js';
import { seqDiff } from './tls-records.js';

export interface TcpDirectionState {
  hasNextSeq: boolean;
  nextSeq: number;
  nextSeqTimeUs: number;
  hasLastAck: boolean;
  lastAck: number;
  lastAckTimeUs: number;
  window: number;
  dupAckCount: number;
}

export function newDirectionState(): TcpDirectionState {
  return { hasNextSeq: false, nextSeq: 0, nextSeqTimeUs: 0, hasLastAck: false, lastAck: 0, lastAckTimeUs: 0, window: 0, dupAckCount: 0 };
}

export interface TcpConnectionTiming {
  /** Time of the most recent SYN (before the first RTT is known), or -1. */
  synTimeUs: number;
  /** SYN → handshake-completing ACK; 0 while unknown (Wireshark then uses 3 ms). */
  firstRttUs: number;
}

const DEFAULT_OUT_OF_ORDER_THRESHOLD_US = 3000;
const FAST_RETRANSMISSION_WINDOW_US = 20000;
const SYN_OR_FIN = TcpFlag.SYN | TcpFlag.FIN;
const SYN_FIN_RST = TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST;

/**
 * Updates `fwd` (the sender's direction) with this segment and says whether Wireshark would
 * flag it as a retransmission. `rev` is the other direction; only its ack state is read.
 */
export function analyseSegment(
  fwd: TcpDirectionState,
  rev: TcpDirectionState,
  timing: TcpConnectionTiming,
  timeUs: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  segmentLength: number,
): boolean {
  let isRetransmission = false;
  const isKeepAlive =
    fwd.hasNextSeq && (segmentLength === 0 || segmentLength === 1) && seq === ((fwd.nextSeq - 1) >>> 0) && (flags & SYN_FIN_RST) === 0;

  if (
    fwd.hasNextSeq &&
    segmentLength === 0 &&
    window !== 0 &&
    window === fwd.window &&
    seq === fwd.nextSeq &&
    ack === fwd.lastAck &&
    (flags & SYN_FIN_RST) === 0
  ) {
    fwd.dupAckCount++;
  }

  if ((segmentLength > 0 || (flags & SYN_OR_FIN) !== 0) && !isKeepAlive) {
    let seqNotAdvanced = fwd.hasNextSeq && seqDiff(seq, fwd.nextSeq) < 0;
    // A segment one byte behind that adds real data follows a zero-window probe: not a retransmission.
    if (segmentLength > 1 && fwd.hasNextSeq && ((fwd.nextSeq - 1) >>> 0) === seq) seqNotAdvanced = false;

    if (seqNotAdvanced && rev.dupAckCount >= 2 && rev.lastAck === seq && timeUs - rev.lastAckTimeUs < FAST_RETRANSMISSION_WINDOW_US) {
      isRetransmission = true; // fast retransmission
    } else {
      const threshold = timing.firstRttUs > 0 ? timing.firstRttUs : DEFAULT_OUT_OF_ORDER_THRESHOLD_US;
      const outOfOrder = seqNotAdvanced && timeUs - fwd.nextSeqTimeUs < threshold && fwd.nextSeq !== ((seq + segmentLength) >>> 0);
      const spurious = segmentLength > 0 && rev.hasLastAck && rev.lastAck !== 0 && seqDiff((seq + segmentLength) >>> 0, rev.lastAck) <= 0;
      // tshark also sets tcp.analysis.retransmission on spurious retransmissions (checked on 4.0).
      if (!outOfOrder && (spurious || seqNotAdvanced)) isRetransmission = true;
    }
  }

  let nextSeq = (seq + segmentLength) >>> 0;
  if ((flags & SYN_OR_FIN) !== 0) nextSeq = (nextSeq + 1) >>> 0;
  if (!fwd.hasNextSeq || seqDiff(nextSeq, fwd.nextSeq) > 0) {
    fwd.hasNextSeq = true;
    fwd.nextSeq = nextSeq;
    fwd.nextSeqTimeUs = timeUs;
  }
  if (ack !== fwd.lastAck) fwd.dupAckCount = 0;
  fwd.window = window;
  if ((flags & TcpFlag.ACK) !== 0) {
    fwd.hasLastAck = true;
    fwd.lastAck = ack;
  }
  fwd.lastAckTimeUs = timeUs;

  if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && timing.firstRttUs === 0) timing.synTimeUs = timeUs;
  else if (timing.firstRttUs === 0 && timing.synTimeUs >= 0 && (flags & SYN_FIN_RST) === 0 && (flags & TcpFlag.ACK) !== 0) {
    timing.firstRttUs = Math.max(1, timeUs - timing.synTimeUs);
  }
  return isRetransmission;
}
