// A decoded frame. Addresses are kept as numeric keys (address-keys.ts) for the packet path and
// turned into text only when something reads `src`, `dst` or `srcMac` (an alert, a CSV row, a
// log line), from the frame's own bytes. `payload` is a view into those bytes: no later stage
// stores it (earshot keeps no payload bytes, only lengths and record headers).

import { ipv4String, ipv6String } from './ip-layer.js';
import type { HttpRequestLine, TcpHeader, UdpHeader } from './types.js';

const EMPTY = new Uint8Array(0);
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class DecodedPacket {
  /** Frame length on the wire (the paper's `length`). */
  frameLength: number;
  vlanId: number | undefined = undefined;
  ipVersion: 4 | 6 = 4;
  /** IP protocol number of the transport (after IPv6 extension headers). */
  ipProtocol = 0;
  /** True for any IPv4/IPv6 fragment; fragments are counted, never reassembled, and carry no transport. */
  isFragment = false;
  tcp: TcpHeader | undefined = undefined;
  udp: UdpHeader | undefined = undefined;
  /** Transport payload length from the IP/UDP length fields (not truncated by the snap length). */
  payloadLength = 0;
  /** The captured part of the transport payload. */
  payload: Uint8Array = EMPTY;
  /**
   * Captured bytes before the transport payload: link, IP and TCP/UDP headers; for other IP
   * protocols (ICMP, fragments) up to the end of the IP headers. The recorder keeps only these.
   */
  headersLength = 0;
  /** Set when the payload starts with an HTTP/1.x request line. */
  httpRequest: HttpRequestLine | undefined = undefined;
  /** Numeric keys of the addresses (exact for IPv4, hashed for IPv6; see address-keys.ts). */
  srcKey = 0;
  dstKey = 0;
  /** Where the addresses start in `bytes`. */
  srcOffset = -1;
  dstOffset = -1;
  /** The source MAC as a 48-bit number, or -1 when the link layer carries none. */
  srcMacKey = -1;
  srcMacOffset = -1;
  private srcText: string | undefined = undefined;
  private dstText: string | undefined = undefined;

  constructor(
    /** The whole captured frame (owned by the packet source's receiver). */
    readonly bytes: Uint8Array,
    readonly timeUs: number,
    frameLength: number,
  ) {
    this.frameLength = frameLength;
  }

  /** The source address as text (RFC 5952 for IPv6); made on first use. */
  get src(): string {
    return (this.srcText ??= this.addressText(this.srcOffset));
  }

  get dst(): string {
    return (this.dstText ??= this.addressText(this.dstOffset));
  }

  /** Source MAC as "aa:bb:cc:dd:ee:ff" when the link layer carries one. */
  get srcMac(): string | undefined {
    const b = this.bytes;
    const o = this.srcMacOffset;
    if (o < 0) return undefined;
    return HEX2[b[o]] + ':' + HEX2[b[o + 1]] + ':' + HEX2[b[o + 2]] + ':' + HEX2[b[o + 3]] + ':' + HEX2[b[o + 4]] + ':' + HEX2[b[o + 5]];
  }

  private addressText(offset: number): string {
    if (offset < 0) return '';
    return this.ipVersion === 4 ? ipv4String(this.bytes, offset) : ipv6String(this.bytes, offset);
  }
}
