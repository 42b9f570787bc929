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
}

export interface UdpDatagramSpec {
  from: Endpoint;
  to: Endpoint;
  payload: Uint8Array;
  vlanId?: number;
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

function ipPacket(from: Endpoint, to: Endpoint, protocol: number, transport: Uint8Array, ttl = 64, ipOptions?: Uint8Array): Uint8Array {
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
  view.setUint16(4, ipIdentification++ & 0xffff);
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
  return concat(ethernetHeader(spec.from, spec.to, etherType, spec.vlanId), ipPacket(spec.from, spec.to, 6, segment, spec.ttl, spec.ipOptions));
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
  return concat(ethernetHeader(spec.from, spec.to, etherType, spec.vlanId), ipPacket(spec.from, spec.to, 17, segment));
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
