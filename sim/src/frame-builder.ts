// Builds well-formed Ethernet/IPv4/IPv6/TCP/UDP frames with valid checksums. Tests, the demo
// capture and the benchmark all generate their traffic with it, so no captured bytes are committed.

export interface Endpoint {
  mac: string;
  ip: string;
  port: number;
}

export interface TcpSegmentSpec {
  from: Endpoint;
  to: Endpoint;
  seq: number;
  ack: number;
  /** TCP flag bits; see TcpFlag. */
  flags: number;
  window?: number;
  payload?: Uint8Array;
  /** Raw TCP option bytes (padded to a multiple of 4 by the builder). */
  options?: Uint8Array;
  vlanId?: number;
  ttl?: number;
  /** Raw IPv4 option bytes (padded to a multiple of 4). */
  ipOptions?: Uint8Array;
  /** IPv4 identification; by default a module-wide counter (pass it for reproducible bytes). */
  ipId?: number;
}

export interface UdpDatagramSpec {
  from: Endpoint;
  to: Endpoint;
  payload: Uint8Array;
  vlanId?: number;
  ttl?: number;
  ipId?: number;
}

export function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export function ipv4Bytes(ip: string): Uint8Array {
  return Uint8Array.from(ip.split('.').map((d) => Number(d)));
}

export function ipv6Bytes(ip: string): Uint8Array {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

const isV6 = (ip: string): boolean => ip.includes(':');

/** RFC 1071 one's-complement sum, folded; `initial` carries a pseudo-header sum. */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  let sum = 0;
  for (const a of [src, dst]) for (let i = 0; i < a.length; i += 2) sum += (a[i] << 8) | a[i + 1];
  sum += protocol + (length >>> 16) + (length & 0xffff);
  return sum;
}

