import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { parseHttpRequestLine } from '../../appliance/src/decode/http-request.js';
import { ipv4String, ipv6String } from '../../appliance/src/decode/ip-layer.js';
import { LinkType, TcpFlag } from '../../appliance/src/decode/types.js';
import { ipv4Bytes, ipv6Bytes, tcpFrame, tlsRecord, udpFrame, type Endpoint } from '../../sim/src/frame-builder.js';

const echo: Endpoint = { mac: '68:54:fd:0a:1b:2c', ip: '192.168.1.50', port: 49152 };
const web: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '93.184.215.14', port: 80 };
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const http = (text: string): ReturnType<typeof parseHttpRequestLine> => {
  const bytes = ascii(text);
  return parseHttpRequestLine(bytes, 0, bytes.length);
};

test('an HTTP/1.1 GET at the start of a TCP payload is reported as a request line', () => {
  const frame = tcpFrame({ from: echo, to: web, seq: 1, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, payload: ascii('GET /firmware/check?v=2 HTTP/1.1\r\nHost: x\r\n\r\n') });
  const result = decodeFrame({ timeUs: 0, originalLength: frame.length, linkType: LinkType.ETHERNET, bytes: frame });
  assert.ok(result.ok);
  assert.deepEqual(result.packet.httpRequest, { method: 'GET', target: '/firmware/check?v=2', version: 'HTTP/1.1' });
});

test('every listed method and both HTTP/1 versions are recognised', () => {
  for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE']) {
    assert.equal(http(`${method} * HTTP/1.0\r\n`)?.method, method);
  }
  assert.deepEqual(http('CONNECT example.com:443 HTTP/1.1\r\n'), { method: 'CONNECT', target: 'example.com:443', version: 'HTTP/1.1' });
  assert.equal(http('POST /x HTTP/1.0\r\n')?.version, 'HTTP/1.0');
});

test('a TLS record payload has no HTTP request line', () => {
  const frame = tcpFrame({ from: echo, to: { ...web, port: 443 }, seq: 1, ack: 1, flags: TcpFlag.ACK, payload: tlsRecord(22, 200) });
  const result = decodeFrame({ timeUs: 0, originalLength: frame.length, linkType: LinkType.ETHERNET, bytes: frame });
  assert.ok(result.ok);
  assert.equal(result.packet.httpRequest, undefined);
});

test('near-misses of an HTTP request line are not reported', () => {
  for (const text of [
    'get / HTTP/1.1\r\n',
    'FETCH / HTTP/1.1\r\n',
    'GETS / HTTP/1.1\r\n',
    'GET  / HTTP/1.1\r\n',
    'GET / HTTP/2.0\r\n',
    'GET / HTTP/1.1\n',
    'GET / HTTP/1.x\r\n',
    'GET / HTTP/1.1',
    'GET /a\tb HTTP/1.1\r\n',
    'HTTP/1.1 200 OK\r\n',
    'G',
    '',
  ]) {
    assert.equal(http(text), undefined, JSON.stringify(text));
  }
});

test('a request line that ends beyond the first 2048 payload bytes is not reported', () => {
  const fits = `GET /${'a'.repeat(2048 - 16)} HTTP/1.1\r\n`;
  assert.equal(fits.length, 2048);
  assert.equal(http(fits)?.target.length, 2048 - 15);
  assert.equal(http(`GET /${'a'.repeat(2048 - 15)} HTTP/1.1\r\n`), undefined);
});

test('a request line in a UDP payload is not reported', () => {
  const frame = udpFrame({ from: echo, to: web, payload: ascii('GET / HTTP/1.1\r\n\r\n') });
  const result = decodeFrame({ timeUs: 0, originalLength: frame.length, linkType: LinkType.ETHERNET, bytes: frame });
  assert.ok(result.ok);
  assert.equal(result.packet.httpRequest, undefined);
});

test('IPv4 addresses are formatted as dotted quads', () => {
  for (const ip of ['0.0.0.0', '255.255.255.255', '10.0.12.1', '192.168.100.200']) assert.equal(ipv4String(ipv4Bytes(ip), 0), ip);
});

test('IPv6 addresses are formatted in RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['0:0:1:0:0:0:0:0', '0:0:1::'],
    ['0:1:2:3:4:5:6:0', '0:1:2:3:4:5:6:0'],
    ['0:0:0:0:0:ffff:c0a8:132', '::ffff:c0a8:132'],
  ];
  for (const [input, expected] of cases) assert.equal(ipv6String(ipv6Bytes(input), 0), expected, input);
});
