import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeCounters, SKIP_REASONS, decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { LinkType, TcpFlag, type CapturedFrame, type DecodeResult } from '../../appliance/src/decode/types.js';
import {
  arpRequestFrame,
  asIpv4Fragment,
  icmpEchoFrame,
  ipFrame,
  ipv6FragmentHeader,
  synOptions,
  tcpFrame,
  timestampOptions,
  tlsRecord,
  toLinuxSll,
  toLinuxSll2,
  toLoopback,
  toRawIp,
  udpFrame,
  withIpv6ExtensionHeaders,
  withVlanTags,
  type Endpoint,
} from '../../sim/src/frame-builder.js';
import { cloud, echo } from '../support/decode-fixtures.js';
import { mulberry32 } from '../../sim/src/seeded-random.js';

const FRAMES = Number(process.env.EARSHOT_FUZZ_FRAMES ?? 100000);
const SEED = Number(process.env.EARSHOT_FUZZ_SEED ?? 0x5eed);


const echo6: Endpoint = { ...echo, ip: '2001:db8::50' };
const cloud6: Endpoint = { ...cloud, ip: '2600:1f18:0:1::a' };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Seed {
  linkType: number;
  bytes: Uint8Array;
  /** Offsets of the IP and transport headers, for the length-field mutations. */
  ip: number;
  transport: number;
}

function ipOffset(b: Uint8Array, linkType: number): number {
  if (linkType === LinkType.NULL) return 4;
  if (linkType === LinkType.LINUX_SLL2) return 20;
  if (linkType !== LinkType.ETHERNET && linkType !== LinkType.LINUX_SLL) return 0;
  let typeAt = linkType === LinkType.ETHERNET ? 12 : 14;
  while (b[typeAt] === 0x81 || b[typeAt] === 0x88) typeAt += 4;
  return typeAt + 2;
}

function transportOffset(b: Uint8Array, ip: number): number {
  if (b[ip] >> 4 === 4) return ip + (b[ip] & 15) * 4;
  let next = b[ip + 6];
  let p = ip + 40;
  while ([0, 43, 44, 51, 60].includes(next)) {
    const length = next === 44 ? 8 : next === 51 ? (b[p + 1] + 2) * 4 : (b[p + 1] + 1) * 8;
    next = b[p];
    p += length;
  }
  return p;
}

function seed(linkType: number, bytes: Uint8Array): Seed {
  const ip = ipOffset(bytes, linkType);
  return { linkType, bytes, ip, transport: transportOffset(bytes, ip) };
}

function buildSeeds(): Seed[] {
  const tcp = (from: Endpoint, to: Endpoint, extra: Partial<Parameters<typeof tcpFrame>[0]> = {}): Uint8Array =>
    tcpFrame({ from, to, seq: 0x7ffffff0, ack: 0xfffffff0, flags: TcpFlag.ACK | TcpFlag.PSH, ...extra });
  const sack = Uint8Array.from([1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9]);
  const established = tcp(echo, cloud, { options: Uint8Array.from([...timestampOptions(5, 6), ...sack]), payload: tlsRecord(23, 600) });
  const v6Tcp = tcp(echo6, cloud6, { payload: tlsRecord(23, 120), options: timestampOptions(1, 2) });
  const padded = new Uint8Array(60);
  padded.set(tcp(echo, cloud));
  const E = LinkType.ETHERNET;
  return [
    seed(E, tcp(echo, cloud, { flags: TcpFlag.SYN, options: synOptions() })),
    seed(E, established),
    seed(E, tcp(echo, { ...cloud, port: 80 }, { payload: text('GET /v1/directives?x=1 HTTP/1.1\r\nHost: a\r\n\r\n') })),
    seed(E, tcp(echo, cloud, { ipOptions: Uint8Array.from([148, 4, 0, 0]), payload: tlsRecord(22, 40) })),
    seed(E, padded),
    seed(E, udpFrame({ from: echo, to: { ...cloud, port: 53 }, payload: new Uint8Array(30).fill(3), vlanId: 12 })),
    seed(E, withVlanTags(tcp(echo, cloud, { payload: tlsRecord(23, 64) }), [{ tpid: 0x88a8, vlanId: 300 }, { vlanId: 20 }])),
    seed(E, withIpv6ExtensionHeaders(v6Tcp, [{ type: 0, body: Uint8Array.from([5, 2, 0, 0]) }, { type: 60 }])),
    seed(E, withIpv6ExtensionHeaders(udpFrame({ from: echo6, to: cloud6, payload: new Uint8Array(20) }), [{ type: 43, body: new Uint8Array(22) }, { type: 51, body: new Uint8Array(14) }])),
    seed(E, withIpv6ExtensionHeaders(v6Tcp, [ipv6FragmentHeader(0, true, 77)])),
    seed(E, withIpv6ExtensionHeaders(ipFrame({ from: echo6, to: cloud6, protocol: 50, transport: new Uint8Array(48) }), [{ type: 0 }])),
    seed(E, ipFrame({ from: echo6, to: cloud6, protocol: 59, transport: new Uint8Array(0) })),
    seed(E, asIpv4Fragment(established, 0, true)),
    seed(E, asIpv4Fragment(established, 1480, false)),
    seed(E, icmpEchoFrame({ from: echo, to: cloud, identifier: 1, sequence: 1, payload: new Uint8Array(56) })),
    seed(E, icmpEchoFrame({ from: echo6, to: cloud6, identifier: 1, sequence: 1, payload: new Uint8Array(56) })),
    seed(E, arpRequestFrame(echo, '192.168.1.1')),
    seed(E, udpFrame({ from: echo6, to: cloud6, payload: new Uint8Array(100) })),
    seed(LinkType.LINUX_SLL, toLinuxSll(established)),
    seed(LinkType.LINUX_SLL, toLinuxSll(tcp(echo, cloud, { vlanId: 5 }))),
    seed(LinkType.LINUX_SLL2, toLinuxSll2(v6Tcp)),
    seed(LinkType.RAW, toRawIp(established)),
    seed(12, toRawIp(v6Tcp)),
    seed(14, toRawIp(udpFrame({ from: echo, to: cloud, payload: new Uint8Array(8) }))),
    seed(LinkType.NULL, toLoopback(established, true)),
    seed(LinkType.NULL, toLoopback(v6Tcp, false, 28)),
  ];
}

