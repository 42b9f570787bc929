// Every section of the service config is in its JSON schema: an unknown key is an error naming it,
// a section's full set of settings is accepted, and a wrong value names the field. The os-image's
// card template and first boot's output are configs too, and must pass the same checks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseMicSensorConfig } from '../../gpio/sensor-config.js';
import { prepareFirstBoot } from '../../appliance/src/cli/firstboot-config.js';
import { MIC_SCHEMA } from '../../appliance/src/service/config-schema.js';
import { CONFIG_VERSION } from '../../appliance/src/config-version.js';
import { parseConfigText, resolveConfig } from '../../appliance/src/service/load-config.js';
import { configProblem } from '../support/config-problem.js';

type Raw = Record<string, unknown>;

const problemWith = configProblem;

const AP = { ssid: 'Echo Box', wpa_passphrase: 'correct horse battery', country_code: 'DE', lan: { subnet: '192.0.2.0/24' } };

/** Each section with every setting it takes, and the line an unknown key in it gives. */
const SECTIONS: Array<{ name: string; full: Raw; unknown: Raw; message: RegExp }> = [
  { name: 'device', full: { device: { mac: '44:65:0d:12:34:56' } }, unknown: { device: { name: 'echo' } }, message: /^x\.yaml: device\.name: unknown setting \(known here: ip, mac\)$/ },
  {
    name: 'devices',
    full: { version: 3, devices: [{ name: 'Kitchen', id: 'kitchen', mac: '44:65:0d:12:34:56', mic: { sensor: 'none' } }] },
    unknown: { version: 3, devices: [{ name: 'Kitchen', colour: 'red' }] },
    message: /^x\.yaml: devices\.0\.colour: unknown setting \(known here: name, id, ip, mac, mic\)$/,
  },
  { name: 'capture', full: { capture: { file: 'x.pcap', pace: 'recorded', speed: 2, buffer_mb: 8 } }, unknown: { capture: { iface: 'wlan0' } }, message: /^x\.yaml: capture\.iface: unknown setting \(known here: interface, file, pace, speed, buffer_mb\)$/ },
  {
    name: 'mic (gpio wire)',
    full: { mic: { sensor: 'gpio', line: 'GPIO17', chip: 'gpiochip0', active_low: true, bias: 'pull-up', backend: 'gpiod', debounce_ms: 20, pulse_hold_ms: 1500, max_silence_s: 3600, record: 'r.csv', light: { sensor: 'bh1750', bus: 1, address: '0x23', on_lux: 20, off_lux: 5, hold_ms: 1500, poll_ms: 200 } } },
    unknown: { mic: { sensor: 'gpio', pin: 17 } },
    message: /^x\.yaml: mic\.pin: unknown setting \(known here: timeline, sensor, line, .*\)$/,
  },
  {
    name: 'mic (colour sensor)',
    full: { mic: { sensor: 'tcs34725', bus: 1, address: 0x29, calibration: 'c.json', poll_ms: 100, enter_ms: 200, hold_ms: 1500 } },
    unknown: { mic: { sensor: 'tcs34725', light: { sensor: 'bh1750', lux: 3 } } },
    message: /^x\.yaml: mic\.light\.lux: unknown setting \(known here: sensor, bus, address, on_lux, off_lux, hold_ms, poll_ms\)$/,
  },
  { name: 'mqtt', full: { mqtt: { url: 'mqtt://192.0.2.5:1883', username: 'u', password: 'p', discovery_prefix: 'ha', queue_limit: 50 } }, unknown: { mqtt: { host: 'x' } }, message: /^x\.yaml: mqtt\.host: unknown setting/ },
  { name: 'state', full: { state: { path: '/tmp/s.json', history: 10, write_interval_s: 300 } }, unknown: { state: { file: 'x' } }, message: /^x\.yaml: state\.file: unknown setting/ },
  { name: 'judge', full: { judge: { grace_s: 10 } }, unknown: { judge: { grace: 10 } }, message: /^x\.yaml: judge\.grace: unknown setting \(known here: grace_s\)$/ },
  {
    name: 'enforcement',
    full: { enforcement: { mode: 'block-when-muted', hold_new_flows: true, block_timeout_s: 600 } },
    unknown: { enforcement: { timeout: 5 } },
    message: /^x\.yaml: enforcement\.timeout: unknown setting \(known here: mode, hold_new_flows, block_timeout_s\)$/,
  },
  { name: 'record', full: { record: { enabled: true, dir: '/tmp/d', max_total_mb: 100, segment_mb: 10, segment_s: 600 } }, unknown: { record: { on: true } }, message: /^x\.yaml: record\.on: unknown setting/ },
  {
    name: 'status_page',
    full: { status_page: { enabled: true, bind: '127.0.0.1', port: 8081, token: 'a-token-of-16-chars', token_file: '/tmp/t', chart_s: 120 } },
    unknown: { status_page: { address: '127.0.0.1' } },
    message: /^x\.yaml: status_page\.address: unknown setting/,
  },
  { name: 'led', full: { led: { enabled: true, name: 'ACT' } }, unknown: { led: { gpio: 27 } }, message: /^x\.yaml: led\.gpio: unknown setting \(known here: enabled, name\)$/ },
  {
    name: 'ap',
    full: { ap: { ...AP, interface: 'wlan1', uplink: 'eth0', hidden: true, client_isolation: true, security: 'wpa2-wpa3', hw_mode: 'a', channel: 36, ieee80211n: true, ieee80211ac: true, channel_width: 80, ctrl_interface: '/run/hostapd', echo: { mac: '44:65:0d:12:34:56', ip: '192.0.2.50' } } },
    unknown: { ap: { ...AP, pasword: 'x' } },
    message: /^x\.yaml: ap\.pasword: unknown field/,
  },
  {
    name: 'ap.lan',
    full: { ap: { ...AP, lan: { subnet: '192.0.2.0/24', address: '192.0.2.1', dhcp_range: { start: '192.0.2.100', end: '192.0.2.200' }, lease_time: '1h', lease_file: '/tmp/leases' } } },
    unknown: { ap: { ...AP, lan: { subnet: '192.0.2.0/24', gateway: '192.0.2.1' } } },
    message: /^x\.yaml: ap\.lan\.gateway: unknown field/,
  },
];

