import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_DEFAULTS } from '../../appliance/src/service/config-schema.js';
import { applyEnvironment, ConfigError, idFromMac, parseConfigText, resolveConfig } from '../../appliance/src/service/load-config.js';
import { configProblem } from '../support/config-problem.js';

type Raw = Record<string, unknown>;

const problemWith = configProblem;

function parseProblem(text: string, file: string): string {
  try {
    parseConfigText(text, file);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`parsed ${JSON.stringify(text)} as ${file}`);
}

const ALL_DEFAULTS = {
  version: 3,
  written_version: 1,
  id: 'box',
  capture: { interface: 'wlan0', pace: 'fast', buffer_mb: 32 },
  devices: [{ id: 'echo', name: 'Echo', mic: { sensor: 'none' } }],
  mqtt: { discovery_prefix: 'homeassistant', queue_limit: 1000 },
  state: { path: '/var/lib/earshot/state.json', history: 200, write_interval_s: 60 },
  judge: { grace_s: 30 },
  enforcement: { mode: 'alert', hold_new_flows: false, block_timeout_s: 3600 },
  record: { enabled: false, dir: '/var/lib/earshot/datasets', max_total_mb: 1024, segment_mb: 64, segment_s: 3600 },
  status_page: { enabled: true, bind: 'auto', port: 8080, token_file: '/etc/earshot/status-page.token', chart_s: 600 },
};

// Every field with one invalid value and the exact line the user sees.
const INVALID_FIELDS: Array<[Raw, string]> = [
  [{ record: { enabled: 'yes' } }, `x.yaml: record.enabled: expected true or false (got 'yes')`],
  [{ record: { max_total_mb: 2 } }, `x.yaml: record.max_total_mb: expected a whole number of MB between 4 and 1000000 (got 2)`],
  [{ record: { segment_s: 20.5 } }, `x.yaml: record.segment_s: expected whole seconds between 10 and 604800 (a week) (got 20.5)`],
  [{ record: { max_total_mb: 100, segment_mb: 30 } }, `x.yaml: record.segment_mb: expected at most a quarter of record.max_total_mb (25; got 30)`],
  [{ id: 'Kitchen' }, `x.yaml: id: expected 1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit (got 'Kitchen')`],
  [{ id: 5 }, `x.yaml: id: expected 1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit (got 5)`],
  [{ id: 'a'.repeat(33) }, `x.yaml: id: expected 1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit (got '${'a'.repeat(33)}')`],
  [{ device: 'echo' }, `x.yaml: device: expected { ip } or { mac } (got 'echo')`],
  [{ device: { ip: 'nope' } }, `x.yaml: device.ip: expected an IPv4 or IPv6 address (got 'nope')`],
  [{ device: { mac: '44:65:0d:12:34' } }, `x.yaml: device.mac: expected a MAC address like 44:65:0d:12:34:56 (got '44:65:0d:12:34')`],
  [{ capture: 'wlan0' }, `x.yaml: capture: expected { interface } or { file, pace } (got 'wlan0')`],
  [{ capture: { interface: '' } }, `x.yaml: capture.interface: expected a network interface name such as wlan0 (got '')`],
  [{ capture: { interface: 'averyveryverylongname' } }, `x.yaml: capture.interface: expected a network interface name such as wlan0 (got 'averyveryverylongname')`],
  [{ capture: { file: '' } }, `x.yaml: capture.file: expected a path to a pcap or pcapng file (got '')`],
  [{ capture: { pace: 'slow' } }, `x.yaml: capture.pace: expected "recorded" or "fast" (got 'slow')`],
  [{ capture: { buffer_mb: 1 } }, `x.yaml: capture.buffer_mb: expected a whole number of MiB between 2 and 256 (got 1)`],
  [{ capture: { buffer_mb: 2.5 } }, `x.yaml: capture.buffer_mb: expected a whole number of MiB between 2 and 256 (got 2.5)`],
  [{ mic: 'gpio' }, `x.yaml: mic: expected { timeline } or { sensor, ... } (got 'gpio')`],
  [{ mic: { timeline: '' } }, `x.yaml: mic.timeline: expected a path to a mic timeline CSV (got '')`],
  [{ mic: { sensor: 'camera' } }, `x.yaml: mic.sensor: expected "gpio", "tcs34725" or "none" (got 'camera')`],
  [{ mqtt: { url: 'htp://x' } }, `x.yaml: mqtt.url: expected an mqtt:// or mqtts:// URL (got 'htp://x')`],
  [{ mqtt: { url: 'mqtt://' } }, `x.yaml: mqtt.url: expected an mqtt:// or mqtts:// URL (got 'mqtt://')`],
  [{ mqtt: { url: 'mqtt://:1883' } }, `x.yaml: mqtt.url: expected a broker host, as in mqtt://192.0.2.5:1883 (got 'mqtt://:1883')`],
  [{ mqtt: { url: 'mqtt://user:secret@:1883' } }, `x.yaml: mqtt.url: expected a broker host, as in mqtt://192.0.2.5:1883 (got 'mqtt://user:***@:1883')`],
  [{ mqtt: { username: 5 } }, `x.yaml: mqtt.username: expected a string (got 5)`],
  [{ mqtt: { discovery_prefix: 'home assistant' } }, `x.yaml: mqtt.discovery_prefix: expected a topic prefix such as homeassistant (got 'home assistant')`],
  [{ mqtt: { queue_limit: 5 } }, `x.yaml: mqtt.queue_limit: expected a whole number between 10 and 100000 (got 5)`],
  [{ state: { path: '' } }, `x.yaml: state.path: expected a file path (got '')`],
  [{ state: { history: 0 } }, `x.yaml: state.history: expected a whole number of alerts between 1 and 10000 (got 0)`],
  [{ state: { write_interval_s: 0 } }, `x.yaml: state.write_interval_s: expected seconds between 1 and 86400 (got 0)`],
  [{ judge: { grace_s: -1 } }, `x.yaml: judge.grace_s: expected seconds between 0 and 3600 (got -1)`],
  [{ judge: { grace_s: 'soon' } }, `x.yaml: judge.grace_s: expected seconds between 0 and 3600 (got 'soon')`],
  [{ enforcement: { mode: 'block' } }, `x.yaml: enforcement.mode: expected "off", "alert" or "block-when-muted" (got 'block')`],
  [{ led: 'on' }, `x.yaml: led: expected LED settings (got 'on')`],
  [{ ap: 5 }, `x.yaml: ap: expected access-point settings (got 5)`],
];

