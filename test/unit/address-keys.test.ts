import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, ipv4KeyAt, ipv6Bytes, ipv6KeyAt, macKey, macKeyAt } from '../../appliance/src/decode/address-keys.js';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { ipv4Text } from '../../appliance/src/decode/ip-layer.js';
import { LinkType } from '../../appliance/src/decode/types.js';
import { tcpFrame, type Endpoint } from '../../sim/src/frame-builder.js';

const from: Endpoint = { mac: '68:54:FD:0a:1b:2c', ip: '2001:db8::50', port: 49152 };
const to: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '2001:db8:1::10', port: 443 };

test('an IPv4 address is its own number, and back to the same text', () => {
  for (const ip of ['0.0.0.0', '192.0.2.10', '255.255.255.255', '10.1.2.3']) {
    const key = addressKey(ip)!;
    assert.equal(key, ipv4KeyAt(Uint8Array.from(ip.split('.').map(Number)), 0));
    assert.equal(ipv4Text(key), ip);
  }
});

test('every text form of one IPv6 address has one key, and other addresses other keys', () => {
  const forms = ['2001:db8::50', '2001:0db8:0000:0000:0000:0000:0000:0050', '2001:DB8:0:0::50'];
  assert.equal(new Set(forms.map(addressKey)).size, 1);
  assert.equal(addressKey('::ffff:192.0.2.1'), addressKey('::ffff:c000:201'));
  const keys = new Set(Array.from({ length: 5000 }, (_, i) => addressKey(`2001:db8::${i.toString(16)}`)));
  assert.equal(keys.size, 5000);
  for (const key of keys) assert.ok(key! >= 2 ** 32, 'IPv6 keys never meet IPv4 ones');
  assert.equal(addressKey('not an address'), undefined);
});

test("a decoded packet's keys equal those of its addresses as text, and its text is made from the frame", () => {
  const bytes = tcpFrame({ from, to, seq: 1, ack: 1, flags: 0x18, payload: new Uint8Array(10) });
  const result = decodeFrame({ timeUs: 1, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes });
  assert.ok(result.ok);
  const packet = result.packet;
  assert.deepEqual([packet.srcKey, packet.dstKey], [addressKey(from.ip), addressKey(to.ip)]);
  assert.equal(packet.srcKey, ipv6KeyAt(ipv6Bytes(from.ip)!, 0));
  assert.deepEqual([packet.src, packet.dst, packet.srcMac], ['2001:db8::50', '2001:db8:1::10', '68:54:fd:0a:1b:2c']);
  assert.equal(packet.srcMacKey, macKey('68:54:fd:0a:1b:2c'));
  assert.equal(macKeyAt(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0), 2 ** 48 - 1);
});
