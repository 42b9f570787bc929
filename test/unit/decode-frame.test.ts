import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeCounters, decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { LinkType, TcpFlag, type DecodedPacket } from '../../appliance/src/decode/types.js';
import {
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

const echo6: Endpoint = { mac: '68:54:fd:0a:1b:2c', ip: '2001:db8:0:1::50', port: 50000 };
const cloud6: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '2600:1f18:0:0:abcd:0:0:a', port: 443 };

function decodeOk(bytes: Uint8Array, linkType: number = LinkType.ETHERNET, originalLength = bytes.length): DecodedPacket {
  const result = decodeFrame({ timeUs: 1_700_000_000_123_456, originalLength, linkType, bytes });
  if (!result.ok) assert.fail(`expected a decoded packet, got skip reason ${result.reason}`);
  return result.packet;
}

const ack = (spec: Partial<Parameters<typeof tcpFrame>[0]> = {}): Uint8Array =>
  tcpFrame({ from: echo, to: cloud, seq: 1000, ack: 2000, flags: TcpFlag.ACK, ...spec });

test('an Ethernet IPv4 SYN decodes every header field and TCP option', () => {
  const frame = ack({ seq: 0xfffffff0, ack: 0x80000001, flags: TcpFlag.SYN, window: 64240, options: synOptions(0xdeadbeef, 1400), ttl: 63 });
  const packet = decodeOk(frame, LinkType.ETHERNET, 1514);
  assert.equal(packet.timeUs, 1_700_000_000_123_456);
  assert.equal(packet.frameLength, 1514);
  assert.equal(packet.srcMac, '68:54:fd:0a:1b:2c');
  assert.equal(packet.vlanId, undefined);
  assert.equal(packet.ipVersion, 4);
  assert.equal(packet.src, '192.168.1.50');
  assert.equal(packet.dst, '52.94.233.10');
  assert.equal(packet.ipProtocol, 6);
  assert.equal(packet.isFragment, false);
  assert.equal(packet.udp, undefined);
  assert.deepEqual(packet.tcp, {
    srcPort: 49152,
    dstPort: 443,
    seq: 0xfffffff0,
    ack: 0x80000001,
    flags: TcpFlag.SYN,
    window: 64240,
    headerLength: 40,
    options: { mss: 1400, sackPermitted: true, timestampValue: 0xdeadbeef, timestampEcho: 0, windowScale: 7 },
  });
  assert.equal(packet.payloadLength, 0);
  assert.equal(packet.payload.length, 0);
  assert.equal(packet.httpRequest, undefined);
});

test('SACK blocks and timestamps on an established segment are read as unsigned 32-bit values', () => {
  const sack = [1, 1, 5, 18, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10, 0, 0, 1, 0, 0, 0, 2, 0];
  const packet = decodeOk(ack({ options: Uint8Array.from([...timestampOptions(0xfffffffe, 7), ...sack]) }));
  assert.deepEqual(packet.tcp?.options, { timestampValue: 0xfffffffe, timestampEcho: 7, sackBlocks: [0xfffffff0, 0x10, 0x100, 0x200] });
  assert.equal(packet.tcp?.headerLength, 52);
});

test('unknown TCP options are skipped by their length', () => {
  const options = Uint8Array.from([30, 6, 1, 2, 3, 4, 2, 4, 0x05, 0xb4, 1, 3, 3, 2]);
  assert.deepEqual(decodeOk(ack({ options })).tcp?.options, { mss: 1460, windowScale: 2 });
});

test('a malformed TCP option list still yields the TCP header with the options read so far', () => {
  for (const bad of [[2, 4, 0x05, 0xb4, 8, 0], [2, 4, 0x05, 0xb4, 8, 1], [2, 4, 0x05, 0xb4, 8, 40], [2, 4, 0x05, 0xb4, 1, 1, 1, 5]]) {
    const packet = decodeOk(ack({ options: Uint8Array.from(bad), payload: tlsRecord(23, 10) }));
    assert.deepEqual(packet.tcp?.options, { mss: 1460 }, `options ${bad.join(',')}`);
    assert.equal(packet.payloadLength, 15);
  }
});

