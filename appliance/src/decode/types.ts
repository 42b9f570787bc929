// The shapes that flow from the packet sources through the decoder into the flow table.
// Everything here is plain data so the pure stages can be tested bytes-in, values-out.

/** libpcap LINKTYPE_* numbers that the decoder understands. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
} as const;

/** Every link type the decoder reads, by name (12 and 14 are other numbers for raw IP). */
export const SUPPORTED_LINK_TYPES: ReadonlyMap<number, string> = new Map([
  [LinkType.NULL, 'NULL (BSD loopback)'],
  [LinkType.ETHERNET, 'ETHERNET'],
  [LinkType.RAW, 'RAW (IP)'],
  [12, 'RAW (IP)'],
  [14, 'RAW (IP)'],
  [LinkType.LINUX_SLL, 'LINUX_SLL'],
  [LinkType.LINUX_SLL2, 'LINUX_SLL2'],
]);

/** Names for link types a user may well hand in by mistake (Wi-Fi monitor captures, USB, Bluetooth). */
const OTHER_LINK_TYPES: ReadonlyMap<number, string> = new Map([
  [105, 'IEEE802_11'],
  [119, 'PRISM_HEADER'],
  [127, 'IEEE802_11_RADIOTAP'],
  [163, 'IEEE802_11_AVS'],
  [186, 'USB_LINUX'],
  [189, 'USB_LINUX_MMAPPED'],
  [201, 'BLUETOOTH_HCI_H4_WITH_PHDR'],
  [220, 'USB_LINUX_MMAPPED'],
  [249, 'NETLINK'],
]);

/** "127 (IEEE802_11_RADIOTAP)", or just the number when it has no name here. */
export function linkTypeLabel(linkType: number): string {
  const name = SUPPORTED_LINK_TYPES.get(linkType) ?? OTHER_LINK_TYPES.get(linkType);
  return name ? `${linkType} (${name})` : String(linkType);
}

/** One frame as a packet source hands it over. `bytes` is owned by the receiver (already copied). */
export interface CapturedFrame {
  /** Capture time in microseconds since the Unix epoch. A double holds this exactly until year 2255. */
  timeUs: number;
  /** Length of the frame on the wire. */
  originalLength: number;
  /** LINKTYPE_* of the interface the frame came from (pcapng files can mix them). */
  linkType: number;
  bytes: Uint8Array;
}

export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

export interface TcpOptions {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  /** SACK blocks as [left, right) pairs, flattened. */
  sackBlocks?: number[];
  timestampValue?: number;
  timestampEcho?: number;
}

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The low 8 flag bits (FIN..CWR). */
  flags: number;
  window: number;
  headerLength: number;
  options: TcpOptions;
}

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
}

export interface HttpRequestLine {
  method: string;
  target: string;
  version: string;
}

export { DecodedPacket } from './decoded-packet.js';
import type { DecodedPacket } from './decoded-packet.js';

/** Why a frame was skipped. Each reason is counted, never thrown. */
export type SkipReason =
  | 'unsupported-link-type'
  | 'truncated-link-header'
  | 'not-ip'
  | 'truncated-ip-header'
  | 'bad-ip-header'
  | 'truncated-transport-header'
  | 'bad-transport-header';

export type DecodeResult = { ok: true; packet: DecodedPacket } | { ok: false; reason: SkipReason };
