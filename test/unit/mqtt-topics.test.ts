// The typed topic map is the only place topics are spelled: every topic the discovery payloads
// name is one of the box's topics, and the discovery configs are the map's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discoveryMessages, discoveryWildcard } from '../../appliance/src/service/ha-discovery.js';
import { COMMAND_TOPICS, discoveryTopicsFor, topicsFor } from '../../appliance/src/service/mqtt-topics.js';

const KITCHEN = { id: 'kitchen', discoveryPrefix: 'home/assistant', swVersion: '0.1.0' };

test('every topic a discovery payload names is one of the box\'s topics', () => {
  const boxTopics = new Set(Object.values(topicsFor('kitchen')));
  for (const { topic, payload } of discoveryMessages(KITCHEN)) {
    for (const key of ['availability_topic', 'state_topic', 'json_attributes_topic', 'command_topic']) {
      if (payload[key] !== undefined) assert.ok(boxTopics.has(payload[key] as string), `${topic}: ${key} ${String(payload[key])}`);
    }
  }
});

test('each command topic is used by exactly one entity', () => {
  const topics = topicsFor('kitchen');
  const used = discoveryMessages(KITCHEN).map((m) => m.payload.command_topic).filter((t) => t !== undefined);
  assert.deepEqual(used.sort(), COMMAND_TOPICS.map((c) => topics[c]).sort());
});

test('the discovery configs are the map\'s: isConfig knows them, and only this box\'s', () => {
  const discovery = discoveryTopicsFor(KITCHEN.discoveryPrefix, KITCHEN.id);
  assert.equal(discoveryWildcard(KITCHEN), discovery.configWildcard);
  for (const { topic } of discoveryMessages(KITCHEN)) assert.ok(discovery.isConfig(topic), topic);
  assert.ok(discovery.isConfig('home/assistant/sensor/earshot_kitchen/removed_entity/config'), 'a config from an older earshot');
  for (const other of ['home/assistant/sensor/earshot_hall/upstream/config', 'home/assistant/status', 'earshot/kitchen/state', 'elsewhere/sensor/earshot_kitchen/x/config']) {
    assert.ok(!discovery.isConfig(other), other);
  }
});