test('known TCP options with the wrong length are ignored rather than misread', () => {
  const options = Uint8Array.from([2, 3, 5, 3, 4, 8, 5, 2, 1, 1, 1, 1]);
  assert.deepEqual(decodeOk(ack({ options })).tcp?.options, {});
});

test('the payload is a view of the frame bytes covering exactly the TCP payload', () => {
  const record = tlsRecord(23, 300);
  const frame = ack({ flags: TcpFlag.ACK | TcpFlag.PSH, payload: record, options: timestampOptions(1, 2) });
  const packet = decodeOk(frame);
  assert.equal(packet.payloadLength, 305);
  assert.equal(packet.payload.buffer, frame.buffer);
  assert.equal(packet.payload.byteOffset, 14 + 20 + 32);
  assert.deepEqual(packet.payload, record);
});

test('an 802.1Q-tagged frame records its VLAN id', () => {
  const packet = decodeOk(ack({ vlanId: 42, payload: tlsRecord(23, 20) }));
  assert.equal(packet.vlanId, 42);
  assert.equal(packet.tcp?.dstPort, 443);
  assert.equal(packet.payloadLength, 25);
});

test('a QinQ frame records the outermost VLAN id and decodes through both tags', () => {
  const frame = withVlanTags(ack({ payload: tlsRecord(23, 20) }), [{ tpid: 0x88a8, vlanId: 100, priority: 5 }, { vlanId: 200 }]);
  const packet = decodeOk(frame);
  assert.equal(packet.vlanId, 100);
  assert.equal(packet.src, '192.168.1.50');
  assert.equal(packet.payloadLength, 25);
});

test('Linux cooked SLL and SLL2 frames decode with the sender MAC from the link-layer address', () => {
  const ethernet = ack({ payload: tlsRecord(23, 40) });
  for (const [bytes, linkType] of [[toLinuxSll(ethernet), LinkType.LINUX_SLL], [toLinuxSll2(ethernet, 4), LinkType.LINUX_SLL2]] as const) {
    const packet = decodeOk(bytes, linkType);
    assert.equal(packet.srcMac, '68:54:fd:0a:1b:2c');
    assert.equal(packet.dst, '52.94.233.10');
    assert.equal(packet.tcp?.srcPort, 49152);
    assert.deepEqual(packet.payload, tlsRecord(23, 40));
  }
});

test('a VLAN tag kept inside an SLL payload is followed', () => {
  const packet = decodeOk(toLinuxSll(ack({ vlanId: 7 })), LinkType.LINUX_SLL);
  assert.equal(packet.vlanId, 7);
  assert.equal(packet.tcp?.dstPort, 443);
});

test('raw IP link types 101, 12 and 14 pick IPv4 or IPv6 from the version nibble', () => {
  for (const linkType of [LinkType.RAW, 12, 14]) {
    const v4 = decodeOk(toRawIp(ack()), linkType);
    assert.equal(v4.ipVersion, 4);
    assert.equal(v4.srcMac, undefined);
    const v6 = decodeOk(toRawIp(tcpFrame({ from: echo6, to: cloud6, seq: 1, ack: 1, flags: TcpFlag.ACK })), linkType);
    assert.equal(v6.ipVersion, 6);
    assert.equal(v6.src, '2001:db8:0:1::50');
  }
});

test('BSD loopback frames accept the address family in either byte order', () => {
  for (const littleEndian of [true, false]) {
    assert.equal(decodeOk(toLoopback(ack(), littleEndian), LinkType.NULL).src, '192.168.1.50');
    for (const family of [24, 28, 30]) {
      const v6 = decodeOk(toLoopback(udpFrame({ from: echo6, to: cloud6, payload: new Uint8Array(3) }), littleEndian, family), LinkType.NULL);
      assert.equal(v6.ipVersion, 6);
      assert.equal(v6.udp?.dstPort, 443);
    }
  }
});

test('an IPv4 header with a Router Alert option is skipped over by its IHL', () => {
  const packet = decodeOk(ack({ ipOptions: Uint8Array.from([148, 4, 0, 0]), payload: tlsRecord(22, 50) }));
  assert.equal(packet.src, '192.168.1.50');
  assert.equal(packet.tcp?.srcPort, 49152);
  assert.equal(packet.payloadLength, 55);
  assert.deepEqual(packet.payload, tlsRecord(22, 50));
});

