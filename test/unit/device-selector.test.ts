import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { LinkType, TcpFlag, type DecodedPacket } from '../../appliance/src/decode/types.js';
import { BusiestLocalSender, DeviceMatcher, echoCaptureFilter, isLocalAddress, parseDeviceSpec } from '../../appliance/src/pipeline/device-selector.js';
import { PacketPipeline } from '../../appliance/src/pipeline/packet-pipeline.js';
import { tcpFrame, udpFrame, type Endpoint } from '../../sim/src/frame-builder.js';

const ECHO_MAC = '68:54:fd:0a:1b:2c';
const echo: Endpoint = { mac: ECHO_MAC, ip: '192.168.1.50', port: 49152 };
const echo6: Endpoint = { mac: ECHO_MAC, ip: '2001:db8:0:1::50', port: 50000 };
const phone: Endpoint = { mac: 'a4:83:e7:11:22:33', ip: '192.168.1.23', port: 51000 };
const cloud: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '52.94.233.10', port: 443 };
const cloud6: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '2600:1f18::a', port: 443 };

function tcpPacket(from: Endpoint, to: Endpoint): DecodedPacket {
  const bytes = tcpFrame({ from, to, seq: 1, ack: 1, flags: TcpFlag.ACK });
  const result = decodeFrame({ timeUs: 1_700_000_000_000_000, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes });
  if (!result.ok) assert.fail(result.reason);
  return result.packet;
}

function udpPacket(from: Endpoint, to: Endpoint): DecodedPacket {
  const bytes = udpFrame({ from, to, payload: new Uint8Array(20) });
  const result = decodeFrame({ timeUs: 1_700_000_000_000_000, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes });
  if (!result.ok) assert.fail(result.reason);
  return result.packet;
}

test('parseDeviceSpec reads an IPv4 address', () => {
  assert.deepEqual(parseDeviceSpec('192.168.1.50'), { ip: '192.168.1.50' });
  assert.deepEqual(parseDeviceSpec('0.0.0.0'), { ip: '0.0.0.0' });
  assert.deepEqual(parseDeviceSpec('255.255.255.255'), { ip: '255.255.255.255' });
});

test('parseDeviceSpec rejects an IPv4 address with an octet above 255', () => {
  assert.equal(parseDeviceSpec('300.1.1.1'), undefined);
  assert.equal(parseDeviceSpec('1.1.1.256'), undefined);
  assert.equal(parseDeviceSpec('1.2.3'), undefined);
  assert.equal(parseDeviceSpec('1.2.3.4.5'), undefined);
});

test('parseDeviceSpec reads an IPv6 address and lowercases it', () => {
  assert.deepEqual(parseDeviceSpec('2001:db8:0:1::50'), { ip: '2001:db8:0:1::50' });
  assert.deepEqual(parseDeviceSpec('FE80::1'), { ip: 'fe80::1' });
  assert.deepEqual(parseDeviceSpec('::1'), { ip: '::1' });
});

test('parseDeviceSpec reads a MAC written with colons or dashes, in any case', () => {
  assert.deepEqual(parseDeviceSpec('68:54:fd:0a:1b:2c'), { mac: ECHO_MAC });
  assert.deepEqual(parseDeviceSpec('68:54:FD:0A:1B:2C'), { mac: ECHO_MAC });
  assert.deepEqual(parseDeviceSpec('68-54-fd-0a-1b-2c'), { mac: ECHO_MAC });
  assert.deepEqual(parseDeviceSpec('68-54-FD-0A-1B-2C'), { mac: ECHO_MAC });
});

test('parseDeviceSpec rejects garbage', () => {
  for (const text of ['', 'echo', 'kitchen-echo', '68-54-fd-0a-1b', '68:54:fd:0a:1b:zz', 'localhost', '192.168.1.x', 'deadbeef', ' 192.168.1.50']) {
    assert.equal(parseDeviceSpec(text), undefined, JSON.stringify(text));
  }
});

test(
  'parseDeviceSpec rejects strings of hex digits and colons that are not IPv6 addresses, such as a mistyped MAC',
  () => {
    for (const text of ['68:54:fd:0a:1b', '68:54:fd:0a:1b:2c:3d', ':::', ':', '12345::1', '1:2:3', '1::2::3']) {
      assert.equal(parseDeviceSpec(text), undefined, JSON.stringify(text));
    }
  },
);

