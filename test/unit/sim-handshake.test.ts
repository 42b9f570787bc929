// The simulator's protocol messages: TLS handshakes that tshark and Node accept as well-formed,
// certificates that parse as X.509, DNS/NTP/HTTP with their RFC layouts, and the record sizes the
// paper's rows show.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { parseHttpRequestLine } from '../../appliance/src/decode/http-request.js';
import type { CapturedFrame } from '../../appliance/src/decode/types.js';
import { objectIdentifier, tlv } from '../../sim/src/der.js';
import { EventQueue } from '../../sim/src/event-queue.js';
import { audioRangeRequest } from '../../sim/src/http-messages.js';
import { SeededRandom } from '../../sim/src/seeded-random.js';
import { TcpSession } from '../../sim/src/tcp-session.js';
import { stubCertificateChain, TlsChannel } from '../../sim/src/tls-channel.js';
import { clientHello, plainRecord } from '../../sim/src/tls-handshake.js';
import { dnsQuery, dnsResponse, ntpRequest, ntpResponse } from '../../sim/src/udp-messages.js';

const hello = (recordLength?: number): Uint8Array =>
  plainRecord(22, clientHello({ profile: 'avs', random: new Uint8Array(32).fill(7), sessionId: new Uint8Array(32).fill(9), serverName: 'avs-alexa-4-na.amazon.com', alpn: ['h2'], recordLength }));

test('a ClientHello record holds one handshake message of type 1 whose lengths add up', () => {
  const record = hello();
  assert.equal(record[0], 22);
  const recordLength = (record[3] << 8) | record[4];
  assert.equal(record.length, 5 + recordLength);
  assert.equal(record[5], 1, 'handshake type ClientHello');
  const messageLength = (record[6] << 16) | (record[7] << 8) | record[8];
  assert.equal(messageLength, recordLength - 4);
  const text = Buffer.from(record).toString('latin1');
  assert.ok(text.includes('avs-alexa-4-na.amazon.com'), 'server_name extension');
  assert.ok(text.includes('\x02h2'), 'ALPN offers h2');
});

test("the AVS stack's ClientHello is padded to the paper's record lengths of 427 and 430 bytes", () => {
  for (const target of [427, 430]) {
    const record = hello(target);
    assert.equal((record[3] << 8) | record[4], target);
    assert.equal(record.length, 5 + target);
  }
});

test("the client's second flight has the paper's frame sizes, with and without TCP timestamps", () => {
  for (const [timestamps, expected] of [
    [true, [141, 72, 111]],
    [false, [129, 60, 99]],
  ] as const) {
    const frames: CapturedFrame[] = [];
    const queue = new EventQueue(1_700_000_000_000_000);
    const ctx = { queue, random: new SeededRandom(3), capture: (timeUs: number, bytes: Uint8Array) => void frames.push({ timeUs, bytes, originalLength: bytes.length, linkType: 1 }) };
    const tcp = new TcpSession(ctx, { echo: { mac: '02:00:00:00:00:0a', ip: '192.0.2.10', port: 40000 }, server: { mac: '02:00:00:00:00:01', ip: '198.51.100.20', port: 443 }, rttUs: 40_000, timestamps });
    const tls = new TlsChannel(tcp, ctx, { serverName: 'example.test', profile: 'avs', alpn: ['h2'] });
    let ready = false;
    tls.start(() => (ready = true));
    queue.runUntil();
    assert.ok(ready, 'handshake completed');
    const secondFlight = frames
      .map((f) => decodeFrame(f))
      .flatMap((d) => (d.ok && d.packet.src === '192.0.2.10' && d.packet.payloadLength > 0 ? [d.packet] : []))
      .filter((p) => !(p.payload[0] === 22 && p.payload[5] === 1)); // not the ClientHello
    assert.deepEqual(secondFlight.map((p) => p.frameLength), expected);
    assert.deepEqual(secondFlight.map((p) => p.payload[0]), [22, 20, 22]);
  }
});

test('the stand-in certificate chain parses as X.509 with the server name in the leaf', () => {
  const [leaf, intermediate] = stubCertificateChain('avs-alexa-4-na.amazon.com').map((der) => new X509Certificate(Buffer.from(der)));
  assert.match(leaf.subject, /CN=avs-alexa-4-na\.amazon\.com/);
  assert.match(leaf.subjectAltName ?? '', /DNS:avs-alexa-4-na\.amazon\.com/);
  assert.equal(leaf.issuer, intermediate.subject);
  assert.equal(intermediate.ca, true);
  assert.equal(leaf.ca, false);
});

test('DER encodes object identifiers and long lengths as X.690 says', () => {
  assert.deepEqual([...objectIdentifier('1.2.840.113549.1.1.11')], [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
  const long = tlv(0x04, new Uint8Array(300));
  assert.deepEqual([...long.subarray(0, 4)], [0x04, 0x82, 0x01, 0x2c]);
});

test('a DNS answer repeats the question and points its A record back at the name', () => {
  const query = dnsQuery(0x1234, 'api.amazonalexa.com');
  assert.deepEqual([...query.subarray(0, 6)], [0x12, 0x34, 0x01, 0x00, 0x00, 0x01]);
  const response = dnsResponse(0x1234, 'api.amazonalexa.com', ['198.51.100.40'], 60);
  assert.equal(response[7], 1, 'one answer');
  assert.deepEqual([...response.subarray(query.length, query.length + 2)], [0xc0, 0x0c]);
  assert.deepEqual([...response.subarray(-4)], [198, 51, 100, 40]);
});

test('NTP requests are version 4 mode 3 and answers mode 4 stratum 2 echoing the origin time', () => {
  const sent = 1_768_478_400_123_456;
  const request = ntpRequest(sent);
  assert.equal(request.length, 48);
  assert.equal(request[0], 0x23);
  const answer = ntpResponse(sent, sent + 20_000, 1);
  assert.equal(answer[0], 0x24);
  assert.equal(answer[1], 2);
  assert.deepEqual([...answer.subarray(24, 32)], [...request.subarray(40, 48)]);
});

test("Spotify's range request is an HTTP/1.1 request line of the length asked for, as earshot's decoder reads it", () => {
  for (const length of [452, 456, 460]) {
    const bytes = audioRangeRequest({ host: 'audio-ak-spotify-com.akamaized.net', fileId: 'ab'.repeat(20), rangeStart: 0, rangeEnd: 65535, length });
    assert.equal(bytes.length, length);
    const line = parseHttpRequestLine(bytes, 0, bytes.length);
    assert.equal(line?.method, 'GET');
    assert.equal(line?.version, 'HTTP/1.1');
    assert.ok(Buffer.from(bytes).toString('latin1').endsWith('\r\n\r\n'));
  }
});
