// Per-stream state for TCP and UDP: the paper's `delta`, tshark-equivalent retransmission
// analysis, TLS record boundaries, and the memory of fixed-size periodic records. Idle flows are
// swept by capture time so a box that runs for months holds a bounded table.

import { TcpFlag, type DecodedPacket } from '../decode/types.js';
import { TlsContentType, TlsRecordTracker, type TlsRecordHeader } from '../decode/tls-records.js';
import { analyseSegment, newDirectionState, type TcpConnectionTiming, type TcpDirectionState } from './tcp-analysis.js';

/** What the flow table learned about one packet. The object is reused: read it before the next call. */
export interface FlowObservation {
  streamIndex: number;
  /** Whole milliseconds since the previous packet of the same stream, either direction; 0 for the first. */
  deltaMs: number;
  fromInitiator: boolean;
  isRetransmission: boolean;
  /** TLS records whose header starts in this segment. */
  tlsRecords: TlsRecordHeader[];
  /** Content type of a TLS record that continues into this segment from an earlier one, or 0. */
  tlsContinuedType: number;
  /** A single small app-data record of the same length as this direction's previous one, seconds apart. */
  repeatsFixedSizeRecord: boolean;
}

interface DirectionState {
  tcp: TcpDirectionState;
  /** The ISN of this direction's SYN, to tell a duplicate SYN from a new connection. */
  synSeq: number | undefined;
  tls: TlsRecordTracker | undefined;
  lastLoneRecordLength: number;
  lastLoneRecordTimeUs: number;
}

interface Flow {
  streamIndex: number;
  initiator: string;
  initiatorPort: number;
  lastTimeUs: number;
  closed: boolean;
  timing: TcpConnectionTiming;
  directions: [DirectionState, DirectionState];
}

export interface FlowTableOptions {
  /** Flows idle this long are forgotten (default 15 min; 2 min after FIN/RST). */
  idleTimeoutUs?: number;
  closedTimeoutUs?: number;
  maxFlows?: number;
}

/** A periodic record is small and repeats at least this far apart (heartbeats: 30 s and 90.8 s). */
const PERIODIC_RECORD_MAX_LENGTH = 256;
const PERIODIC_MIN_INTERVAL_US = 5_000_000;
const PERIODIC_MAX_INTERVAL_US = 300_000_000;
const SWEEP_INTERVAL_US = 60_000_000;

const newDirection = (): DirectionState => ({ tcp: newDirectionState(), synSeq: undefined, tls: undefined, lastLoneRecordLength: -1, lastLoneRecordTimeUs: 0 });

export class FlowTable {
  private readonly flows = new Map<string, Flow>();
  private nextStreamIndex = 0;
  private lastSweepUs = 0;
  private readonly idleTimeoutUs: number;
  private readonly closedTimeoutUs: number;
  private readonly maxFlows: number;
  private readonly observation: FlowObservation = {
    streamIndex: 0,
    deltaMs: 0,
    fromInitiator: true,
    isRetransmission: false,
    tlsRecords: [],
    tlsContinuedType: 0,
    repeatsFixedSizeRecord: false,
  };
  evicted = 0;

  constructor(options: FlowTableOptions = {}) {
    this.idleTimeoutUs = options.idleTimeoutUs ?? 15 * 60_000_000;
    this.closedTimeoutUs = options.closedTimeoutUs ?? 2 * 60_000_000;
    this.maxFlows = options.maxFlows ?? 65536;
  }

  get size(): number {
    return this.flows.size;
  }

