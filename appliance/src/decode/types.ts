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

/**
 * A decoded frame. `payload` is a view into the frame's bytes (never stored by later stages:
 * earshot keeps no payload bytes, only lengths and record headers).
 */
export interface DecodedPacket {
  timeUs: number;
  /** Frame length on the wire (the paper's `length`). */
  frameLength: number;
  /** Source MAC as "aa:bb:cc:dd:ee:ff" when the link layer carries one. */
  srcMac: string | undefined;
  vlanId: number | undefined;
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  /** IP protocol number of the transport (after IPv6 extension headers). */
  ipProtocol: number;
  /** True for any IPv4/IPv6 fragment; fragments are counted, never reassembled, and carry no transport. */
  isFragment: boolean;
  tcp: TcpHeader | undefined;
  udp: UdpHeader | undefined;
  /** Transport payload length from the IP/UDP length fields (not truncated by the snap length). */
  payloadLength: number;
  /** The captured part of the transport payload. */
  payload: Uint8Array;
  /**
   * Captured bytes before the transport payload: link, IP and TCP/UDP headers; for other IP
   * protocols (ICMP, fragments) up to the end of the IP headers. The recorder keeps only these.
   */
  headersLength: number;
  /** Set when the payload starts with an HTTP/1.x request line. */
  httpRequest: HttpRequestLine | undefined;
}

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
