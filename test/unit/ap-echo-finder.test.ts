// Finding the Echo among the AP's stations: by its configured MAC or Amazon's OUI, with its
// address from the DHCP leases, and "Echo connected" as state for Home Assistant.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AMAZON_OUI_PREFIXES, isAmazonMac } from '../../appliance/src/ap/amazon-oui.js';
import { EchoFinder, type EchoState, type FoundEcho } from '../../appliance/src/ap/echo-finder.js';
import { parseEventMessage } from '../../appliance/src/ap/hostapd-events.js';
import type { Lease } from '../../appliance/src/ap/leases.js';

const ECHO = '44:65:0d:12:34:56';
const FIRE_TV = 'f0:27:2d:00:00:01';
const PI = 'b8:27:eb:01:02:03';
const T0 = Date.parse('2026-11-26T08:00:00Z');

function finder(echoMac?: string): { finder: EchoFinder; changes: EchoState[]; clock: { now: number } } {
  const clock = { now: T0 };
  const f = new EchoFinder({ echoMac, nowMs: () => clock.now });
  const changes: EchoState[] = [];
  f.on('change', (s) => changes.push(s));
  return { finder: f, changes, clock };
}

const event = (line: string) => parseEventMessage(line)!;
const lease = (mac: string, ip: string, expiry = T0 / 1000 + 3600): Lease => ({ mac, ip, expiry });

describe("Amazon's OUI list", () => {
  test('knows the Echo prefixes seen in real captures and not a Raspberry Pi', () => {
    assert.ok(isAmazonMac('44:65:0D:12:34:56'));
    assert.ok(isAmazonMac('fc-65-de-00-00-01'));
    assert.ok(!isAmazonMac(PI));
  });

  test('matches the 28-bit MA-M block on its first 7 hex digits only', () => {
    assert.ok(isAmazonMac('20:0a:0d:b1:23:45'));
    assert.ok(!isAmazonMac('20:0a:0d:c1:23:45'));
  });

  test('holds 170 distinct prefixes of 6, 7 or 9 hex digits', () => {
    assert.equal(new Set(AMAZON_OUI_PREFIXES).size, 170);
    assert.ok(AMAZON_OUI_PREFIXES.every((p) => /^[0-9a-f]{6}([0-9a-f]|[0-9a-f]{3})?$/.test(p)));
  });
});

describe('the Echo finder', () => {
  test('says the Echo is connected when a station with an Amazon OUI associates', () => {
    const { finder: f, changes } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    assert.deepEqual(changes, [{ connected: true, mac: ECHO, recognisedBy: 'Amazon OUI', since: '2026-11-26T08:00:00.000Z' }]);
  });

  test('ignores stations that are not Amazon devices', () => {
    const { finder: f, changes } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${PI}`));
    assert.deepEqual(changes, []);
    assert.deepEqual(f.state, { connected: false });
  });

  test('uses the configured MAC whatever its OUI, and ignores Amazon stations then', () => {
    const { finder: f } = finder(PI);
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    assert.equal(f.state.connected, false);
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${PI}`));
    assert.equal(f.state.connected, true);
    assert.equal(f.state.recognisedBy, 'configured MAC');
  });

  test('reports two Amazon stations as candidates instead of guessing', () => {
    const { finder: f } = finder();
    f.setStations([FIRE_TV, ECHO, PI]);
    assert.deepEqual(f.state, { connected: false, candidates: [ECHO, FIRE_TV] });
  });

  test('keeps the Echo it found when another Amazon device joins later', () => {
    const { finder: f } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${FIRE_TV}`));
    assert.equal(f.state.mac, ECHO);
    assert.equal(f.state.connected, true);
  });

  test('says the Echo is gone when it disassociates, still naming it', () => {
    const { finder: f, changes } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    f.handleEvent(event(`<3>AP-STA-DISCONNECTED ${ECHO}`));
    assert.deepEqual(changes.at(-1), { connected: false, mac: ECHO, recognisedBy: 'Amazon OUI' });
  });

  test('says nobody is connected when the AP goes down', () => {
    const { finder: f } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    f.handleEvent(event('<3>AP-DISABLED '));
    assert.equal(f.state.connected, false);
  });

  test('finds an Echo that joined before earshot attached, from the station list', () => {
    const { finder: f } = finder();
    f.setStations([PI, ECHO]);
    assert.equal(f.state.connected, true);
    assert.equal(f.state.mac, ECHO);
  });

  test("follows the Echo's address from lease to lease", () => {
    const { finder: f, changes } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    f.setLeases([lease(PI, '192.0.2.13'), lease(ECHO, '192.0.2.140')]);
    assert.equal(f.state.ip, '192.0.2.140');
    f.setLeases([lease(ECHO, '192.0.2.10')]);
    assert.equal(f.state.ip, '192.0.2.10');
    assert.deepEqual(changes.map((c) => c.ip), [undefined, '192.0.2.140', '192.0.2.10']);
  });

  test('drops the address once its lease has expired', () => {
    const { finder: f, clock } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    f.setLeases([lease(ECHO, '192.0.2.10', T0 / 1000 + 60)]);
    clock.now += 61_000;
    f.setLeases([lease(ECHO, '192.0.2.10', T0 / 1000 + 60)]);
    assert.equal(f.state.ip, undefined);
  });

  test('emits a change only when the state changes', () => {
    const { finder: f, changes } = finder();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${ECHO}`));
    f.setLeases([]);
    f.setStations([ECHO]);
    assert.equal(changes.length, 1);
  });
});