  /** Returns undefined for packets without a TCP or UDP header (fragments, ICMP, ...). */
  observe(packet: DecodedPacket): FlowObservation | undefined {
    const tcp = packet.tcp;
    const ports = tcp ?? packet.udp;
    if (!ports) return undefined;
    const timeUs = packet.timeUs;
    if (timeUs - this.lastSweepUs > SWEEP_INTERVAL_US) this.sweep(timeUs);

    const forward = packet.src < packet.dst || (packet.src === packet.dst && ports.srcPort <= ports.dstPort);
    const key = forward
      ? `${tcp ? 't' : 'u'}${packet.src}|${ports.srcPort}|${packet.dst}|${ports.dstPort}`
      : `${tcp ? 't' : 'u'}${packet.dst}|${ports.dstPort}|${packet.src}|${ports.srcPort}`;
    let flow = this.flows.get(key);
    if (flow && tcp && this.startsNewConnection(flow, packet)) {
      this.flows.delete(key);
      flow = undefined;
    }
    const obs = this.observation;
    if (!flow) {
      flow = this.createFlow(key, packet.src, ports.srcPort, timeUs);
      obs.deltaMs = 0;
    } else {
      obs.deltaMs = timeUs > flow.lastTimeUs ? Math.floor((timeUs - flow.lastTimeUs) / 1000) : 0;
    }
    flow.lastTimeUs = timeUs;
    const fromInitiator = packet.src === flow.initiator && ports.srcPort === flow.initiatorPort;
    obs.streamIndex = flow.streamIndex;
    obs.fromInitiator = fromInitiator;
    obs.isRetransmission = false;
    obs.tlsRecords.length = 0;
    obs.tlsContinuedType = 0;
    obs.repeatsFixedSizeRecord = false;
    if (!tcp) return obs;

    if ((tcp.flags & (TcpFlag.FIN | TcpFlag.RST)) !== 0) flow.closed = true;
    const fwd = flow.directions[fromInitiator ? 0 : 1];
    const rev = flow.directions[fromInitiator ? 1 : 0];
    if ((tcp.flags & TcpFlag.SYN) !== 0 && fwd.synSeq === undefined) fwd.synSeq = tcp.seq;
    obs.isRetransmission = analyseSegment(fwd.tcp, rev.tcp, flow.timing, timeUs, tcp.seq, tcp.ack, tcp.flags, tcp.window, packet.payloadLength);
    if (packet.payloadLength > 0) {
      fwd.tls ??= new TlsRecordTracker();
      fwd.tls.observe(tcp.seq, packet.payload, packet.payloadLength, obs.tlsRecords, timeUs);
      obs.tlsContinuedType = fwd.tls.continuedType;
      if (!obs.isRetransmission) obs.repeatsFixedSizeRecord = noteLoneRecord(fwd, obs.tlsRecords, timeUs);
    }
    return obs;
  }

  private startsNewConnection(flow: Flow, packet: DecodedPacket): boolean {
    const tcp = packet.tcp!;
    if ((tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
    const isInitiator = packet.src === flow.initiator && tcp.srcPort === flow.initiatorPort;
    const synSeq = flow.directions[isInitiator ? 0 : 1].synSeq;
    if (flow.closed || !isInitiator) return true;
    // A repeated SYN with the same ISN is a retransmission of the same attempt.
    return synSeq !== undefined && tcp.seq !== synSeq;
  }

  private createFlow(key: string, initiator: string, initiatorPort: number, timeUs: number): Flow {
    if (this.flows.size >= this.maxFlows) this.sweep(timeUs);
    if (this.flows.size >= this.maxFlows) this.evictLeastRecentlyUsed();
    const flow: Flow = {
      streamIndex: this.nextStreamIndex++,
      initiator,
      initiatorPort,
      lastTimeUs: timeUs,
      closed: false,
      timing: { synTimeUs: -1, firstRttUs: 0 },
      directions: [newDirection(), newDirection()],
    };
    this.flows.set(key, flow);
    return flow;
  }

  private sweep(nowUs: number): void {
    this.lastSweepUs = nowUs;
    for (const [key, flow] of this.flows) {
      const idle = nowUs - flow.lastTimeUs;
      if (idle > (flow.closed ? this.closedTimeoutUs : this.idleTimeoutUs)) {
        this.flows.delete(key);
        this.evicted++;
      } else {
        for (const direction of flow.directions) direction.tls?.expireHeld(nowUs);
      }
    }
  }

  /** Only when the table is full of live flows: a linear scan is fine that rarely. */
  private evictLeastRecentlyUsed(): void {
    let oldestKey: string | undefined;
    let oldestTime = Infinity;
    for (const [key, flow] of this.flows) {
      if (flow.lastTimeUs < oldestTime) {
        oldestTime = flow.lastTimeUs;
        oldestKey = key;
      }
    }
    if (oldestKey !== undefined) {
      this.flows.delete(oldestKey);
      this.evicted++;
    }
  }
}

function noteLoneRecord(direction: DirectionState, records: TlsRecordHeader[], timeUs: number): boolean {
  if (records.length !== 1) return false;
  const record = records[0];
  if (record.contentType !== TlsContentType.APPLICATION_DATA || record.length > PERIODIC_RECORD_MAX_LENGTH) return false;
  const interval = timeUs - direction.lastLoneRecordTimeUs;
  const repeats = record.length === direction.lastLoneRecordLength && interval >= PERIODIC_MIN_INTERVAL_US && interval <= PERIODIC_MAX_INTERVAL_US;
  direction.lastLoneRecordLength = record.length;
  direction.lastLoneRecordTimeUs = timeUs;
  return repeats;
}