const LINK_TYPES = [0, 1, 12, 14, 101, 113, 276];
const NEXT_HEADERS = [0, 6, 17, 43, 44, 50, 51, 59, 60, 58, 1];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE']);

function mutate(s: Seed, rand: () => number): CapturedFrame {
  const int = (n: number): number => Math.floor(rand() * n);
  // Boundary values find off-by-one errors far more often than uniform ones.
  const interesting = (original: number, max: number): number => [0, 1, original - 1, original + 1, max, int(max + 1), original >> 1, original * 2][int(8)] & max;
  const put16 = (b: Uint8Array, at: number, v: number): void => {
    b[at] = v >> 8;
    b[at + 1] = v;
  };
  if (rand() < 0.02) {
    const noise = Uint8Array.from({ length: int(120) }, () => int(256));
    return { timeUs: 0, originalLength: noise.length, linkType: rand() < 0.8 ? LINK_TYPES[int(7)] : int(300), bytes: noise };
  }
  let b = s.bytes.slice();
  let linkType = s.linkType;
  const { ip, transport } = s;
  const v6 = b[ip] >> 4 === 6;
  for (let n = 1 + int(3); n > 0; n--) {
    switch (int(8)) {
      case 0:
        for (let k = 1 + int(4); k > 0; k--) b[int(b.length)] = int(256);
        break;
      case 1:
        b = b.subarray(0, int(b.length + 1));
        break;
      case 2:
        if (v6) put16(b, ip + 4, interesting((b[ip + 4] << 8) | b[ip + 5], 0xffff));
        else put16(b, ip + 2, interesting((b[ip + 2] << 8) | b[ip + 3], 0xffff));
        break;
      case 3:
        if (v6) b[ip + 6] = rand() < 0.8 ? NEXT_HEADERS[int(NEXT_HEADERS.length)] : int(256);
        else b[ip] = (b[ip] & 0xf0) | interesting(b[ip] & 15, 15);
        break;
      case 4:
        if (rand() < 0.5) b[transport + 12] = (interesting(b[transport + 12] >> 4, 15) << 4) | (b[transport + 12] & 15);
        else put16(b, transport + 4, interesting((b[transport + 4] << 8) | b[transport + 5], 0xffff));
        break;
      case 5:
        linkType = rand() < 0.8 ? LINK_TYPES[int(7)] : int(300);
        break;
      case 6: {
        const longer = new Uint8Array(b.length + 1 + int(64));
        longer.set(b);
        for (let i = b.length; i < longer.length; i++) longer[i] = int(256);
        b = longer;
        break;
      }
      default:
        // An IPv6 extension header's next-header or length byte (or the IPv4 protocol).
        if (v6) b[ip + 40 + int(2)] = rand() < 0.5 ? NEXT_HEADERS[int(NEXT_HEADERS.length)] : int(256);
        else b[ip + 9] = NEXT_HEADERS[int(NEXT_HEADERS.length)];
    }
  }
  return { timeUs: 1_700_000_000_000_000 + int(1e6), originalLength: s.bytes.length, linkType, bytes: b };
}