for (const [raw, message] of INVALID_FIELDS) {
  test(`an invalid ${JSON.stringify(raw)} is refused with the field, what was expected and the value given`, () => {
    assert.equal(problemWith(raw), message);
  });
}

test('a ConfigError carries the file, the field and the problem separately', () => {
  try {
    resolveConfig({ mqtt: { url: 'htp://x' } }, '/etc/earshot/config.yaml', {}, 'box');
    assert.fail('accepted a bad url');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.file, '/etc/earshot/config.yaml');
    assert.equal(error.field, 'mqtt.url');
    assert.equal(error.problem, "expected an mqtt:// or mqtts:// URL (got 'htp://x')");
    assert.equal(error.name, 'ConfigError');
  }
});

for (const group of ['mqtt', 'state', 'judge', 'enforcement']) {
  test(`the ${group} group, when not a mapping, says what was expected in words`, () => {
    const message = problemWith({ [group]: 'x' });
    assert.match(message, new RegExp(`^x\\.yaml: ${group}: expected .+ \\(got 'x'\\)$`));
    assert.doesNotMatch(message, /expected must be/);
  });
}

for (const ip of ['999.999.999.999', '1.2.3.256', ':', ':::::']) {
  test(`device.ip '${ip}' is refused as not an address`, () => {
    assert.equal(problemWith({ device: { ip } }), `x.yaml: device.ip: expected an IPv4 or IPv6 address (got '${ip}')`);
  });
}