test(
  'a device given as a non-canonical address matches the addresses the decoder writes',

  () => {
    const v6 = parseDeviceSpec('2001:0DB8:0:1:0:0:0:0050');
    assert.ok(v6, 'a valid IPv6 address is accepted');
    assert.equal(new DeviceMatcher(v6).isSentByDevice(tcpPacket(echo6, cloud6)), true);
    // Leading zeros in IPv4 may be rejected (inet_aton reads them as octal) but must not be accepted and then never match.
    const v4 = parseDeviceSpec('192.168.001.050');
    assert.ok(v4 === undefined || new DeviceMatcher(v4).isSentByDevice(tcpPacket(echo, cloud)), JSON.stringify(v4));
  },
);

test('isLocalAddress accepts RFC 1918 ranges and rejects their neighbours', () => {
  const local = ['10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.254', '192.168.0.1', '192.168.255.255'];
  const notLocal = ['11.0.0.1', '9.255.255.255', '172.15.255.255', '172.32.0.1', '192.169.0.1', '192.167.1.1'];
  for (const ip of local) assert.equal(isLocalAddress(ip), true, ip);
  for (const ip of notLocal) assert.equal(isLocalAddress(ip), false, ip);
});

test('isLocalAddress accepts CGNAT (100.64/10), link-local (169.254/16) and 192.0.2/24', () => {
  for (const ip of ['100.64.0.1', '100.127.255.255', '169.254.0.1', '169.254.255.254', '192.0.2.1', '192.0.2.254']) {
    assert.equal(isLocalAddress(ip), true, ip);
  }
  for (const ip of ['100.63.255.255', '100.128.0.0', '169.253.1.1', '169.255.1.1', '192.0.3.1', '192.0.20.1']) {
    assert.equal(isLocalAddress(ip), false, ip);
  }
});

test('isLocalAddress accepts IPv6 ULA (fc00::/7), link-local (fe80::/10) and multicast (ff00::/8)', () => {
  for (const ip of ['fc00::1', 'fd12:3456:789a::1', 'fdff:ffff::1', 'fe80::1', 'fe80::6a54:fdff:fe0a:1b2c', 'febf::1', 'ff02::1', 'ff02::fb']) {
    assert.equal(isLocalAddress(ip), true, ip);
  }
  for (const ip of ['fe00::1', 'fec0::1', 'fbff::1', '2001:db8::1', '2600:1f18::a', '::1', '::']) {
    assert.equal(isLocalAddress(ip), false, ip);
  }
});

test('isLocalAddress counts multicast and broadcast as local: mDNS and SSDP never leave the home', () => {
  for (const ip of ['224.0.0.251', '239.255.255.250', '255.255.255.255']) assert.equal(isLocalAddress(ip), true, ip);
  assert.equal(isLocalAddress('223.255.255.255'), false);
});

test('isLocalAddress rejects public addresses', () => {
  for (const ip of ['52.94.233.10', '8.8.8.8', '1.1.1.1', '35.186.224.25', '203.0.113.5', '198.51.100.7']) {
    assert.equal(isLocalAddress(ip), false, ip);
  }
});

test('a DeviceMatcher given an IP matches packets from and to that IP only', () => {
  const matcher = new DeviceMatcher({ ip: '192.168.1.50' });
  assert.equal(matcher.isSentByDevice(tcpPacket(echo, cloud)), true);
  assert.equal(matcher.isSentByDevice(tcpPacket(cloud, echo)), false);
  assert.equal(matcher.isSentToDevice(tcpPacket(cloud, echo)), true);
  assert.equal(matcher.isSentToDevice(tcpPacket(phone, cloud)), false);
  assert.equal(matcher.isSentByDevice(tcpPacket(phone, cloud)), false);
  assert.deepEqual(matcher.addresses, ['192.168.1.50']);
  assert.equal(matcher.description, '192.168.1.50');
});

