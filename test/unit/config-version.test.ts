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
  assert.deepEqual(migrated.config, { ...raw, version: CONFIG_VERSION });
  assert.equal(raw.version, undefined, 'the input is not changed');
  const config = resolveConfig(raw, 'x.yaml', {}, 'box');
  assert.equal(config.version, CONFIG_VERSION);
  assert.deepEqual([config.id, config.judge.grace_s, config.state.history, config.state.write_interval_s], ['kitchen', 20, 100, 120]);
});

test('an explicit version 1 is migrated the same way', () => {
  assert.equal(resolveConfig({ version: 1, judge: { grace_s: 20 } }, 'x.yaml', {}, 'box').version, CONFIG_VERSION);
});

test('a file in the current format loads as it is', () => {
  const raw = parseConfigText(`version: ${CONFIG_VERSION}\n${VERSION_1}`, 'x.yaml');
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
