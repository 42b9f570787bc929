// The config's `version`: today's files (no version, format 1) load through the migration, files
// in the current format load as they are, and a file from a newer earshot is refused in one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkApConfigFile } from '../../appliance/src/ap/config.js';
import { CONFIG_VERSION, migrateConfig } from '../../appliance/src/config-version.js';
import { parseConfigText, resolveConfig } from '../../appliance/src/service/load-config.js';
import { configProblem } from '../support/config-problem.js';

// A config as written before versions existed (docs/service.md's example of the time).
const VERSION_1 = `id: kitchen
capture: { interface: wlan0 }
mqtt: { url: "mqtt://192.0.2.5:1883", discovery_prefix: homeassistant }
state: { path: /var/lib/earshot/state.json, history: 100, write_interval_s: 120 }
judge: { grace_s: 20 }
enforcement: { mode: alert }
mic: { sensor: gpio, line: GPIO17, debounce_ms: 20 }
led: { name: earshot }
`;

const problemWith = configProblem;

test('a file without version is format 1 and is migrated to the current format with every setting kept', () => {
  const raw = parseConfigText(VERSION_1, 'x.yaml');
  const migrated = migrateConfig(raw);
  assert.ok(migrated.ok);
  assert.equal(migrated.from, 1);
  const { mic, ...rest } = raw;
  assert.deepEqual(migrated.config, { ...rest, version: CONFIG_VERSION, devices: [{ id: 'echo', name: 'Echo', mic }] });
  assert.equal(raw.version, undefined, 'the input is not changed');
  const config = resolveConfig(raw, 'x.yaml', {}, 'box');
  assert.equal(config.version, CONFIG_VERSION);
  assert.deepEqual([config.id, config.judge.grace_s, config.state.history, config.state.write_interval_s], ['kitchen', 20, 100, 120]);
  assert.deepEqual(config.devices, [{ id: 'echo', name: 'Echo', mic: { sensor: 'gpio', line: 'GPIO17', debounce_ms: 20 } }]);
});

test('version 2: the single device and mic become the one Echo of devices, keeping the id and name a one-Echo box had', () => {
  const migrated = migrateConfig({ version: 2, device: { mac: '44:65:0d:12:34:56' }, mic: { timeline: 'ring.csv' }, judge: { grace_s: 10 } });
  assert.ok(migrated.ok);
  assert.equal(migrated.from, 2);
  assert.deepEqual(migrated.config, { version: 3, judge: { grace_s: 10 }, devices: [{ id: 'echo', name: 'Echo', mac: '44:65:0d:12:34:56', mic: { timeline: 'ring.csv' } }] });
  const without = migrateConfig({ version: 2, judge: { grace_s: 10 } });
  assert.ok(without.ok);
  assert.equal(without.config.devices, undefined, 'no device and no mic: the Echo is still found by itself');
});

test('a problem in a version 2 file is named as the user wrote it, not where the migration moved it', () => {
  assert.match(problemWith({ version: 2, mic: { sensor: 'laser' } }), /^x\.yaml: mic\.sensor: expected/);
  assert.match(problemWith({ version: 2, device: { ip: 'nope' } }), /^x\.yaml: device\.ip: expected an IPv4 or IPv6 address/);
  assert.match(problemWith({ version: 3, devices: [{ name: 'Kitchen', mic: { sensor: 'laser' } }] }), /^x\.yaml: devices\.0\.mic\.sensor: expected/);
});

test('version 3 lists several Echos, each with its id (from its name by default), address and ring', () => {
  const config = resolveConfig(
    { version: 3, devices: [{ name: 'Living room', mac: '44-65-0D-00-00-01', mic: { sensor: 'gpio', line: 'GPIO17' } }, { name: 'Bedroom', id: 'bed', ip: '192.0.2.11' }] },
    'x.yaml',
    {},
    'box',
  );
  assert.deepEqual(config.devices, [
    { id: 'living-room', name: 'Living room', mac: '44:65:0d:00:00:01', mic: { sensor: 'gpio', line: 'GPIO17' } },
    { id: 'bed', name: 'Bedroom', ip: '192.0.2.11', mic: { sensor: 'none' } },
  ]);
});