const isPort = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffff;
const isU32 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-f:]{2,39}$/;
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

/** Returns a description of what is wrong with the result, or undefined when it is well-formed. */
function problem(frame: CapturedFrame, result: DecodeResult): string | undefined {
  if (!result.ok) return SKIP_REASONS.includes(result.reason) ? undefined : `unknown reason ${String(result.reason)}`;
  const p = result.packet;
  const b = frame.bytes;
  if (p.timeUs !== frame.timeUs || p.frameLength !== frame.originalLength) return 'time or length not copied';
  if (!Number.isInteger(p.payloadLength) || p.payloadLength < 0 || p.payloadLength > 0xffff) return `payloadLength ${p.payloadLength}`;
  if (p.payload.length > b.length || p.payload.length > p.payloadLength) return `payload of ${p.payload.length} bytes`;
  if (p.payload.length > 0 && (p.payload.buffer !== b.buffer || p.payload.byteOffset < b.byteOffset || p.payload.byteOffset + p.payload.length > b.byteOffset + b.length)) return 'payload outside the frame';
  if (p.ipVersion === 4 ? !IPV4.test(p.src) || !IPV4.test(p.dst) : !IPV6.test(p.src) || !IPV6.test(p.dst)) return `addresses ${p.src} ${p.dst}`;
  if (!Number.isInteger(p.ipProtocol) || p.ipProtocol < 0 || p.ipProtocol > 255) return `ipProtocol ${p.ipProtocol}`;
  if (p.srcMac !== undefined && !MAC.test(p.srcMac)) return `srcMac ${p.srcMac}`;
  if (p.vlanId !== undefined && !(Number.isInteger(p.vlanId) && p.vlanId >= 0 && p.vlanId <= 4095)) return `vlanId ${p.vlanId}`;
  if (p.tcp && p.udp) return 'both tcp and udp';
  if (p.isFragment && (p.tcp || p.udp)) return 'fragment with a transport';
  if (p.udp && !(isPort(p.udp.srcPort) && isPort(p.udp.dstPort))) return 'udp ports';
  if (p.tcp) {
    const t = p.tcp;
    if (!isPort(t.srcPort) || !isPort(t.dstPort) || !isU32(t.seq) || !isU32(t.ack)) return 'tcp ports/seq/ack';
    if (!(t.flags >= 0 && t.flags <= 255) || !isPort(t.window) || t.headerLength < 20 || t.headerLength > 60 || t.headerLength % 4 !== 0) return 'tcp flags/window/header';
    const o = t.options;
    for (const v of [o.mss, o.windowScale, o.timestampValue, o.timestampEcho]) if (v !== undefined && !isU32(v)) return 'tcp option value';
    if (o.sackBlocks && (o.sackBlocks.length % 2 !== 0 || !o.sackBlocks.every(isU32))) return 'sack blocks';
  } else if (p.httpRequest) return 'httpRequest without tcp';
  if (p.httpRequest && !METHODS.has(p.httpRequest.method)) return `method ${p.httpRequest.method}`;
  return undefined;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

test(`decodeFrame survives ${FRAMES} mutated frames without throwing and returns well-formed results`, () => {
  const seeds = buildSeeds();
  for (const s of seeds) {
    const result = decodeFrame({ timeUs: 0, originalLength: s.bytes.length, linkType: s.linkType, bytes: s.bytes });
    assert.ok(result.ok || result.reason === 'not-ip', 'every seed but ARP decodes');
  }
  const rand = mulberry32(SEED);
  const counters = new DecodeCounters();
  const started = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    const frame = mutate(seeds[Math.floor(rand() * seeds.length)], rand);
    let result: DecodeResult;
    try {
      result = decodeFrame(frame);
    } catch (error) {
      assert.fail(`frame ${i} (seed ${SEED}, link type ${frame.linkType}) threw ${String(error)}: ${hex(frame.bytes)}`);
    }
    const wrong = problem(frame, result);
    if (wrong !== undefined) assert.fail(`frame ${i} (seed ${SEED}, link type ${frame.linkType}): ${wrong}: ${hex(frame.bytes)}`);
    counters.record(result);
  }
  const seconds = (performance.now() - started) / 1000;
  assert.equal(counters.decoded + counters.skipped, FRAMES);
  assert.equal(Object.values(counters.byReason).reduce((a, n) => a + n, 0), counters.skipped);
  assert.ok(counters.fragments <= counters.decoded);
  console.log(`fuzz: ${FRAMES} frames in ${seconds.toFixed(2)} s, ${Math.round(FRAMES / seconds)} frames/s (mutation + decode + checks)`);
  console.log(`fuzz: decoded ${counters.decoded} (fragments ${counters.fragments}), skipped ${counters.skipped}:`, counters.byReason);
});
