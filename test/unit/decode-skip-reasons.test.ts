import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { LinkType, TcpFlag, type SkipReason } from '../../appliance/src/decode/types.js';
import {
  arpRequestFrame,
  tcpFrame,
  tlsRecord,
  toLinuxSll,
  toLinuxSll2,
  toRawIp,
  udpFrame,
  withIpv6ExtensionHeaders,
  withVlanTags,
  type Endpoint,
} from '../../sim/src/frame-builder.js';
import { cloud, echo } from '../support/decode-fixtures.js';

const echo6: Endpoint = { ...echo, ip: 'fd00::50' };
const cloud6: Endpoint = { ...cloud, ip: '2600:1f18::a' };
// Ethernet (14) + IPv4 (20): where the TCP/UDP header starts in the untagged v4 fixtures.
const L4 = 34;

function skipReason(bytes: Uint8Array, linkType: number = LinkType.ETHERNET): SkipReason | 'ok' {
  const result = decodeFrame({ timeUs: 0, originalLength: bytes.length, linkType, bytes });
  return result.ok ? 'ok' : result.reason;
}

const tcp = (payload = tlsRecord(23, 30)): Uint8Array => tcpFrame({ from: echo, to: cloud, seq: 1, ack: 1, flags: TcpFlag.ACK, payload });
const tcp6 = (): Uint8Array => tcpFrame({ from: echo6, to: cloud6, seq: 1, ack: 1, flags: TcpFlag.ACK });
const udp = (): Uint8Array => udpFrame({ from: echo, to: cloud, payload: new Uint8Array(10) });

function patched(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(values, at);
  return out;
}

test('a link type the decoder does not know is skipped as unsupported-link-type', () => {
  assert.equal(skipReason(tcp(), 105), 'unsupported-link-type');
  assert.equal(skipReason(tcp(), 127), 'unsupported-link-type');
});

test('frames shorter than their link header are skipped as truncated-link-header', () => {
  assert.equal(skipReason(tcp().subarray(0, 13)), 'truncated-link-header');
  assert.equal(skipReason(new Uint8Array(0)), 'truncated-link-header');
  assert.equal(skipReason(toLinuxSll(tcp()).subarray(0, 15), LinkType.LINUX_SLL), 'truncated-link-header');
  assert.equal(skipReason(toLinuxSll2(tcp()).subarray(0, 19), LinkType.LINUX_SLL2), 'truncated-link-header');
  assert.equal(skipReason(new Uint8Array(3), LinkType.NULL), 'truncated-link-header');
});

test('a frame cut inside a VLAN tag is skipped as truncated-link-header', () => {
  const qinq = withVlanTags(tcp(), [{ tpid: 0x88a8, vlanId: 1 }, { vlanId: 2 }]);
  assert.equal(skipReason(qinq.subarray(0, 19)), 'truncated-link-header');
});

test('ARP and other non-IP ethertypes are skipped as not-ip', () => {
  assert.equal(skipReason(arpRequestFrame(echo, '192.168.1.1')), 'not-ip');
  assert.equal(skipReason(patched(tcp(), 12, 0x88, 0xcc)), 'not-ip'); // LLDP
  assert.equal(skipReason(patched(tcp(), 12, 0x00, 0x40)), 'not-ip'); // an 802.3 length field
  assert.equal(skipReason(patched(toLinuxSll(tcp()), 14, 0x00, 0x04), LinkType.LINUX_SLL), 'not-ip');
});

test('a loopback header with an unknown address family is skipped as not-ip', () => {
  const ip = toRawIp(tcp());
  const frame = new Uint8Array(4 + ip.length);
  frame.set([7, 0, 0, 0]);
  frame.set(ip, 4);
  assert.equal(skipReason(frame, LinkType.NULL), 'not-ip');
});

test('a frame cut inside the IP header is skipped as truncated-ip-header', () => {
  assert.equal(skipReason(tcp().subarray(0, 30)), 'truncated-ip-header');
  assert.equal(skipReason(tcp6().subarray(0, 14 + 39)), 'truncated-ip-header');
  assert.equal(skipReason(new Uint8Array(0), LinkType.RAW), 'truncated-ip-header');
});