for (const section of SECTIONS) {
  test(`${section.name}: every setting it takes is accepted`, () => {
    assert.doesNotThrow(() => resolveConfig(section.full, 'x.yaml', {}, 'box'));
  });
  test(`${section.name}: an unknown key is refused, naming it`, () => {
    assert.match(problemWith(section.unknown), section.message);
  });
}

test('a wrong value in a hardware section names the field, what was expected and the value', () => {
  assert.equal(problemWith({ mic: { sensor: 'gpio', debounce_ms: 5000 } }), "x.yaml: mic.debounce_ms: expected milliseconds between 0 and 1000 (got 5000)");
  assert.equal(problemWith({ mic: { address: '0x999' } }), "x.yaml: mic.address: expected an I2C address between 0x03 and 0x77, such as 0x29 (got '0x999')");
  assert.equal(problemWith({ led: { name: '../brightness' } }), `x.yaml: led.name: expected a name under /sys/class/leds, such as "earshot" or "ACT" (got '../brightness')`);
  assert.equal(problemWith({ enforcement: { block_timeout_s: 5 } }), 'x.yaml: enforcement.block_timeout_s: expected whole seconds between 60 and 86400 (got 5)');
});

test('problems in the schema and in the AP\'s semantics are counted together in one line', () => {
  assert.match(problemWith({ led: { gpio: 27 }, ap: { ...AP, ssid: 'x'.repeat(40) } }), /^x\.yaml: led\.gpio: unknown setting .*\(and 1 more problem\)$/);
});

const TEMPLATE = readFileSync(new URL('../../os-image/firmware/earshot.conf', import.meta.url), 'utf8');

