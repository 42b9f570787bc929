// hostapd's control-interface messages, parsed from lines recorded from the real hostapd
// (test/fixtures/ap/hostapd-events.txt), and the replies the client reads.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isEventMessage, parseEventMessage, parseKeyValueReply, parseStationReply } from '../../appliance/src/ap/hostapd-events.js';

const recorded = readFileSync(new URL('../fixtures/ap/hostapd-events.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.slice(l.indexOf('\t') + 1));

describe('hostapd control-interface events', () => {
  test('parses every recorded line into the event it stands for', () => {
    const kinds = recorded.map((line) => {
      const parsed = parseEventMessage(line);
      assert.ok(parsed, `not an event: ${JSON.stringify(line)}`);
      const e = parsed.event;
      return `${parsed.iface ?? ''}|${e.kind}|${'mac' in e ? e.mac : 'name' in e ? e.name : ''}`;
    });
    assert.deepEqual(kinds, [
      '|station-connected|44:65:0d:12:34:56',
      '|station-connected|3c:5c:c4:aa:bb:cc',
      '|station-disconnected|44:65:0d:12:34:56',
      '|station-disconnected|3c:5c:c4:aa:bb:cc',
      '|ap-disabled|',
      '|ap-enabled|',
      '|terminating|',
      'wlanx|station-connected|44:65:0d:12:34:56',
      'wlanx|station-disconnected|44:65:0d:12:34:56',
      '|station-connected|44:65:0d:12:34:56',
      '|station-connected|44:65:0d:12:34:56',
      '|psk-mismatch|44:65:0d:12:34:56',
      '|other|EAPOL-4WAY-HS-COMPLETED',
      '|station-disconnected|44:65:0d:12:34:56',
    ]);
  });

  test('reads the level hostapd gives its events', () => {
    assert.equal(parseEventMessage('<3>AP-STA-CONNECTED 44:65:0d:12:34:56')?.level, 3);
  });

  test('keeps the key=value parameters after a connected station', () => {
    assert.deepEqual(parseEventMessage('<3>AP-STA-CONNECTED 44:65:0d:12:34:56 keyid=echo ip_addr=192.0.2.10')?.event, {
      kind: 'station-connected',
      mac: '44:65:0d:12:34:56',
      params: { keyid: 'echo', ip_addr: '192.0.2.10' },
    });
  });

  test('lower-cases the MAC so it matches leases and the configured MAC', () => {
    assert.deepEqual(parseEventMessage('<3>AP-STA-DISCONNECTED 44:65:0D:12:34:56')?.event, { kind: 'station-disconnected', mac: '44:65:0d:12:34:56' });
  });

  test('treats a station event without a MAC as some other event rather than inventing a station', () => {
    assert.deepEqual(parseEventMessage('<3>AP-STA-CONNECTED garbage')?.event, { kind: 'other', name: 'AP-STA-CONNECTED', text: 'AP-STA-CONNECTED garbage' });
  });

  test('tells replies from events the way wpa_ctrl does: events start with <level>', () => {
    for (const reply of ['PONG\n', 'OK\n', 'FAIL\n', 'state=ENABLED\nchannel=6\n', '', 'UNKNOWN COMMAND\n']) {
      assert.equal(isEventMessage(reply), false, reply);
      assert.equal(parseEventMessage(reply), undefined);
    }
    assert.ok(recorded.every(isEventMessage));
  });
});

describe('hostapd replies', () => {
  test('reads the station of a STA-FIRST reply and its fields', () => {
    // Recorded from hostapd v2.10 (driver=none) after NEW_STA.
    const reply = '44:65:0d:12:34:56\nflags=\naid=0\ncapability=0x0\nlisten_interval=0\nsupported_rates=\ntimeout_next=NULLFUNC POLL\n';
    assert.deepEqual(parseStationReply(reply), {
      mac: '44:65:0d:12:34:56',
      fields: { flags: '', aid: '0', capability: '0x0', listen_interval: '0', supported_rates: '', timeout_next: 'NULLFUNC POLL' },
    });
  });

  test('reads an empty STA-NEXT reply as the end of the list', () => {
    assert.equal(parseStationReply(''), undefined);
    assert.equal(parseStationReply('FAIL\n'), undefined);
  });

  test('reads STATUS as key=value pairs, values kept as hostapd escaped them', () => {
    const status = parseKeyValueReply('state=ENABLED\nchannel=36\nssid[0]=k\\xc3\\xbcchen\nnum_sta[0]=0\n');
    assert.deepEqual(status, { state: 'ENABLED', channel: '36', 'ssid[0]': 'k\\xc3\\xbcchen', 'num_sta[0]': '0' });
  });
});
