// dnsmasq's leases file and the address it gives a MAC.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { addressOf, parseLeases } from '../../appliance/src/ap/leases.js';

const text = readFileSync(new URL('../fixtures/ap/dnsmasq.leases', import.meta.url), 'utf8');
const NOW_S = 1764120000;

describe('the dnsmasq leases file', () => {
  test('reads IPv4 leases and skips the duid line, DHCPv6 leases and junk', () => {
    assert.deepEqual(
      parseLeases(text).map((l) => `${l.mac} ${l.ip}`),
      ['44:65:0d:12:34:56 192.0.2.10', '44:65:0d:12:34:56 192.0.2.150', '3c:5c:c4:aa:bb:cc 192.0.2.11', 'f0:27:2d:00:00:01 192.0.2.12', 'b8:27:eb:01:02:03 192.0.2.13'],
    );
  });

  test('reads expiry 0 as a lease that never ends, and * as no hostname or client id', () => {
    assert.deepEqual(parseLeases(text)[2], { expiry: Infinity, mac: '3c:5c:c4:aa:bb:cc', ip: '192.0.2.11' });
    assert.deepEqual(parseLeases(text)[0], { expiry: 1764140400, mac: '44:65:0d:12:34:56', ip: '192.0.2.10', hostname: 'echo-dot', clientId: '01:44:65:0d:12:34:56' });
  });

  test('gives a MAC the address of its longest-running unexpired lease', () => {
    assert.equal(addressOf(parseLeases(text), '44:65:0d:12:34:56', NOW_S), '192.0.2.10');
  });

  test('gives no address for an expired lease', () => {
    assert.equal(addressOf(parseLeases(text), 'f0:27:2d:00:00:01', NOW_S), undefined);
  });

  test('matches a MAC written in capitals in the file', () => {
    assert.equal(addressOf(parseLeases(text), 'b8:27:eb:01:02:03', NOW_S), '192.0.2.13');
  });

  test('reads an empty file as no leases', () => {
    assert.deepEqual(parseLeases(''), []);
  });
});