test('the card template, filled in and with every commented section turned on, is a valid config', () => {
  const filled = TEMPLATE.replace('ssid: ""', 'ssid: "Echo Box"').replace('wpa_passphrase: ""', 'wpa_passphrase: "correct horse battery"').replace('country_code: ""', 'country_code: DE');
  const withToken = filled.replace('"at least 16 characters"', 'a-token-of-16-chars');
  // Uncomment the example sections (lines "# key:" and their indented "#   key: value" lines).
  const uncommented = withToken
    .split('\n')
    .map((line) => (/^# [a-z_]+:\s*$/.test(line) || /^#   /.test(line) ? line.slice(2) : line))
    .filter((line) => !/^\s*- ssh-ed25519 AAAA\.\.\./.test(line) && !/^(ssh|  authorized_keys):/.test(line))
    .join('\n');
  const raw = parseConfigText(uncommented, 'earshot.conf');
  assert.ok(raw.mqtt && raw.mic && raw.status_page, 'the example sections were turned on');
  assert.equal(resolveConfig(raw, 'earshot.conf', {}, 'box').version, CONFIG_VERSION);
});

test('first boot writes a service config that loads as it is, in the current format', () => {
  const conf = `ap: { ssid: "Echo Box", wpa_passphrase: "correct horse battery", country_code: DE }\nmic: { sensor: gpio, line: GPIO17 }\nled: { name: ACT }\nenforcement: { mode: block-when-muted }\n`;
  const written = parse(prepareFirstBoot(conf, 'earshot.conf').serviceConfig) as Raw;
  assert.equal(written.version, CONFIG_VERSION);
  const config = resolveConfig(written, '/etc/earshot/earshot.yaml', {}, 'box');
  assert.equal(config.enforcement.mode, 'block-when-muted');
  assert.equal(config.ap?.ssid, 'Echo Box');
});

// The mic ranges are said twice, by the schema (at load) and by the sensor's own check (when it
// starts, gpio/sensor-config.ts); these must agree at every edge.
const RANGED: Array<{ base: Raw; keys: string[]; inside?: string }> = [
  { base: { sensor: 'gpio' }, keys: ['debounce_ms', 'pulse_hold_ms', 'max_silence_s'] },
  { base: { sensor: 'tcs34725', calibration: 'c.json' }, keys: ['bus', 'poll_ms', 'enter_ms', 'hold_ms'] },
  { base: { sensor: 'gpio' }, keys: ['bus', 'on_lux', 'hold_ms', 'poll_ms'], inside: 'light' },
];

for (const { base, keys, inside } of RANGED) {
  for (const key of keys) {
    const field = inside ? `mic.${inside}.${key}` : `mic.${key}`;
    test(`${field} (${String(base.sensor)}): the schema and the sensor's check accept and refuse the same edges`, () => {
      const schema = (inside ? (MIC_SCHEMA.properties[inside] as { properties: Record<string, object> }).properties : MIC_SCHEMA.properties)[key] as { minimum: number; maximum: number };
      const mic = (value: number): Raw => (inside ? { ...base, [inside]: { [key]: value } } : { ...base, [key]: value });
      for (const value of [schema.minimum, schema.maximum]) {
        assert.doesNotThrow(() => resolveConfig({ mic: mic(value) }, 'x.yaml', {}, 'box'), `${field} = ${value} at load`);
        assert.doesNotThrow(() => parseMicSensorConfig(mic(value), 'x.yaml'), `${field} = ${value} by the sensor`);
      }
      for (const value of [schema.minimum - 1, schema.maximum + 1]) {
        assert.match(problemWith({ mic: mic(value) }), new RegExp(`^x\\.yaml: ${field.replaceAll('.', '\\.')}: `), `${field} = ${value} at load`);
        assert.throws(() => parseMicSensorConfig(mic(value), 'x.yaml'), new RegExp(`${field.replaceAll('.', '\\.')}: `), `${field} = ${value} by the sensor`);
      }
    });
  }
}