test('IPv4 fragments are flagged and counted but carry no transport', () => {
  const counters = new DecodeCounters();
  const whole = ack({ payload: tlsRecord(23, 100) });
  for (const [offset, more] of [[0, true], [1480, true], [2960, false]] as const) {
    const result = decodeFrame({ timeUs: 0, originalLength: whole.length, linkType: LinkType.ETHERNET, bytes: asIpv4Fragment(whole, offset, more) });
    counters.record(result);
    assert.ok(result.ok);
    assert.equal(result.packet.isFragment, true);
    assert.equal(result.packet.ipProtocol, 6);
    assert.equal(result.packet.tcp, undefined);
    assert.equal(result.packet.payloadLength, 0);
  }
  counters.record(decodeFrame({ timeUs: 0, originalLength: whole.length, linkType: LinkType.ETHERNET, bytes: whole }));
  assert.equal(counters.fragments, 3);
  assert.equal(counters.decoded, 4);
});

test('IPv6 hop-by-hop and destination options headers are walked to the TCP header', () => {
  const base = tcpFrame({ from: echo6, to: cloud6, seq: 5, ack: 6, flags: TcpFlag.ACK | TcpFlag.PSH, payload: tlsRecord(23, 64) });
  const frame = withIpv6ExtensionHeaders(base, [{ type: 0, body: Uint8Array.from([5, 2, 0, 0]) }, { type: 60, body: new Uint8Array(12) }]);
  const packet = decodeOk(frame);
  assert.equal(packet.ipVersion, 6);
  assert.equal(packet.src, '2001:db8:0:1::50');
  assert.equal(packet.dst, '2600:1f18::abcd:0:0:a');
  assert.equal(packet.ipProtocol, 6);
  assert.equal(packet.tcp?.seq, 5);
  assert.equal(packet.payloadLength, 69);
  assert.deepEqual(packet.payload, tlsRecord(23, 64));
});

test('IPv6 routing and AH headers are walked to a UDP header', () => {
  const base = udpFrame({ from: echo6, to: cloud6, payload: Uint8Array.from([1, 2, 3, 4, 5]) });
  const packet = decodeOk(withIpv6ExtensionHeaders(base, [{ type: 43, body: new Uint8Array(22) }, { type: 51, body: new Uint8Array(14) }]));
  assert.equal(packet.ipProtocol, 17);
  assert.deepEqual(packet.udp, { srcPort: 50000, dstPort: 443 });
  assert.deepEqual(packet.payload, Uint8Array.from([1, 2, 3, 4, 5]));
});

test('an IPv6 fragment header marks a fragment with no transport, even at offset 0', () => {
  const base = tcpFrame({ from: echo6, to: cloud6, seq: 1, ack: 1, flags: TcpFlag.ACK, payload: new Uint8Array(100) });
  for (const [offset, more] of [[0, true], [1232, false]] as const) {
    const packet = decodeOk(withIpv6ExtensionHeaders(base, [{ type: 0 }, ipv6FragmentHeader(offset, more, 0x1234)]));
    assert.equal(packet.isFragment, true);
    assert.equal(packet.ipProtocol, 6);
    assert.equal(packet.tcp, undefined);
    assert.equal(packet.payloadLength, 0);
  }
});

test('ESP and no-next-header end the IPv6 chain without a transport', () => {
  const esp = decodeOk(withIpv6ExtensionHeaders(ipFrame({ from: echo6, to: cloud6, protocol: 50, transport: new Uint8Array(40) }), [{ type: 60 }]));
  assert.equal(esp.ipProtocol, 50);
  assert.equal(esp.tcp, undefined);
  const none = decodeOk(ipFrame({ from: echo6, to: cloud6, protocol: 59, transport: new Uint8Array(0) }));
  assert.equal(none.ipProtocol, 59);
  assert.equal(none.payloadLength, 0);
  assert.equal(decodeOk(ipFrame({ from: echo, to: cloud, protocol: 50, transport: new Uint8Array(32) })).ipProtocol, 50);
});

