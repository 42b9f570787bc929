// Per-stream state for TCP and UDP: the paper's `delta`, tshark-equivalent retransmission
// analysis, TLS record boundaries, and the memory of fixed-size periodic records. Idle flows are
// swept by capture time so a box that runs for months holds a bounded table. Flows are found by
// a hash of the numeric five-tuple (no key strings on the packet path), and each packet leaves
// with its PacketContext (packet-context.ts).

import { TcpFlag, type DecodedPacket } from '../decode/types.js';
import { isLocalAddressAt } from './local-address.js';
import { newPacketContext, tcpCarriesAppData, type PacketContext } from './packet-context.js';
import { TlsContentType, TlsRecordTracker, type TlsRecordHeader } from './tls-records.js';
import { analyseSegment, newDirectionState, type TcpConnectionTiming, type TcpDirectionState } from './tcp-analysis.js';

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
  /** The five-tuple in canonical order (lower address first), to tell flows in one hash bucket apart. */
  tcp: boolean;
  aKey: number;
  aPort: number;
  bKey: number;
  bPort: number;
  /** The next flow in the same hash bucket. */
  next: Flow | undefined;
  bucket: number;
  initiatorKey: number;
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
  /** Bits of the tuple hash used as the bucket; tests narrow it to make every flow share buckets. */
  bucketMask?: number;
}

/** A periodic record is small and repeats at least this far apart (heartbeats: 30 s and 90.8 s). */
const PERIODIC_RECORD_MAX_LENGTH = 256;
const PERIODIC_MIN_INTERVAL_US = 5_000_000;
const PERIODIC_MAX_INTERVAL_US = 300_000_000;
const SWEEP_INTERVAL_US = 60_000_000;

const newDirection = (): DirectionState => ({ tcp: newDirectionState(), synSeq: undefined, tls: undefined, lastLoneRecordLength: -1, lastLoneRecordTimeUs: 0 });

export class FlowTable {
  /** Hash bucket -> the first flow in it (a chain through `next`). */
  private readonly buckets = new Map<number, Flow>();
  private count = 0;
  private nextStreamIndex = 0;
  private lastSweepUs = 0;
  private readonly idleTimeoutUs: number;
  private readonly closedTimeoutUs: number;
  private readonly maxFlows: number;
  private readonly bucketMask: number;
  /** One context for every packet; its `packet` is set before anything reads it. */
  private readonly context: PacketContext = newPacketContext(undefined as unknown as DecodedPacket);
  evicted = 0;

  constructor(options: FlowTableOptions = {}) {
    this.idleTimeoutUs = options.idleTimeoutUs ?? 15 * 60_000_000;
    this.closedTimeoutUs = options.closedTimeoutUs ?? 2 * 60_000_000;
    this.maxFlows = options.maxFlows ?? 65536;
    this.bucketMask = options.bucketMask ?? 0x3fffffff;
  }

  get size(): number {
    return this.count;
  }

  /** Returns undefined for packets without a TCP or UDP header (fragments, ICMP, ...). */
  observe(packet: DecodedPacket): PacketContext | undefined {
    const tcp = packet.tcp;
    const ports = tcp ?? packet.udp;
    if (!ports) return undefined;
    const timeUs = packet.timeUs;
    if (timeUs - this.lastSweepUs > SWEEP_INTERVAL_US) this.sweep(timeUs);

    const isTcp = tcp !== undefined;
    const { srcKey, dstKey } = packet;
    const forward = srcKey < dstKey || (srcKey === dstKey && ports.srcPort <= ports.dstPort);
    const aKey = forward ? srcKey : dstKey;
    const aPort = forward ? ports.srcPort : ports.dstPort;
    const bKey = forward ? dstKey : srcKey;
    const bPort = forward ? ports.dstPort : ports.srcPort;
    const bucket = tupleHash(isTcp, aKey, aPort, bKey, bPort) & this.bucketMask;
    let flow = this.buckets.get(bucket);
    while (flow !== undefined && !(flow.aKey === aKey && flow.bKey === bKey && flow.aPort === aPort && flow.bPort === bPort && flow.tcp === isTcp)) flow = flow.next;
    if (flow && tcp && this.startsNewConnection(flow, packet)) {
      this.remove(flow);
      flow = undefined;
    }
    const context = this.context;
    context.packet = packet;
    if (!flow) {
      flow = this.createFlow(bucket, isTcp, aKey, aPort, bKey, bPort, srcKey, ports.srcPort, timeUs);
      context.deltaMs = 0;
    } else {
      context.deltaMs = timeUs > flow.lastTimeUs ? Math.floor((timeUs - flow.lastTimeUs) / 1000) : 0;
    }
    flow.lastTimeUs = timeUs;
    const fromInitiator = srcKey === flow.initiatorKey && ports.srcPort === flow.initiatorPort;
    context.streamIndex = flow.streamIndex;
    context.fromInitiator = fromInitiator;
    context.isRetransmission = false;
    context.tlsRecords.length = 0;
    context.tlsContinuedType = 0;
    context.repeatsFixedSizeRecord = false;
    context.toLocal = isLocalAddressAt(packet.bytes, packet.dstOffset, packet.ipVersion);
    if (!tcp) {
      context.carriesAppData = packet.payloadLength > 0;
      return context;
    }

    if ((tcp.flags & (TcpFlag.FIN | TcpFlag.RST)) !== 0) flow.closed = true;
    const fwd = flow.directions[fromInitiator ? 0 : 1];
    const rev = flow.directions[fromInitiator ? 1 : 0];
    if ((tcp.flags & TcpFlag.SYN) !== 0 && fwd.synSeq === undefined) fwd.synSeq = tcp.seq;
    context.isRetransmission = analyseSegment(fwd.tcp, rev.tcp, flow.timing, timeUs, tcp.seq, tcp.ack, tcp.flags, tcp.window, packet.payloadLength);
    if (packet.payloadLength > 0) {
      fwd.tls ??= new TlsRecordTracker();
      fwd.tls.observe(tcp.seq, packet.payload, packet.payloadLength, context.tlsRecords, timeUs);
      context.tlsContinuedType = fwd.tls.continuedType;
      if (!context.isRetransmission) context.repeatsFixedSizeRecord = noteLoneRecord(fwd, context.tlsRecords, timeUs);
    }
    context.carriesAppData = tcpCarriesAppData(context);
    return context;
  }

