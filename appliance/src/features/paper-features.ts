// The paper's per-packet features for packets the Echo sends, plus `payload` (the TCP payload
// length), and the labelling rules that reproduce the paper's collection phase.

import { ipv4Text, ipv6String } from '../decode/ip-layer.js';
import { TcpFlag } from '../decode/types.js';
import type { PacketContext } from '../flows/packet-context.js';
import { TlsContentType } from '../flows/tls-records.js';
import type { MicContext } from '../mic/mic-state.js';
import type { PacketClass } from './packet-class.js';

/** The paper's `highest_layer` codes. Other protocols are not rows of the dataset. */
export const HighestLayer = { TLS: 0, TCP: 1, DATA: 2, HTTP: 3 } as const;
export type HighestLayerCode = (typeof HighestLayer)[keyof typeof HighestLayer];

export interface PaperFeatures {
  timeUs: number;
  /** Frame length on the wire, as the paper's `length` column really holds. */
  length: number;
  dstip: string;
  dstport: number;
  highestLayer: HighestLayerCode;
  delta: number;
  ackFlag: 0 | 1;
  /** 1 on, 0 muted, undefined when the mic state is unknown. */
  microphone: 0 | 1 | undefined;
  /** Type of the first TLS record that starts in the segment; undefined when not TLS. */
  contentType: number | undefined;
  payload: number;
  /** The labelling rules' class: the dataset's label, and what the judge's upload filter reads. */
  packetClass: PacketClass;
  /** The class earshot reports (events, counts, Home Assistant): the forest's when a model is loaded. */
  reportedClass: PacketClass;
}

/** Spotify's sync port: the paper labels its DATA packets as heartbeats. */
const SPOTIFY_SYNC_PORT = 4070;
/** The paper's capture rules treat an 11-byte TCP payload as a sync packet. */
const SYNC_PAYLOAD_LENGTH = 11;
const HEARTBEAT_RECORD_LENGTHS = new Set([41, 28]);

/**
 * tshark's view of the highest layer, reduced to the paper's four codes: a segment in which a
 * TLS record header starts is TLS; a continuation of a TLS record is TCP (tshark shows it as a
 * reassembled-PDU segment); an HTTP request line is HTTP; other payload is DATA; none is TCP.
 */
export function highestLayerOf(context: PacketContext): HighestLayerCode {
  const { packet, tlsRecords, tlsContinuedType } = context;
  if (packet.payloadLength === 0) return HighestLayer.TCP;
  if (tlsRecords.length > 0) return HighestLayer.TLS;
  if (tlsContinuedType !== 0) return HighestLayer.TCP;
  if (packet.httpRequest) return HighestLayer.HTTP;
  return HighestLayer.DATA;
}

/** The context label for application data, from the mic state at the packet's time. */
export function contextClass(mic: MicContext): PacketClass {
  switch (mic) {
    case 'muted':
      return 'not_justified';
    case 'listening':
    case 'grace':
      return 'expected';
    case 'idle':
    case 'unknown':
      // Without a sensor the paper's "mic on, no interaction" is the only honest default.
      return 'justified';
  }
}

/**
 * The labelling rules of design.md section 1, with retransmissions detected as tshark does. The
 * label is the paper's, so the first record that starts in the segment names it, as in the
 * dataset. It is a name, not the app-data decision: the judge counts bytes by the context's
 * `carriesAppData` (any app-data record), so a record of another kind in front hides nothing.
 */
export function labelPacket(context: PacketContext, highestLayer: HighestLayerCode, mic: MicContext): PacketClass {
  const packet = context.packet;
  const tcp = packet.tcp;
  if (!tcp) return 'not_relevant';
  if (context.isRetransmission) return 'retransmit';
  const hasAck = (tcp.flags & TcpFlag.ACK) !== 0;
  if (packet.payloadLength === 0) return hasAck ? 'ack' : 'retransmit';
  if (highestLayer === HighestLayer.TLS) {
    const first = context.tlsRecords[0];
    if (first.contentType !== TlsContentType.APPLICATION_DATA) {
      return first.contentType === TlsContentType.HEARTBEAT ? 'heartbeat' : 'handshake';
    }
    if (HEARTBEAT_RECORD_LENGTHS.has(first.length) || context.repeatsFixedSizeRecord) return 'heartbeat';
    return contextClass(mic);
  }
  if (packet.payloadLength === SYNC_PAYLOAD_LENGTH) return 'heartbeat';
  if (highestLayer === HighestLayer.DATA && tcp.dstPort === SPOTIFY_SYNC_PORT) return 'heartbeat';
  return 'not_relevant';
}

export function paperFeatures(context: PacketContext, mic: MicContext): PaperFeatures | undefined {
  const packet = context.packet;
  const tcp = packet.tcp;
  if (!tcp) return undefined;
  const highestLayer = highestLayerOf(context);
  const packetClass = labelPacket(context, highestLayer, mic);
  return new RowOfFeatures(packet, highestLayer, context.deltaMs, mic, highestLayer === HighestLayer.TLS ? context.tlsRecords[0].contentType : undefined, packetClass);
}

/** `dstip` is text only when something reads it (a CSV row, a JSON line): the packet path never does. */
class RowOfFeatures implements PaperFeatures {
  readonly timeUs: number;
  readonly length: number;
  readonly dstport: number;
  readonly ackFlag: 0 | 1;
  readonly microphone: 0 | 1 | undefined;
  readonly payload: number;
  reportedClass: PacketClass;
  /** The IPv4 destination as its number, or an IPv6 one's 16 bytes: never the frame (it holds payload). */
  private readonly dstIpv4: number;
  private readonly dstIpv6: Uint8Array | undefined;

  constructor(
    packet: PacketContext['packet'],
    readonly highestLayer: HighestLayerCode,
    readonly delta: number,
    mic: MicContext,
    readonly contentType: number | undefined,
    readonly packetClass: PacketClass,
  ) {
    this.timeUs = packet.timeUs;
    this.length = packet.frameLength;
    this.dstport = packet.tcp!.dstPort;
    this.ackFlag = (packet.tcp!.flags & TcpFlag.ACK) !== 0 ? 1 : 0;
    this.microphone = mic === 'muted' ? 0 : mic === 'unknown' ? undefined : 1;
    this.payload = packet.payloadLength;
    this.reportedClass = packetClass;
    this.dstIpv4 = packet.ipVersion === 4 ? packet.dstKey : -1;
    this.dstIpv6 = packet.ipVersion === 6 ? packet.bytes.slice(packet.dstOffset, packet.dstOffset + 16) : undefined;
  }

  get dstip(): string {
    return this.dstIpv6 ? ipv6String(this.dstIpv6, 0) : ipv4Text(this.dstIpv4);
  }
}
