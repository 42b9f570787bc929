// Which of the Echo's packets are "application data to the internet" for the judge. The
// labelling rules (or the forest) decide what is a heartbeat; UDP has no heartbeat class, and
// its background (DNS, NTP) stays far under the judge's thresholds.

import type { DecodedPacket } from '../decode/types.js';
import { TlsContentType } from '../decode/tls-records.js';
import type { PacketClass } from '../features/packet-class.js';
import type { FlowObservation } from '../flows/flow-table.js';
import { isLocalAddress } from '../flows/local-address.js';

/**
 * Payload bytes this packet adds to an upload episode, or 0. Counted: TLS application data
 * (including segments that continue an app-data record) and plain-TCP payload, sent to a
 * non-local address. Not counted: heartbeats, handshakes and alerts, retransmissions (the
 * bytes were counted the first time), bare ACKs, and anything to the home network.
 */
export function tcpUploadBytes(packet: DecodedPacket, obs: FlowObservation, packetClass: PacketClass): number {
  if (!packet.tcp || packet.payloadLength === 0 || obs.isRetransmission) return 0;
  if (packetClass === 'heartbeat' || isLocalAddress(packet.dst)) return 0;
  const records = obs.tlsRecords;
  if (records.length === 0 && obs.tlsContinuedType === 0) return packet.payloadLength;
  if (obs.tlsContinuedType === TlsContentType.APPLICATION_DATA) return packet.payloadLength;
  for (const record of records) if (record.contentType === TlsContentType.APPLICATION_DATA) return packet.payloadLength;
  return 0;
}

/** UDP payload to a non-local address (RTP-like calls, QUIC, anything else): all of it counts. */
export function udpUploadBytes(packet: DecodedPacket): number {
  if (!packet.udp || isLocalAddress(packet.dst)) return 0;
  return packet.payloadLength;
}