test('a frame cut inside the IPv4 options is skipped as truncated-ip-header', () => {
  const withOptions = tcpFrame({ from: echo, to: cloud, seq: 1, ack: 1, flags: TcpFlag.ACK, ipOptions: new Uint8Array(12).fill(1) });
  assert.equal(skipReason(withOptions.subarray(0, 14 + 24)), 'truncated-ip-header');
});

test('a frame cut inside an IPv6 extension header is skipped as truncated-ip-header', () => {
  const frame = withIpv6ExtensionHeaders(tcp6(), [{ type: 0, body: new Uint8Array(14) }]);
  assert.equal(skipReason(frame.subarray(0, 14 + 40 + 10)), 'truncated-ip-header');
});

test('inconsistent IP headers are skipped as bad-ip-header', () => {
  assert.equal(skipReason(patched(tcp(), 14, 0x65)), 'bad-ip-header'); // ethertype says IPv4, version says 6
  assert.equal(skipReason(patched(tcp(), 14, 0x44)), 'bad-ip-header'); // IHL 4
  assert.equal(skipReason(patched(tcp(), 16, 0, 19)), 'bad-ip-header'); // total length below the header length
  assert.equal(skipReason(patched(toRawIp(tcp()), 0, 0x55), LinkType.RAW), 'bad-ip-header');
  assert.equal(skipReason(patched(tcp6(), 14, 0x45)), 'bad-ip-header');
});

test('an IPv6 extension header reaching past the payload length is skipped as bad-ip-header', () => {
  const frame = withIpv6ExtensionHeaders(tcp6(), [{ type: 60, body: new Uint8Array(6) }]);
  assert.equal(skipReason(patched(frame, 14 + 4, 0, 4)), 'bad-ip-header');
  assert.equal(skipReason(patched(frame, 14 + 4, 0, 7)), 'bad-ip-header');
  assert.equal(skipReason(patched(frame, 14 + 4, 0, 24)), 'bad-transport-header'); // the header fits, the TCP header does not
});

test('an IPv6 extension chain longer than 16 headers is skipped as bad-ip-header', () => {
  const headers = Array.from({ length: 17 }, () => ({ type: 60 }));
  assert.equal(skipReason(withIpv6ExtensionHeaders(tcp6(), headers)), 'bad-ip-header');
  assert.equal(skipReason(withIpv6ExtensionHeaders(tcp6(), headers.slice(1))), 'ok');
});

test('a frame cut inside the TCP header is skipped as truncated-transport-header', () => {
  assert.equal(skipReason(tcp().subarray(0, L4 + 19)), 'truncated-transport-header');
  assert.equal(skipReason(tcp().subarray(0, L4)), 'truncated-transport-header');
});

test('a frame cut inside the TCP options is skipped as truncated-transport-header', () => {
  const frame = tcpFrame({ from: echo, to: cloud, seq: 1, ack: 1, flags: TcpFlag.ACK, options: new Uint8Array(12).fill(1) });
  assert.equal(skipReason(frame.subarray(0, L4 + 24)), 'truncated-transport-header');
});

test('a frame cut inside the UDP header is skipped as truncated-transport-header', () => {
  assert.equal(skipReason(udp().subarray(0, L4 + 7)), 'truncated-transport-header');
});

test('a TCP data offset below 5 is skipped as bad-transport-header', () => {
  assert.equal(skipReason(patched(tcp(), L4 + 12, 0x40)), 'bad-transport-header');
  assert.equal(skipReason(patched(tcp(), L4 + 12, 0x00)), 'bad-transport-header');
});

test('a TCP header longer than the IP payload is skipped as bad-transport-header', () => {
  const bare = tcpFrame({ from: echo, to: cloud, seq: 1, ack: 1, flags: TcpFlag.ACK });
  assert.equal(skipReason(patched(bare, L4 + 12, 0xf0)), 'bad-transport-header');
  assert.equal(skipReason(patched(tcp(), 16, 0, 20 + 19)), 'bad-transport-header'); // IP total length leaves 19 bytes
});

test('a UDP length below 8 or an IP payload too short for UDP is skipped as bad-transport-header', () => {
  assert.equal(skipReason(patched(udp(), L4 + 4, 0, 7)), 'bad-transport-header');
  assert.equal(skipReason(patched(udp(), 16, 0, 27)), 'bad-transport-header');
});