  private startsNewConnection(flow: Flow, packet: DecodedPacket): boolean {
    const tcp = packet.tcp!;
    if ((tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
    const isInitiator = packet.srcKey === flow.initiatorKey && tcp.srcPort === flow.initiatorPort;
    const synSeq = flow.directions[isInitiator ? 0 : 1].synSeq;
    if (flow.closed || !isInitiator) return true;
    // A repeated SYN with the same ISN is a retransmission of the same attempt.
    return synSeq !== undefined && tcp.seq !== synSeq;
  }

  private createFlow(bucket: number, tcp: boolean, aKey: number, aPort: number, bKey: number, bPort: number, initiatorKey: number, initiatorPort: number, timeUs: number): Flow {
    if (this.count >= this.maxFlows) this.sweep(timeUs);
    if (this.count >= this.maxFlows) this.evictLeastRecentlyUsed();
    const flow: Flow = {
      streamIndex: this.nextStreamIndex++,
      tcp,
      aKey,
      aPort,
      bKey,
      bPort,
      next: this.buckets.get(bucket),
      bucket,
      initiatorKey,
      initiatorPort,
      lastTimeUs: timeUs,
      closed: false,
      timing: { synTimeUs: -1, firstRttUs: 0 },
      directions: [newDirection(), newDirection()],
    };
    this.buckets.set(bucket, flow);
    this.count++;
    return flow;
  }

  private remove(flow: Flow): void {
    const head = this.buckets.get(flow.bucket);
    if (head === flow) {
      if (flow.next) this.buckets.set(flow.bucket, flow.next);
      else this.buckets.delete(flow.bucket);
    } else {
      let before = head;
      while (before && before.next !== flow) before = before.next;
      if (!before) return;
      before.next = flow.next;
    }
    flow.next = undefined;
    this.count--;
  }

  /** Every flow, collected first so removing while walking is safe. */
  private allFlows(): Flow[] {
    const flows: Flow[] = [];
    for (let flow of this.buckets.values()) for (; flow; flow = flow.next!) flows.push(flow);
    return flows;
  }

  private sweep(nowUs: number): void {
    this.lastSweepUs = nowUs;
    for (const flow of this.allFlows()) {
      const idle = nowUs - flow.lastTimeUs;
      if (idle > (flow.closed ? this.closedTimeoutUs : this.idleTimeoutUs)) {
        this.remove(flow);
        this.evicted++;
      } else {
        for (const direction of flow.directions) direction.tls?.expireHeld(nowUs);
      }
    }
  }

  /** Only when the table is full of live flows: a linear scan is fine that rarely. */
  private evictLeastRecentlyUsed(): void {
    let oldest: Flow | undefined;
    for (const flow of this.allFlows()) if (!oldest || flow.lastTimeUs < oldest.lastTimeUs) oldest = flow;
    if (oldest) {
      this.remove(oldest);
      this.evicted++;
    }
  }
}

/** A 30-bit hash of the canonical five-tuple (V8 keeps it a small integer). */
function tupleHash(tcp: boolean, aKey: number, aPort: number, bKey: number, bPort: number): number {
  let h = tcp ? 0x2545f491 : 0x6c8e9cf5;
  h = Math.imul(h ^ (aKey >>> 0), 0xcc9e2d51);
  h = Math.imul(h ^ Math.floor(aKey / 4294967296), 0x1b873593);
  h = Math.imul(h ^ (bKey >>> 0), 0xcc9e2d51);
  h = Math.imul(h ^ Math.floor(bKey / 4294967296), 0x1b873593);
  h = Math.imul(h ^ ((aPort << 16) | bPort), 0x85ebca6b);
  h ^= h >>> 15;
  return h & 0x3fffffff;
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