describe('the finder with several Echos', () => {
  const KITCHEN = '44:65:0d:00:00:10';
  const BEDROOM = 'fc:65:de:00:00:20';
  const SPARE = '44:65:0d:00:00:30';
  const PHONE = 'b8:27:eb:00:00:40';

  function several(listedMacs: string[] = [KITCHEN, BEDROOM.toUpperCase()]) {
    const clock = { now: T0 };
    const f = new EchoFinder({ listedMacs, nowMs: () => clock.now });
    const lists: FoundEcho[][] = [];
    const changes: EchoState[] = [];
    f.on('devices', (d) => lists.push(d));
    f.on('change', (s) => changes.push(s));
    return { finder: f, lists, changes, clock };
  }
  const at = (ms: number): string => new Date(T0 + ms).toISOString();

  test('lists every configured MAC, connected or not, then unlisted Amazon stations; a phone never', () => {
    const { finder: f, lists, clock } = several();
    assert.deepEqual(f.devices, [
      { mac: KITCHEN, listed: true, recognisedBy: 'configured MAC', connected: false },
      { mac: BEDROOM, listed: true, recognisedBy: 'configured MAC', connected: false },
    ]);
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${PHONE}`));
    assert.deepEqual(lists, [], 'a phone joining changed the list');
    clock.now += 1000;
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${SPARE}`));
    clock.now += 1000;
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${BEDROOM}`));
    f.setLeases([lease(BEDROOM, '192.0.2.20'), lease(SPARE, '192.0.2.30'), lease(PHONE, '192.0.2.40')]);
    assert.deepEqual(f.devices, [
      { mac: KITCHEN, listed: true, recognisedBy: 'configured MAC', connected: false },
      { mac: BEDROOM, listed: true, recognisedBy: 'configured MAC', connected: true, ip: '192.0.2.20', since: at(2000) },
      { mac: SPARE, listed: false, recognisedBy: 'Amazon OUI', connected: true, ip: '192.0.2.30', since: at(1000) },
    ]);
    assert.equal(lists.length, 3);
  });

  test('keeps an unlisted Echo that left, disconnected, in its place for the rest of the run', () => {
    const { finder: f } = several([KITCHEN]);
    f.setStations([SPARE, KITCHEN, BEDROOM, PHONE]);
    f.handleEvent(event(`<3>AP-STA-DISCONNECTED ${SPARE}`));
    assert.deepEqual(f.devices.map((d) => [d.mac, d.listed, d.connected]), [[KITCHEN, true, true], [SPARE, false, false], [BEDROOM, false, true]]);
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${SPARE}`));
    assert.deepEqual(f.devices.map((d) => [d.mac, d.connected]), [[KITCHEN, true], [SPARE, true], [BEDROOM, true]], 'rejoining moved it');
  });

  test("follows a listed Echo's lease, and emits only when the list changes", () => {
    const { finder: f, lists } = several();
    f.handleEvent(event(`<3>AP-STA-CONNECTED ${KITCHEN}`));
    f.setLeases([lease(KITCHEN, '192.0.2.10')]);
    f.setLeases([lease(KITCHEN, '192.0.2.10')]);
    f.setStations([KITCHEN]);
    f.setLeases([lease(KITCHEN, '192.0.2.11')]);
    assert.deepEqual(lists.map((l) => l[0].ip), [undefined, '192.0.2.10', '192.0.2.11']);
    assert.equal(f.devices[1].connected, false);
  });

  test('still reports the single-Echo change: several Amazon stations are candidates', () => {
    const { finder: f, changes } = several([]);
    f.setStations([SPARE, BEDROOM]);
    assert.deepEqual(changes, [{ connected: false, candidates: [SPARE, BEDROOM].sort() }]);
    assert.equal(f.devices.length, 2);
  });

  test('a configured ap.echo.mac is listed when no list is given', () => {
    const f = new EchoFinder({ echoMac: KITCHEN, nowMs: () => T0 });
    assert.deepEqual(f.devices, [{ mac: KITCHEN, listed: true, recognisedBy: 'configured MAC', connected: false }]);
  });
});