test('UDP over IPv4 and IPv6 takes its payload length from the UDP header', () => {
  const v4 = decodeOk(udpFrame({ from: echo, to: { ...cloud, port: 53 }, payload: new Uint8Array(33).fill(7) }));
  assert.deepEqual(v4.udp, { srcPort: 49152, dstPort: 53 });
  assert.equal(v4.tcp, undefined);
  assert.equal(v4.payloadLength, 33);
  assert.equal(v4.payload.length, 33);
  const v6 = decodeOk(udpFrame({ from: echo6, to: { ...cloud6, port: 123 }, payload: new Uint8Array(48) }));
  assert.deepEqual(v6.udp, { srcPort: 50000, dstPort: 123 });
  assert.equal(v6.payloadLength, 48);
});

test('a UDP length shorter than the IP payload bounds the UDP payload', () => {
  const frame = udpFrame({ from: echo, to: cloud, payload: new Uint8Array(20) });
  frame[14 + 20 + 5] = 8 + 12; // UDP length now claims 12 payload bytes
  const packet = decodeOk(frame);
  assert.equal(packet.payloadLength, 12);
  assert.equal(packet.payload.length, 12);
});

test('ICMP and ICMPv6 decode without a transport header and with payloadLength 0', () => {
  for (const [from, to, protocol] of [[echo, cloud, 1], [echo6, cloud6, 58]] as const) {
    const packet = decodeOk(icmpEchoFrame({ from, to, identifier: 1, sequence: 2, payload: new Uint8Array(56) }));
    assert.equal(packet.ipProtocol, protocol);
    assert.equal(packet.tcp, undefined);
    assert.equal(packet.udp, undefined);
    assert.equal(packet.payloadLength, 0);
    assert.equal(packet.payload.length, 0);
  }
});

test('a snap-length-truncated segment keeps the header-declared payloadLength and the captured payload', () => {
  const full = ack({ payload: new Uint8Array(1448).fill(0x17), options: timestampOptions(9, 9) });
  assert.equal(full.length, 1514);
  const packet = decodeOk(full.subarray(0, 128), LinkType.ETHERNET, full.length);
  assert.equal(packet.frameLength, 1514);
  assert.equal(packet.payloadLength, 1448);
  assert.equal(packet.payload.length, 128 - 66);
});

test('Ethernet padding on a 60-byte minimum frame is not counted as payload', () => {
  const bare = ack();
  assert.equal(bare.length, 54);
  const padded = new Uint8Array(60);
  padded.set(bare);
  padded.fill(0xee, 54);
  const packet = decodeOk(padded);
  assert.equal(packet.payloadLength, 0);
  assert.equal(packet.payload.length, 0);
  const udp = new Uint8Array(60);
  udp.set(udpFrame({ from: echo, to: cloud, payload: Uint8Array.from([1, 2]) }));
  assert.equal(decodeOk(udp).payload.length, 2);
});

test('DecodeCounters tallies decoded frames, fragments and every skip reason', () => {
  const counters = new DecodeCounters();
  assert.deepEqual(counters.byReason, {
    'unsupported-link-type': 0,
    'truncated-link-header': 0,
    'not-ip': 0,
    'truncated-ip-header': 0,
    'bad-ip-header': 0,
    'truncated-transport-header': 0,
    'bad-transport-header': 0,
  });
  const frame = ack();
  counters.record(decodeFrame({ timeUs: 0, originalLength: 54, linkType: LinkType.ETHERNET, bytes: frame }));
  counters.record(decodeFrame({ timeUs: 0, originalLength: 54, linkType: 147, bytes: frame }));
  counters.record(decodeFrame({ timeUs: 0, originalLength: 54, linkType: LinkType.ETHERNET, bytes: frame.subarray(0, 30) }));
  assert.equal(counters.decoded, 1);
  assert.equal(counters.skipped, 2);
  assert.equal(counters.byReason['unsupported-link-type'], 1);
  assert.equal(counters.byReason['truncated-ip-header'], 1);
  assert.equal(counters.fragments, 0);
});
