// One packet's context: what decode read and what the flow table learned, built once per packet
// in flows/ and read by the features, the classifier's inputs, the upload filter and the judge.
// Whether the packet carries application data is decided here, once, for all of them.

import type { DecodedPacket } from '../decode/types.js';
import { TlsContentType, type TlsRecordHeader } from './tls-records.js';

/** The flow table reuses one context object: read it before the next packet. */
export interface PacketContext {
  packet: DecodedPacket;
  /** The connection, numbered in order of first sight (tshark's tcp.stream/udp.stream order). */
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
  /**
   * The packet carries new application payload: UDP payload, plain TCP payload, or a TCP segment
   * in which any TLS application-data record starts or continues. Not retransmissions (their
   * bytes came the first time) and not segments of only handshake, alert or heartbeat records.
   * Any app-data record counts, not just the first, so no prefix of another record type hides one.
   */
  carriesAppData: boolean;
  /** The destination is on the home network (local-address.ts). */
  toLocal: boolean;
}

export function newPacketContext(packet: DecodedPacket): PacketContext {
  return {
    packet,
    streamIndex: 0,
    deltaMs: 0,
    fromInitiator: true,
    isRetransmission: false,
    tlsRecords: [],
    tlsContinuedType: 0,
    repeatsFixedSizeRecord: false,
    carriesAppData: false,
    toLocal: false,
  };
}

/** The app-data decision for a TCP segment whose records the flow table has just read. */
export function tcpCarriesAppData(context: PacketContext): boolean {
  if (context.packet.payloadLength === 0 || context.isRetransmission) return false;
  const records = context.tlsRecords;
  const continued = context.tlsContinuedType;
  if (continued === TlsContentType.APPLICATION_DATA) return true;
  if (records.length === 0) return continued === 0;
  for (let i = 0; i < records.length; i++) if (records[i].contentType === TlsContentType.APPLICATION_DATA) return true;
  return false;
}