test('several Echos each need a name and an address, and none twice', () => {
  assert.equal(problemWith({ version: 3, devices: [{ name: 'A', ip: '192.0.2.10' }, { ip: '192.0.2.11' }] }), 'x.yaml: devices.1.name: expected a name for each Echo when the box watches several, such as "Kitchen"');
  assert.equal(problemWith({ version: 3, devices: [{ name: 'A', ip: '192.0.2.10' }, { name: 'B' }] }), 'x.yaml: devices.1: expected a mac or ip for each Echo when the box watches several (only a sole Echo can be found by itself)');
  assert.equal(problemWith({ version: 3, devices: [{ name: 'A', ip: '192.0.2.10' }, { name: 'a', ip: '192.0.2.11' }] }), "x.yaml: devices.1: the same id as devices.0 ('a'): each Echo once");
  assert.equal(problemWith({ version: 3, devices: [{ name: 'A', ip: '192.0.2.10' }, { name: 'B', ip: '192.0.2.10' }] }), "x.yaml: devices.1: the same ip as devices.0 ('192.0.2.10'): each Echo once");
  assert.match(problemWith({ version: 3, devices: [{ name: 'A', colour: 'red' }] }), /^x\.yaml: devices\.0\.colour: unknown setting \(known here: name, id, ip, mac, mic\)$/);
  assert.equal(problemWith({ version: 3, devices: [{ name: '!!!' }] }), 'x.yaml: devices.0.id: expected an id of lowercase letters, digits, "-" or "_" (the name \'!!!\' gives none; set id)');
});

test('an explicit version 1 is migrated the same way', () => {
  assert.equal(resolveConfig({ version: 1, judge: { grace_s: 20 } }, 'x.yaml', {}, 'box').version, CONFIG_VERSION);
});

test('a file in the current format loads as it is', () => {
  const raw = parseConfigText(`version: ${CONFIG_VERSION}\n${VERSION_1.replace('mic: {', 'devices:\n  - name: Kitchen\n    mic: {')}`, 'x.yaml');
  const migrated = migrateConfig(raw);
  assert.ok(migrated.ok);
  assert.deepEqual(migrated.config, raw);
  assert.equal(resolveConfig(raw, 'x.yaml', {}, 'box').judge.grace_s, 20);
});

test('a file from a newer earshot is refused, saying so', () => {
  assert.equal(
    problemWith({ version: CONFIG_VERSION + 1 }),
    `x.yaml: version: written by a newer earshot (version ${CONFIG_VERSION + 1}; this earshot reads versions 1 to ${CONFIG_VERSION}): update earshot, or write the file in version ${CONFIG_VERSION}'s format`,
  );
});

test('a newer file is refused before its unknown settings are looked at', () => {
  assert.match(problemWith({ version: CONFIG_VERSION + 1, sensors: { ring: 'gpio' } }), /^x\.yaml: version: written by a newer earshot/);
});

test('a version that is not a whole number from 1 is refused with the value given', () => {
  for (const version of ['2', 0, 1.5, null]) {
    assert.match(problemWith({ version }), /^x\.yaml: version: expected a config format version: a whole number, \d+ for this earshot \(got .+\)$/);
  }
});

test('earshot ap applies the same version rule to the file it reads', () => {
  const ap = { ssid: 'Echo Box', wpa_passphrase: 'correct horse battery', country_code: 'DE' };
  assert.equal(checkApConfigFile({ ap }, 'c.yaml').ap.ssid, 'Echo Box');
  assert.equal(checkApConfigFile({ version: CONFIG_VERSION, ap }, 'c.yaml').ap.ssid, 'Echo Box');
  assert.throws(() => checkApConfigFile({ version: CONFIG_VERSION + 1, ap }, 'c.yaml'), /^ConfigError: c\.yaml: version: written by a newer earshot/);
});
