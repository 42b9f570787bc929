// Which of the Echo's packets add bytes to an upload, for the judge: the payload of every packet
// that carries application data (the packet context's one decision, flows/packet-context.ts) to
// an address outside the home network, TCP and UDP alike. The paper's labels play no part: a
// heartbeat label is a name, and an upload dressed as heartbeats (a 41-byte record in front of
// every segment, small segments to Spotify's sync port) is bytes all the same. The Echo's real
// heartbeats (46 B every 30 s) are far under every threshold, so counting them changes nothing.

import type { PacketContext } from '../flows/packet-context.js';

/** Payload bytes this packet adds to an upload episode, or 0. */
export function uploadBytes(context: PacketContext): number {
  return context.carriesAppData && !context.toLocal ? context.packet.payloadLength : 0;
}