test('a DeviceMatcher given a MAC learns the IPv4 and IPv6 addresses the device sends from', () => {
  const matcher = new DeviceMatcher({ mac: ECHO_MAC });
  assert.equal(matcher.description, `${ECHO_MAC} (no IP seen yet)`);
  // Before the device has sent anything, replies to it cannot be recognised.
  assert.equal(matcher.isSentToDevice(tcpPacket(cloud, echo)), false);
  assert.equal(matcher.isSentByDevice(tcpPacket(cloud, echo)), false, 'the router MAC is not the device');
  assert.equal(matcher.isSentByDevice(tcpPacket(phone, cloud)), false);
  assert.deepEqual(matcher.addresses, []);

  assert.equal(matcher.isSentByDevice(tcpPacket(echo, cloud)), true);
  assert.equal(matcher.isSentByDevice(udpPacket(echo, cloud)), true);
  assert.equal(matcher.isSentByDevice(tcpPacket(echo6, cloud6)), true);
  assert.deepEqual(matcher.addresses, ['192.168.1.50', '2001:db8:0:1::50']);
  assert.equal(matcher.description, `${ECHO_MAC} (192.168.1.50, 2001:db8:0:1::50)`);

  assert.equal(matcher.isSentToDevice(tcpPacket(cloud, echo)), true);
  assert.equal(matcher.isSentToDevice(tcpPacket(cloud6, echo6)), true);
  assert.equal(matcher.isSentToDevice(tcpPacket(cloud, phone)), false);
});

test('a MAC spec from parseDeviceSpec matches frames whatever case or separator it was typed with', () => {
  const spec = parseDeviceSpec('68-54-FD-0A-1B-2C');
  assert.ok(spec);
  assert.equal(new DeviceMatcher(spec).isSentByDevice(tcpPacket(echo, cloud)), true);
});

test('BusiestLocalSender picks the local address that sent the most packets', () => {
  const election = new BusiestLocalSender();
  const tv: Endpoint = { mac: '00:11:22:33:44:55', ip: '10.0.0.7', port: 5000 };
  for (let i = 0; i < 3; i++) election.note(tcpPacket(phone, cloud));
  for (let i = 0; i < 5; i++) election.note(tcpPacket(echo, cloud));
  for (let i = 0; i < 4; i++) election.note(udpPacket(tv, phone));
  assert.equal(election.winner(), '192.168.1.50');
});

test('BusiestLocalSender ignores public senders, however busy', () => {
  const election = new BusiestLocalSender();
  for (let i = 0; i < 100; i++) election.note(tcpPacket(cloud, echo));
  for (let i = 0; i < 50; i++) election.note(tcpPacket(cloud6, echo6));
  assert.equal(election.winner(), undefined, 'no local sender yet');
  election.note(tcpPacket(echo, cloud));
  assert.equal(election.winner(), '192.168.1.50');
});

test('BusiestLocalSender counts IPv6 link-local senders and breaks ties by first seen', () => {
  const election = new BusiestLocalSender();
  const ll: Endpoint = { mac: ECHO_MAC, ip: 'fe80::6a54:fdff:fe0a:1b2c', port: 5353 };
  election.note(udpPacket(ll, phone));
  election.note(tcpPacket(phone, cloud));
  assert.equal(election.winner(), 'fe80::6a54:fdff:fe0a:1b2c');
  election.note(tcpPacket(phone, cloud));
  assert.equal(election.winner(), '192.168.1.23');
});

test('the live capture filter for a known Echo is its MAC in BPF, and a bad MAC is refused', () => {
  assert.equal(echoCaptureFilter('68-54-FD-0A-1B-2C'), `ether host ${ECHO_MAC}`);
  assert.throws(() => echoCaptureFilter('68:54:fd'), /not a MAC address: '68:54:fd'/);
});

test('when the access point names the Echo, the pipeline follows it instead of its election', () => {
  const frames = (from: Endpoint, to: Endpoint, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const bytes = tcpFrame({ from, to, seq: 1 + i * 100, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, payload: new Uint8Array(100) });
      return { timeUs: 1_700_000_000_000_000 + i * 1000, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes };
    });
  const seen: string[] = [];
  const pipeline = new PacketPipeline({ electionPackets: 1_000 }, (_lane, context) => seen.push(context.packet.src));
  // The phone is the busier sender: an election would have picked it.
  for (const frame of [...frames(phone, cloud, 30), ...frames(echo, cloud, 5)]) pipeline.push(frame);
  assert.equal(pipeline.device, undefined, 'the election is still open');
  pipeline.setDevice({ mac: ECHO_MAC });
  const named: DeviceMatcher | undefined = pipeline.device as DeviceMatcher | undefined;
  assert.equal(named?.description, `${ECHO_MAC} (192.168.1.50)`);
  assert.deepEqual([...new Set(seen)], ['192.168.1.50'], 'the held packets are judged as the named Echo');
  assert.equal(seen.length, 5);
  for (const frame of frames(phone, cloud, 3)) pipeline.push(frame);
  assert.equal(seen.length, 5, "the phone's later packets are not the Echo's");
});
