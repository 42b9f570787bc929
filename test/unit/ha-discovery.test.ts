import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PACKET_CLASSES, paperLabel } from '../../appliance/src/features/packet-class.js';
import { discoveryMessage, discoveryMessages, discoveryWildcard, ENTITIES, type DiscoveryMessage } from '../../appliance/src/service/ha-discovery.js';

// Golden file of every discovery topic and payload (zigbee2mqtt's homeassistant.test.ts does the
// same). Regenerate after a deliberate change with EARSHOT_UPDATE_GOLDEN=1, then review the diff.
const GOLDEN = fileURLToPath(new URL('../fixtures/ha-discovery/kitchen.json', import.meta.url));
const KITCHEN = { id: 'kitchen', discoveryPrefix: 'homeassistant', swVersion: '0.1.0' };

// Payloads whose golden entry holds what Home Assistant needs, not what is published today.
const KNOWN_BUGS: Record<string, string> = {
  'homeassistant/sensor/earshot_kitchen/last_alert/config':
    'bug: ha-discovery.ts last_alert json_attributes_template renders "null" while there is no alert; HA logs "JSON result was not a dictionary" on every state message',
};

const messages = discoveryMessages(KITCHEN);
if (process.env.EARSHOT_UPDATE_GOLDEN === '1') {
  mkdirSync(dirname(GOLDEN), { recursive: true });
  writeFileSync(GOLDEN, `${JSON.stringify(messages, null, 2)}\n`);
}
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as DiscoveryMessage[];

/** MQTT topic filter matching: `+` is one level, `#` the rest. */
function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

const payloadOf = (object: string, all = messages): Record<string, unknown> => {
  const found = all.find((m) => m.topic.split('/').at(-2) === object);
  assert.ok(found, `no discovery message for ${object}`);
  return found.payload;
};

test('the discovery topics are exactly the golden ones, in order', () => {
  assert.deepEqual(
    messages.map((m) => m.topic),
    golden.map((m) => m.topic),
  );
  assert.equal(messages.length, 19);
});

for (const expected of golden) {
  test(`the discovery payload on ${expected.topic} equals the golden file`, () => {
    const actual = messages.find((m) => m.topic === expected.topic);
    assert.ok(actual, `nothing published on ${expected.topic}`);
    assert.deepEqual(actual.payload, expected.payload);
  });
}