function padTo4(bytes: Uint8Array | undefined): Uint8Array {
  if (!bytes || bytes.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(Math.ceil(bytes.length / 4) * 4); // zero padding is End-of-Options
  out.set(bytes);
  return out;
}

function ethernetHeader(from: Endpoint, to: Endpoint, etherType: number, vlanId?: number): Uint8Array {
  const header = new Uint8Array(vlanId === undefined ? 14 : 18);
  header.set(macBytes(to.mac), 0);
  header.set(macBytes(from.mac), 6);
  const view = new DataView(header.buffer);
  if (vlanId === undefined) view.setUint16(12, etherType);
  else {
    view.setUint16(12, 0x8100);
    view.setUint16(14, vlanId & 0x0fff);
    view.setUint16(16, etherType);
  }
  return header;
}

let ipIdentification = 1;

function ipPacket(from: Endpoint, to: Endpoint, protocol: number, transport: Uint8Array, ttl = 64, ipOptions?: Uint8Array, ipId?: number): Uint8Array {
  if (isV6(from.ip)) {
    const header = new Uint8Array(40);
    const view = new DataView(header.buffer);
    view.setUint32(0, 0x60000000);
    view.setUint16(4, transport.length);
    header[6] = protocol;
    header[7] = ttl;
    header.set(ipv6Bytes(from.ip), 8);
    header.set(ipv6Bytes(to.ip), 24);
    return concat(header, transport);
  }
  const options = padTo4(ipOptions);
  const header = new Uint8Array(20 + options.length);
  const view = new DataView(header.buffer);
  header[0] = 0x40 | (header.length / 4);
  view.setUint16(2, header.length + transport.length);
  view.setUint16(4, (ipId ?? ipIdentification++) & 0xffff);
  view.setUint16(6, 0x4000); // don't fragment
  header[8] = ttl;
  header[9] = protocol;
  header.set(ipv4Bytes(from.ip), 12);
  header.set(ipv4Bytes(to.ip), 16);
  header.set(options, 20);
  view.setUint16(10, internetChecksum(header));
  return concat(header, transport);
}

function transportChecksum(from: Endpoint, to: Endpoint, protocol: number, segment: Uint8Array): number {
  const src = isV6(from.ip) ? ipv6Bytes(from.ip) : ipv4Bytes(from.ip);
  const dst = isV6(to.ip) ? ipv6Bytes(to.ip) : ipv4Bytes(to.ip);
  return internetChecksum(segment, pseudoHeaderSum(src, dst, protocol, segment.length));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A complete Ethernet frame carrying one TCP segment. */
export function tcpFrame(spec: TcpSegmentSpec): Uint8Array {
  const options = padTo4(spec.options);
  const payload = spec.payload ?? new Uint8Array(0);
  const segment = new Uint8Array(20 + options.length + payload.length);
  const view = new DataView(segment.buffer);
  view.setUint16(0, spec.from.port);
  view.setUint16(2, spec.to.port);
  view.setUint32(4, spec.seq >>> 0);
  view.setUint32(8, spec.ack >>> 0);
  segment[12] = ((20 + options.length) / 4) << 4;
  segment[13] = spec.flags & 0xff;
  view.setUint16(14, spec.window ?? 502);
  segment.set(options, 20);
  segment.set(payload, 20 + options.length);
  view.setUint16(16, transportChecksum(spec.from, spec.to, 6, segment));
  const etherType = isV6(spec.from.ip) ? 0x86dd : 0x0800;
  return concat(ethernetHeader(spec.from, spec.to, etherType, spec.vlanId), ipPacket(spec.from, spec.to, 6, segment, spec.ttl, spec.ipOptions, spec.ipId));
}

/** A complete Ethernet frame carrying one UDP datagram. */
export function udpFrame(spec: UdpDatagramSpec): Uint8Array {
  const segment = new Uint8Array(8 + spec.payload.length);
  const view = new DataView(segment.buffer);
  view.setUint16(0, spec.from.port);
  view.setUint16(2, spec.to.port);
  view.setUint16(4, segment.length);
  segment.set(spec.payload, 8);
  const checksum = transportChecksum(spec.from, spec.to, 17, segment);
  view.setUint16(6, checksum === 0 ? 0xffff : checksum);
  const etherType = isV6(spec.from.ip) ? 0x86dd : 0x0800;
  return concat(ethernetHeader(spec.from, spec.to, etherType, spec.vlanId), ipPacket(spec.from, spec.to, 17, segment, spec.ttl, undefined, spec.ipId));
}

/** TCP options as a client sends them on SYN: MSS, SACK-permitted, timestamps, window scale. */
export function synOptions(tsVal = 1, mss = 1460): Uint8Array {
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  out.set([2, 4], 0);
  view.setUint16(2, mss);
  out.set([4, 2], 4);
  out.set([8, 10], 6);
  view.setUint32(8, tsVal);
  view.setUint32(12, 0);
  out.set([1, 3, 3, 7], 16);
  return out;
}

/** NOP, NOP, timestamps: what Linux puts on every established-state segment. */
export function timestampOptions(tsVal: number, tsEcr: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  out.set([1, 1, 8, 10], 0);
  view.setUint32(4, tsVal >>> 0);
  view.setUint32(8, tsEcr >>> 0);
  return out;
}

/** A TLS record header followed by `length` bytes of filler (stand-in ciphertext). */
export function tlsRecord(contentType: number, length: number, fill = 0xa5, version = 0x0303): Uint8Array {
  const out = new Uint8Array(5 + length).fill(fill);
  out[0] = contentType;
  out[1] = version >> 8;
  out[2] = version & 0xff;
  out[3] = length >> 8;
  out[4] = length & 0xff;
  return out;
}

// Other link layers and IP shapes, so decoder tests and fuzz seeds need no captured bytes either.

/** Offset of the network header in an Ethernet frame, past any VLAN tags. */
function etherPayloadOffset(frame: Uint8Array): number {
  let typeOffset = 12;
  for (;;) {
    const type = (frame[typeOffset] << 8) | frame[typeOffset + 1];
    if (type !== 0x8100 && type !== 0x88a8) return typeOffset + 2;
    typeOffset += 4;
  }
}

export interface IpPacketSpec {
  from: Endpoint;
  to: Endpoint;
  /** IP protocol number (IPv6: the next header after the fixed header). */
  protocol: number;
  /** Everything after the IP header, taken as is (no checksum is filled in). */
  transport: Uint8Array;
  vlanId?: number;
  ttl?: number;
  ipOptions?: Uint8Array;
}

/** An Ethernet frame carrying any IP protocol (ESP, no-next-header, ...) over the given bytes. */
export function ipFrame(spec: IpPacketSpec): Uint8Array {
  const etherType = isV6(spec.from.ip) ? 0x86dd : 0x0800;
  return concat(ethernetHeader(spec.from, spec.to, etherType, spec.vlanId), ipPacket(spec.from, spec.to, spec.protocol, spec.transport, spec.ttl, spec.ipOptions));
}

/** An ICMP (IPv4) or ICMPv6 echo request with a valid checksum. */
export function icmpEchoFrame(spec: { from: Endpoint; to: Endpoint; identifier: number; sequence: number; payload?: Uint8Array }): Uint8Array {
  const v6 = isV6(spec.from.ip);
  const payload = spec.payload ?? new Uint8Array(0);
  const message = new Uint8Array(8 + payload.length);
  const view = new DataView(message.buffer);
  message[0] = v6 ? 128 : 8;
  view.setUint16(4, spec.identifier);
  view.setUint16(6, spec.sequence);
  message.set(payload, 8);
  view.setUint16(2, v6 ? transportChecksum(spec.from, spec.to, 58, message) : internetChecksum(message));
  return ipFrame({ from: spec.from, to: spec.to, protocol: v6 ? 58 : 1, transport: message });
}

/** A broadcast ARP who-has request. */
export function arpRequestFrame(from: Endpoint, targetIp: string): Uint8Array {
  const arp = new Uint8Array(28);
  const view = new DataView(arp.buffer);
  view.setUint16(0, 1);
  view.setUint16(2, 0x0800);
  arp[4] = 6;
  arp[5] = 4;
  view.setUint16(6, 1);
  arp.set(macBytes(from.mac), 8);
  arp.set(ipv4Bytes(from.ip), 14);
  arp.set(ipv4Bytes(targetIp), 24);
  const broadcast: Endpoint = { mac: 'ff:ff:ff:ff:ff:ff', ip: targetIp, port: 0 };
  return concat(ethernetHeader(from, broadcast, 0x0806), arp);
}

export interface VlanTag {
  /** 0x8100 (802.1Q, the default) or 0x88a8 (802.1ad service tag). */
  tpid?: number;
  vlanId: number;
  priority?: number;
}

/** Inserts VLAN tags (outermost first) after the MAC addresses of an Ethernet frame. */
export function withVlanTags(frame: Uint8Array, tags: VlanTag[]): Uint8Array {
  const inserted = new Uint8Array(tags.length * 4);
  const view = new DataView(inserted.buffer);
  tags.forEach((tag, i) => {
    view.setUint16(i * 4, tag.tpid ?? 0x8100);
    view.setUint16(i * 4 + 2, ((tag.priority ?? 0) << 13) | (tag.vlanId & 0x0fff));
  });
  return concat(frame.subarray(0, 12), inserted, frame.subarray(12));
}

/** Re-wraps an Ethernet frame as Linux cooked capture v1 (LINKTYPE_LINUX_SLL); VLAN tags stay in the payload. */
export function toLinuxSll(frame: Uint8Array, packetType = 0): Uint8Array {
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setUint16(0, packetType);
  view.setUint16(2, 1); // ARPHRD_ETHER
  view.setUint16(4, 6);
  header.set(frame.subarray(6, 12), 6);
  header.set(frame.subarray(12, 14), 14);
  return concat(header, frame.subarray(14));
}

/** Re-wraps an Ethernet frame as Linux cooked capture v2 (LINKTYPE_LINUX_SLL2). */
export function toLinuxSll2(frame: Uint8Array, packetType = 0, interfaceIndex = 2): Uint8Array {
  const header = new Uint8Array(20);
  const view = new DataView(header.buffer);
  header.set(frame.subarray(12, 14), 0);
  view.setUint32(4, interfaceIndex);
  view.setUint16(8, 1); // ARPHRD_ETHER
  header[10] = packetType;
  header[11] = 6;
  header.set(frame.subarray(6, 12), 12);
  return concat(header, frame.subarray(14));
}

/** The IP packet inside an Ethernet frame, as LINKTYPE_RAW carries it. */
export function toRawIp(frame: Uint8Array): Uint8Array {
  return frame.slice(etherPayloadOffset(frame));
}

/** The IP packet behind a BSD loopback header (LINKTYPE_NULL); AF_INET6 is 30 on Darwin. */
export function toLoopback(frame: Uint8Array, littleEndian = true, inet6Family = 30): Uint8Array {
  const ip = toRawIp(frame);
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, ip[0] >> 4 === 6 ? inet6Family : 2, littleEndian);
  return concat(header, ip);
}

/** A copy of an Ethernet IPv4 frame with the fragment fields set and the header checksum redone. */
export function asIpv4Fragment(frame: Uint8Array, fragmentOffset: number, moreFragments: boolean): Uint8Array {
  const out = frame.slice();
  const ip = etherPayloadOffset(out);
  const view = new DataView(out.buffer, out.byteOffset);
  view.setUint16(ip + 6, (moreFragments ? 0x2000 : 0) | ((fragmentOffset >> 3) & 0x1fff));
  view.setUint16(ip + 10, 0);
  view.setUint16(ip + 10, internetChecksum(out.subarray(ip, ip + (out[ip] & 0x0f) * 4)));
  return out;
}

export interface Ipv6ExtensionHeader {
  /** 0 hop-by-hop, 43 routing, 44 fragment, 51 AH, 60 destination options. */
  type: number;
  /** The bytes after next-header and length; zero-padded to the header's unit (Pad1 options). */
  body?: Uint8Array;
}

/** An IPv6 fragment header: `offset` in bytes (a multiple of 8). */
export function ipv6FragmentHeader(offset: number, moreFragments: boolean, identification: number): Ipv6ExtensionHeader {
  const body = new Uint8Array(6);
  const view = new DataView(body.buffer);
  view.setUint16(0, (offset & 0xfff8) | (moreFragments ? 1 : 0));
  view.setUint32(2, identification >>> 0);
  return { type: 44, body };
}

function encodeExtensionHeader(header: Ipv6ExtensionHeader, next: number): Uint8Array {
  const body = header.body ?? new Uint8Array(0);
  const size = header.type === 44 ? 8 : Math.max(8, Math.ceil((2 + body.length) / 8) * 8);
  const out = new Uint8Array(size);
  out[0] = next;
  if (header.type === 51) out[1] = size / 4 - 2;
  else if (header.type !== 44) out[1] = size / 8 - 1;
  out.set(body.subarray(0, size - 2), 2);
  return out;
}

/** A copy of an Ethernet IPv6 frame with extension headers inserted between the fixed header and the transport. */
export function withIpv6ExtensionHeaders(frame: Uint8Array, headers: Ipv6ExtensionHeader[]): Uint8Array {
  const ip = etherPayloadOffset(frame);
  const encoded = headers.map((h, i) => encodeExtensionHeader(h, i + 1 < headers.length ? headers[i + 1].type : frame[ip + 6]));
  const out = concat(frame.subarray(0, ip + 40), ...encoded, frame.subarray(ip + 40));
  const view = new DataView(out.buffer);
  if (headers.length > 0) out[ip + 6] = headers[0].type;
  view.setUint16(ip + 4, view.getUint16(ip + 4) + encoded.reduce((n, e) => n + e.length, 0));
  return out;
}
