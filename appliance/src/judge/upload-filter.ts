// Which of the Echo's packets add bytes to an upload, for the judge. Whether a packet carries
// application data is the packet context's decision (flows/packet-context.ts); here only what
// the judge leaves out of it: the home network, and the labelling rules' heartbeats, but only
// heartbeat-sized ones, so no upload escapes by being dressed as a heartbeat (a 41-byte record in
// front of every segment, or bulk data to Spotify's sync port).

import type { PacketClass } from '../features/packet-class.js';
import type { PacketContext } from '../flows/packet-context.js';

/**
 * A segment up to this long may be left out as a heartbeat: the Echo's are 33-46 bytes, the
 * periodic records the flow table recognises at most 256 + a header; a second of the slowest
 * audio is many times more.
 */
export const HEARTBEAT_MAX_PAYLOAD = 512;

/** Payload bytes this TCP packet adds to an upload episode, or 0. */
export function tcpUploadBytes(context: PacketContext, packetClass: PacketClass): number {
  if (!context.carriesAppData || context.toLocal) return 0;
  const bytes = context.packet.payloadLength;
  if (packetClass === 'heartbeat' && bytes <= HEARTBEAT_MAX_PAYLOAD) return 0;
  return bytes;
}

/** UDP payload to a non-local address (RTP-like calls, QUIC, anything else): all of it counts. */
export function udpUploadBytes(context: PacketContext): number {
  return context.carriesAppData && !context.toLocal ? context.packet.payloadLength : 0;
}