test('real IPv4 and IPv6 addresses are accepted for the device', () => {
  for (const ip of ['192.0.2.10', '10.0.0.1', '2001:db8::1', '::1', '::ffff:192.0.2.1', 'fe80::1']) {
    assert.equal(resolveConfig({ device: { ip } }, 'x.yaml', {}, 'box').devices[0].ip, ip);
  }
});

test('a device with both ip and mac is refused and asked for only one of them', () => {
  assert.equal(problemWith({ device: { ip: '192.0.2.10', mac: '44:65:0d:12:34:56' } }), 'x.yaml: device: expected only one of ip or mac');
});

test('a device given by mac, with colons or dashes, in any case, is read as one lowercase MAC', () => {
  assert.equal(resolveConfig({ device: { mac: '44:65:0D:12:34:56' } }, 'x.yaml', {}, 'box').devices[0].mac, '44:65:0d:12:34:56');
  assert.equal(resolveConfig({ device: { mac: '44-65-0d-12-34-56' } }, 'x.yaml', {}, 'box').devices[0].mac, '44:65:0d:12:34:56');
});

test('an unknown top-level setting is named and the known ones are listed', () => {
  assert.equal(problemWith({ colour: 'red' }), 'x.yaml: colour: unknown setting (known here: version, id, devices, capture, mqtt, state, judge, enforcement, record, status_page, model, led, ap)');
});

test('an unknown nested setting is named with its path and the known ones of its group are listed', () => {
  assert.equal(problemWith({ mqtt: { urll: 'mqtt://x' } }), 'x.yaml: mqtt.urll: unknown setting (known here: url, username, password, discovery_prefix, queue_limit)');
  assert.equal(problemWith({ judge: { grace: 3 } }), 'x.yaml: judge.grace: unknown setting (known here: grace_s)');
});

test('a wrongly typed password is described by its length, never its value', () => {
  assert.equal(problemWith({ mqtt: { password: 12345 } }), 'x.yaml: mqtt.password: expected a string (got 5 characters)');
  const message = problemWith({ mqtt: { password: ['hunter2'] } });
  assert.doesNotMatch(message, /hunter2/);
  assert.match(message, /^x\.yaml: mqtt\.password: expected a string \(got \d+ characters\)$/);
});

test('a valid password next to an invalid setting never appears in the error', () => {
  const message = problemWith({ mqtt: { url: 'htp://x', password: 'hunter2', queue_limit: 1 } });
  assert.doesNotMatch(message, /hunter2/);
  assert.equal(message, "x.yaml: mqtt.url: expected an mqtt:// or mqtts:// URL (got 'htp://x') (and 1 more problem)");
});

test('a JSON syntax error near the password does not quote the password', () => {
  const message = parseProblem('{"mqtt": {"password": hunter2}}', 'x.json');
  assert.match(message, /^x\.json: file: not valid JSON: /);
  assert.doesNotMatch(message, /hunter2/);
});

test('several problems report the first and count the rest', () => {
  assert.equal(
    problemWith({ mqtt: { url: 'htp://x' }, judge: { grace_s: -1 } }),
    "x.yaml: mqtt.url: expected an mqtt:// or mqtts:// URL (got 'htp://x') (and 1 more problem)",
  );
  assert.equal(
    problemWith({ mqtt: { url: 'htp://x' }, judge: { grace_s: -1 }, enforcement: { mode: 'x' } }),
    "x.yaml: mqtt.url: expected an mqtt:// or mqtts:// URL (got 'htp://x') (and 2 more problems)",
  );
});

test('JSON files are parsed as JSON and YAML files as YAML', () => {
  assert.deepEqual(parseConfigText('{"id": "kitchen", "judge": {"grace_s": 10}}', 'c.json'), { id: 'kitchen', judge: { grace_s: 10 } });
  assert.deepEqual(parseConfigText('id: kitchen\njudge:\n  grace_s: 10\n', 'c.yaml'), { id: 'kitchen', judge: { grace_s: 10 } });
  assert.deepEqual(parseConfigText('id: kitchen', 'c.yml'), { id: 'kitchen' });
});

test('YAML-only syntax in a .json file is a JSON error', () => {
  assert.match(parseProblem('id: kitchen', 'c.json'), /^c\.json: file: not valid JSON: /);
});