test('the last alert attributes template falls back to an empty mapping when there is no alert', () => {
  const template = String(payloadOf('last_alert').json_attributes_template);
  assert.match(template, /\bor \{\}|default\(\{\}/);
});

test('every topic is <prefix>/<component>/earshot_<id>/<object>/config with ids Home Assistant accepts', () => {
  for (const { topic } of messages) {
    assert.match(topic, /^homeassistant\/(sensor|binary_sensor|button|switch)\/earshot_kitchen\/[a-zA-Z0-9_-]+\/config$/);
  }
});

test('every unique_id is earshot_<id>_<object> and no two are the same', () => {
  const ids = messages.map((m) => m.payload.unique_id);
  assert.deepEqual(
    ids,
    messages.map((m) => `earshot_kitchen_${m.topic.split('/').at(-2)}`),
  );
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(new Set(messages.map((m) => m.topic)).size, messages.length);
});

test('renaming an entity keeps its unique_id and its topic', () => {
  for (const entity of ENTITIES) {
    const original = discoveryMessage(entity, KITCHEN);
    const renamed = discoveryMessage({ ...entity, name: 'Something else entirely' }, KITCHEN);
    assert.equal(renamed.payload.unique_id, original.payload.unique_id);
    assert.equal(renamed.topic, original.topic);
    assert.equal(renamed.payload.name, 'Something else entirely');
  }
});

test('unique_ids and topics follow the box id and the discovery prefix', () => {
  const other = discoveryMessages({ id: 'living-room', discoveryPrefix: 'ha/test', swVersion: '9.9.9' });
  assert.equal(other.length, messages.length);
  const mic = other[0];
  assert.equal(mic.topic, 'ha/test/sensor/earshot_living-room/microphone/config');
  assert.equal(mic.payload.unique_id, 'earshot_living-room_microphone');
  assert.equal(mic.payload.state_topic, 'earshot/living-room/state');
  assert.equal(mic.payload.availability_topic, 'earshot/living-room/status');
  assert.deepEqual(mic.payload.device, { identifiers: ['earshot_living-room'], name: 'earshot living-room', manufacturer: 'earshot', model: 'Echo privacy box', sw_version: '9.9.9' });
  assert.deepEqual(mic.payload.origin, { name: 'earshot', sw_version: '9.9.9' });
});

test('every payload carries the same device block, origin and availability', () => {
  for (const { payload } of messages) {
    assert.deepEqual(payload.device, { identifiers: ['earshot_kitchen'], name: 'earshot kitchen', manufacturer: 'earshot', model: 'Echo privacy box', sw_version: '0.1.0' });
    assert.deepEqual(payload.origin, { name: 'earshot', sw_version: '0.1.0' });
    assert.equal(payload.availability_topic, 'earshot/kitchen/status');
    assert.equal(payload.payload_available, 'online');
    assert.equal(payload.payload_not_available, 'offline');
    assert.equal(typeof payload.name, 'string');
  }
});

test('every entity the design lists is announced', () => {
  const components = Object.fromEntries(messages.map((m) => [m.topic.split('/').at(-2), m.topic.split('/')[1]]));
  const expected: Record<string, string> = {
    microphone: 'sensor',
    unexpected_upload: 'binary_sensor',
    last_alert: 'sensor',
    upstream_bytes: 'sensor',
    capture_drops: 'sensor',
    echo_connected: 'binary_sensor',
    model_version: 'sensor',
    acknowledge: 'button',
    enforcement: 'switch',
  };
  for (const c of PACKET_CLASSES) expected[`packets_${c}`] = 'sensor';
  for (const [object, component] of Object.entries(expected)) assert.equal(components[object], component, object);
});

test('the microphone is an enum sensor with the four mic states as options', () => {
  const mic = payloadOf('microphone');
  assert.equal(mic.device_class, 'enum');
  assert.deepEqual(mic.options, ['muted', 'idle', 'listening', 'unknown']);
  assert.equal(mic.value_template, '{{ value_json.mic }}');
  assert.equal(mic.state_class, undefined);
  assert.equal(mic.unit_of_measurement, undefined);
});

test('the unexpected upload is a problem binary sensor reading the state ON/OFF', () => {
  const problem = payloadOf('unexpected_upload');
  assert.equal(problem.device_class, 'problem');
  assert.equal(problem.value_template, '{{ value_json.problem }}');
  assert.equal(problem.payload_on, 'ON');
  assert.equal(problem.payload_off, 'OFF');
  assert.equal(problem.state_topic, 'earshot/kitchen/state');
});

test('upstream bytes is a total_increasing data_size sensor in bytes', () => {
  const bytes = payloadOf('upstream_bytes');
  assert.equal(bytes.device_class, 'data_size');
  assert.equal(bytes.unit_of_measurement, 'B');
  assert.equal(bytes.state_class, 'total_increasing');
});

test('each of the eight packet classes has a counter reading its paper label', () => {
  assert.equal(PACKET_CLASSES.length, 8);
  for (const c of PACKET_CLASSES) {
    const counter = payloadOf(`packets_${c}`);
    assert.equal(counter.value_template, `{{ value_json.classes.${paperLabel(c)} }}`);
    assert.equal(counter.state_class, 'total_increasing');
    assert.equal(counter.entity_category, 'diagnostic');
  }
  assert.equal(payloadOf('packets_heartbeat').value_template, '{{ value_json.classes.syn }}');
});

test('state_class is only on the numeric counters', () => {
  const withStateClass = messages.filter((m) => m.payload.state_class !== undefined).map((m) => m.topic.split('/').at(-2));
  assert.deepEqual(withStateClass, ['upstream_bytes', ...PACKET_CLASSES.map((c) => `packets_${c}`), 'capture_drops', 'alert_queue_overflow']);
  for (const m of messages) {
    if (m.payload.state_class !== undefined) assert.ok(['sensor'].includes(m.topic.split('/')[1]), m.topic);
  }
});

test('diagnostics and the enforcement and recording switches carry their entity_category, and no sensor is config', () => {
  const categories = Object.fromEntries(messages.filter((m) => m.payload.entity_category).map((m) => [m.topic.split('/').at(-2), m.payload.entity_category]));
  const expected: Record<string, string> = { capture_drops: 'diagnostic', alert_queue_overflow: 'diagnostic', model_version: 'diagnostic', enforcement: 'config', recording: 'config' };
  for (const c of PACKET_CLASSES) expected[`packets_${c}`] = 'diagnostic';
  assert.deepEqual(categories, expected);
  for (const m of messages) {
    if (m.topic.includes('/sensor/') || m.topic.includes('/binary_sensor/')) assert.notEqual(m.payload.entity_category, 'config', m.topic);
  }
});

test('device classes are valid for their component and options only come with enum', () => {
  const valid: Record<string, string[]> = { sensor: ['enum', 'data_size'], binary_sensor: ['problem', 'connectivity'], button: [], switch: [] };
  for (const m of messages) {
    const component = m.topic.split('/')[1];
    if (m.payload.device_class !== undefined) assert.ok(valid[component].includes(String(m.payload.device_class)), `${m.topic}: ${String(m.payload.device_class)}`);
    if (m.payload.options !== undefined) {
      assert.equal(m.payload.device_class, 'enum', m.topic);
      assert.equal(m.payload.state_class, undefined, m.topic);
      assert.equal(m.payload.unit_of_measurement, undefined, m.topic);
    }
  }
  assert.equal(payloadOf('echo_connected').device_class, 'connectivity');
});

test('every sensor, binary sensor and switch reads the retained state topic', () => {
  for (const m of messages) {
    if (m.topic.split('/')[1] === 'button') continue;
    assert.equal(m.payload.state_topic, 'earshot/kitchen/state', m.topic);
    assert.equal(typeof m.payload.value_template, 'string', m.topic);
  }
});

test('the acknowledge button presses PRESS on its command topic', () => {
  const button = payloadOf('acknowledge');
  assert.equal(button.command_topic, 'earshot/kitchen/acknowledge');
  assert.equal(button.payload_press, 'PRESS');
  assert.equal(button.state_topic, undefined);
  assert.equal(button.command, undefined);
});

test('the enforcement switch commands and reads ON/OFF for block-when-muted', () => {
  const sw = payloadOf('enforcement');
  assert.equal(sw.command_topic, 'earshot/kitchen/enforcement/set');
  assert.equal(sw.state_topic, 'earshot/kitchen/state');
  assert.equal(sw.payload_on, 'ON');
  assert.equal(sw.payload_off, 'OFF');
  assert.equal(sw.state_on, 'ON');
  assert.equal(sw.state_off, 'OFF');
  assert.equal(sw.value_template, "{{ 'ON' if value_json.enforcement == 'block-when-muted' else 'OFF' }}");
});

test('the recording switch commands record/set and reads the state\'s recording flag', () => {
  const sw = payloadOf('recording');
  assert.equal(sw.command_topic, 'earshot/kitchen/record/set');
  assert.equal(sw.state_topic, 'earshot/kitchen/state');
  assert.deepEqual([sw.payload_on, sw.payload_off, sw.state_on, sw.state_off], ['ON', 'OFF', 'ON', 'OFF']);
  assert.equal(sw.value_template, "{{ 'ON' if value_json.recording else 'OFF' }}");
});

test('the last alert shows its reason cut to 255 characters and the whole alert as attributes', () => {
  const last = payloadOf('last_alert');
  assert.equal(last.value_template, "{{ value_json.last_alert.reason[:255] if value_json.last_alert else 'none' }}");
  assert.equal(last.json_attributes_topic, 'earshot/kitchen/state');
});

test('the discovery wildcard matches every config topic of the box and none of another box', () => {
  const wildcard = discoveryWildcard(KITCHEN);
  assert.equal(wildcard, 'homeassistant/+/earshot_kitchen/+/config');
  for (const { topic } of messages) assert.ok(topicMatches(wildcard, topic), topic);
  for (const { topic } of discoveryMessages({ ...KITCHEN, id: 'kitchen2' })) assert.equal(topicMatches(wildcard, topic), false, topic);
  const nested = { id: 'den', discoveryPrefix: 'ha/test', swVersion: '0.1.0' };
  for (const { topic } of discoveryMessages(nested)) assert.ok(topicMatches(discoveryWildcard(nested), topic), topic);
});