test('a JSON syntax error names the file and gives the position', () => {
  assert.equal(parseProblem('{', 'c.json'), 'c.json: file: not valid JSON: syntax error at line 1, column 2');
  assert.equal(parseProblem('{\n"a":1,}', 'c.json'), 'c.json: file: not valid JSON: syntax error at line 2, column 7');
  assert.equal(parseProblem('{"a": ', 'c.json'), 'c.json: file: not valid JSON: unexpected end of file');
});

test('a YAML syntax error names the file, the line and the column, on one line', () => {
  assert.equal(parseProblem('a: [', 'c.yaml'), 'c.yaml: file: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 5');
  assert.equal(parseProblem('a: 1\na: 2', 'c.yaml'), 'c.yaml: file: not valid YAML: Map keys must be unique at line 2, column 1');
  assert.equal(parseProblem('mqtt:\n\tpassword: x\n', 'c.yaml'), 'c.yaml: file: not valid YAML: Tabs are not allowed as indentation at line 2, column 1');
});

test('a file that is not a mapping at the top level is refused', () => {
  assert.equal(parseProblem('[]', 'c.json'), 'c.json: file: expected a mapping of settings at the top level');
  assert.equal(parseProblem('- 1', 'c.yaml'), 'c.yaml: file: expected a mapping of settings at the top level');
  assert.equal(parseProblem('hello', 'c.yaml'), 'c.yaml: file: expected a mapping of settings at the top level');
  assert.equal(parseProblem('42', 'c.json'), 'c.json: file: expected a mapping of settings at the top level');
});

test('an empty or comment-only YAML file is all defaults', () => {
  for (const text of ['', '\n\n', '# nothing here\n']) {
    const raw = parseConfigText(text, 'c.yaml');
    assert.deepEqual(raw, {});
    assert.deepEqual(resolveConfig(raw, 'c.yaml', {}, 'box'), ALL_DEFAULTS);
  }
});

test('an empty JSON file is all defaults', () => {
  assert.deepEqual(parseConfigText('', 'c.json'), {});
  assert.deepEqual(parseConfigText('  \n', 'c.json'), {});
});

test('a JSON file holding null is all defaults', () => {
  assert.deepEqual(parseConfigText('null', 'c.json'), {});
});

test('the defaults documented in CONFIG_DEFAULTS are applied to an empty config', () => {
  const config = resolveConfig({}, 'x.yaml', {}, 'box');
  assert.deepEqual(config, ALL_DEFAULTS);
  assert.equal(config.mqtt.discovery_prefix, CONFIG_DEFAULTS.mqtt.discovery_prefix);
  assert.equal(config.mqtt.queue_limit, CONFIG_DEFAULTS.mqtt.queue_limit);
  assert.equal(config.state.path, CONFIG_DEFAULTS.state.path);
  assert.equal(config.state.history, CONFIG_DEFAULTS.state.history);
  assert.equal(config.judge.grace_s, CONFIG_DEFAULTS.judge.grace_s);
  assert.equal(config.enforcement.mode, CONFIG_DEFAULTS.enforcement.mode);
  assert.equal(config.capture.interface, CONFIG_DEFAULTS.capture.interface);
  assert.equal(config.capture.pace, CONFIG_DEFAULTS.capture.pace);
  assert.equal(config.capture.buffer_mb, CONFIG_DEFAULTS.capture.buffer_mb);
  assert.equal(config.devices[0].mic.sensor, CONFIG_DEFAULTS.mic.sensor);
});

test('defaults fill in around the settings a group does give', () => {
  const config = resolveConfig({ id: 'kitchen', mqtt: { url: 'mqtt://broker:1883' }, state: { history: 5 }, mic: { timeline: 'mic.csv' } }, 'x.yaml', {}, 'box');
  assert.equal(config.id, 'kitchen');
  assert.deepEqual(config.mqtt, { discovery_prefix: 'homeassistant', queue_limit: 1000, url: 'mqtt://broker:1883' });
  assert.deepEqual(config.state, { path: '/var/lib/earshot/state.json', history: 5, write_interval_s: 60 });
  assert.deepEqual(config.devices, [{ id: 'echo', name: 'Echo', mic: { sensor: 'none', timeline: 'mic.csv' } }]);
});

test('capture.interface defaults to wlan0 only when no capture.file is given', () => {
  assert.deepEqual(resolveConfig({ capture: { file: 'x.pcap' } }, 'x.yaml', {}, 'box').capture, { file: 'x.pcap', pace: 'fast', buffer_mb: 32 });
  assert.deepEqual(resolveConfig({ capture: { file: 'x.pcap', pace: 'recorded' } }, 'x.yaml', {}, 'box').capture, { file: 'x.pcap', pace: 'recorded', buffer_mb: 32 });
  assert.deepEqual(resolveConfig({ capture: { interface: 'eth0' } }, 'x.yaml', {}, 'box').capture, { interface: 'eth0', pace: 'fast', buffer_mb: 32 });
  assert.deepEqual(resolveConfig({ capture: { buffer_mb: 64 } }, 'x.yaml', {}, 'box').capture, { interface: 'wlan0', pace: 'fast', buffer_mb: 64 });
});

test('the id defaults to the one given by the caller when the file has none', () => {
  assert.equal(resolveConfig({}, 'x.yaml', {}, 'b827eb123456').id, 'b827eb123456');
  assert.equal(resolveConfig({ id: 'kitchen' }, 'x.yaml', {}, 'b827eb123456').id, 'kitchen');
});

test('idFromMac makes a lowercase hex id from a MAC and falls back to earshot', () => {
  assert.equal(idFromMac('B8:27:EB:12:34:56'), 'b827eb123456');
  assert.equal(idFromMac('b8-27-eb-12-34-56'), 'b827eb123456');
  assert.equal(idFromMac(undefined), 'earshot');
  assert.equal(idFromMac(''), 'earshot');
});

test('an id made from a MAC is itself a valid id', () => {
  const id = idFromMac('DC:A6:32:01:02:03');
  assert.equal(resolveConfig({ id }, 'x.yaml', {}, 'box').id, 'dca632010203');
});

test('EARSHOT_* variables set the matching settings and report which ones', () => {
  const config: Raw = {};
  const applied = applyEnvironment(config, {
    EARSHOT_MQTT_URL: 'mqtt://broker:1883',
    EARSHOT_MQTT_DISCOVERY_PREFIX: 'ha',
    EARSHOT_JUDGE_GRACE_S: '12.5',
    EARSHOT_ENFORCEMENT_MODE: 'block-when-muted',
    EARSHOT_ID: 'kitchen',
  });
  assert.deepEqual([...applied.keys()], ['mqtt.url', 'mqtt.discovery_prefix', 'judge.grace_s', 'enforcement.mode', 'id']);
  assert.equal(applied.get('judge.grace_s'), 'EARSHOT_JUDGE_GRACE_S');
  assert.deepEqual(config, {
    mqtt: { url: 'mqtt://broker:1883', discovery_prefix: 'ha' },
    judge: { grace_s: 12.5 },
    enforcement: { mode: 'block-when-muted' },
    id: 'kitchen',
  });
});

test('environment numbers become numbers only where the schema wants a number', () => {
  const config: Raw = {};
  applyEnvironment(config, { EARSHOT_JUDGE_GRACE_S: ' 45 ', EARSHOT_MQTT_QUEUE_LIMIT: '500', EARSHOT_ID: '007', EARSHOT_MQTT_PASSWORD: '1234' });
  assert.deepEqual(config, { judge: { grace_s: 45 }, mqtt: { queue_limit: 500, password: '1234' }, id: '007' });
});

test('environment true and false become booleans where the schema wants one (EARSHOT_RECORD_ENABLED)', () => {
  const config: Raw = {};
  applyEnvironment(config, { EARSHOT_RECORD_ENABLED: 'true', EARSHOT_RECORD_DIR: 'false' });
  assert.deepEqual(config, { record: { enabled: true, dir: 'false' } });
  assert.equal(problemWith({}, { EARSHOT_RECORD_ENABLED: 'yes' }), "environment EARSHOT_RECORD_ENABLED: record.enabled: expected true or false (got 'yes')");
});

test('the environment beats the file', () => {
  const config = resolveConfig(
    { id: 'file', mqtt: { url: 'mqtt://file:1883', discovery_prefix: 'fromfile', queue_limit: 50 }, judge: { grace_s: 10 }, enforcement: { mode: 'off' } },
    'x.yaml',
    { EARSHOT_ID: 'env', EARSHOT_MQTT_URL: 'mqtts://env:8883', EARSHOT_MQTT_DISCOVERY_PREFIX: 'fromenv', EARSHOT_JUDGE_GRACE_S: '60', EARSHOT_ENFORCEMENT_MODE: 'block-when-muted' },
    'box',
  );
  assert.equal(config.id, 'env');
  assert.deepEqual(config.mqtt, { url: 'mqtts://env:8883', discovery_prefix: 'fromenv', queue_limit: 50 });
  assert.deepEqual(config.judge, { grace_s: 60 });
  assert.deepEqual(config.enforcement, { mode: 'block-when-muted', hold_new_flows: false, block_timeout_s: 3600 });
});

test('an invalid environment value is reported with the field it sets', () => {
  // The variable is named, not the file: that is where the user has to look.
  assert.equal(problemWith({}, { EARSHOT_JUDGE_GRACE_S: 'abc' }), "environment EARSHOT_JUDGE_GRACE_S: judge.grace_s: expected seconds between 0 and 3600 (got 'abc')");
  assert.equal(problemWith({}, { EARSHOT_JUDGE_GRACE_S: '4000' }), 'environment EARSHOT_JUDGE_GRACE_S: judge.grace_s: expected seconds between 0 and 3600 (got 4000)');
  assert.equal(problemWith({}, { EARSHOT_ENFORCEMENT_MODE: 'block' }), `environment EARSHOT_ENFORCEMENT_MODE: enforcement.mode: expected "off", "alert" or "block-when-muted" (got 'block')`);
  assert.equal(problemWith({}, { EARSHOT_MQTT_URL: 'http://broker' }), "environment EARSHOT_MQTT_URL: mqtt.url: expected an mqtt:// or mqtts:// URL (got 'http://broker')");
  assert.equal(problemWith({}, { EARSHOT_ID: 'Kitchen' }), `environment EARSHOT_ID: id: expected 1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit (got 'Kitchen')`);
  assert.equal(problemWith({ judge: { grace_s: -1 } }, {}), 'x.yaml: judge.grace_s: expected seconds between 0 and 3600 (got -1)');
});

test('EARSHOT_DEBUG, unknown EARSHOT_* names and other variables are ignored', () => {
  const config: Raw = { id: 'kitchen' };
  const applied = applyEnvironment(config, { EARSHOT_DEBUG: '1', EARSHOT_NOPE: 'x', EARSHOT_MQTT_NOPE: 'x', MQTT_URL: 'mqtt://x', HOME: '/root', EARSHOT_MQTT_URL: undefined });
  assert.equal(applied.size, 0);
  assert.deepEqual(config, { id: 'kitchen' });
  assert.deepEqual(resolveConfig({}, 'x.yaml', { EARSHOT_DEBUG: '1', EARSHOT_NOPE: 'x' }, 'box'), ALL_DEFAULTS);
});

test('resolveConfig does not mutate the object it is given', () => {
  const raw = { mqtt: { url: 'mqtt://file:1883' }, capture: { file: 'x.pcap' }, judge: { grace_s: 5 } };
  const before = structuredClone(raw);
  const config = resolveConfig(raw, 'x.yaml', { EARSHOT_MQTT_URL: 'mqtt://env:1883', EARSHOT_ENFORCEMENT_MODE: 'off' }, 'box');
  assert.deepEqual(raw, before);
  assert.equal(config.mqtt.url, 'mqtt://env:1883');
  config.judge.grace_s = 99;
  assert.equal(raw.judge.grace_s, 5);
});
