// Every default is written once, in appliance/src/defaults.ts. These tests read the defaults back
// from where they are used (the resolved config, the schemas, the CLI, the hardware sections), so
// a literal written again somewhere and then changed shows up here as a drift.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLedConfig, parseMicSensorConfig } from '../../gpio/sensor-config.js';
import { ENFORCEMENT_SCHEMA } from '../../appliance/src/ap/config-schema.js';
import { DEFAULT_DOCTOR_PLAN } from '../../appliance/src/cli/doctor-command.js';
import { pipelineOptions } from '../../appliance/src/cli/pipeline-options.js';
import * as defaults from '../../appliance/src/defaults.js';
import { resolveConfig } from '../../appliance/src/service/load-config.js';
import { topicsFor } from '../../appliance/src/service/mqtt-topics.js';

test('an empty config resolves to exactly the defaults module\'s values', () => {
  const config = resolveConfig({}, 'x.yaml', {}, 'box');
  assert.deepEqual(config.capture, { interface: defaults.CAPTURE_DEFAULTS.interface, pace: defaults.CAPTURE_DEFAULTS.pace, buffer_mb: defaults.CAPTURE_DEFAULTS.buffer_mb });
  assert.deepEqual(config.devices, [{ id: defaults.DEFAULT_DEVICE_ID, name: defaults.DEFAULT_DEVICE_NAME, mic: { sensor: defaults.MIC_SENSOR } }]);
  assert.deepEqual(config.mqtt, { discovery_prefix: defaults.MQTT_DEFAULTS.discovery_prefix, queue_limit: defaults.MQTT_DEFAULTS.queue_limit });
  assert.deepEqual(config.state, { path: defaults.STATE_DEFAULTS.path, history: defaults.STATE_DEFAULTS.history, write_interval_s: defaults.STATE_DEFAULTS.write_interval_s });
  assert.deepEqual(config.judge, { grace_s: defaults.GRACE_S });
  assert.deepEqual(config.record, defaults.RECORD_DEFAULTS);
  assert.deepEqual(config.enforcement, {
    mode: defaults.ENFORCEMENT_DEFAULTS.mode,
    hold_new_flows: defaults.ENFORCEMENT_DEFAULTS.hold_new_flows,
    block_timeout_s: defaults.ENFORCEMENT_DEFAULTS.block_timeout_s,
  });
});

test('the enforcement schema\'s defaults are the defaults module\'s', () => {
  const p = ENFORCEMENT_SCHEMA.properties;
  assert.deepEqual([p.mode.default, p.hold_new_flows.default, p.block_timeout_s.default], [defaults.ENFORCEMENT_DEFAULTS.mode, defaults.ENFORCEMENT_DEFAULTS.hold_new_flows, defaults.ENFORCEMENT_DEFAULTS.block_timeout_s]);
});

test('the CLI\'s --grace defaults to the config\'s grace period', async () => {
  const { options } = await pipelineOptions({});
  assert.equal(options.graceS, defaults.GRACE_S);
  assert.equal(resolveConfig({}, 'x.yaml', {}, 'box').judge.grace_s, options.graceS);
});

test('the mic and LED sections default to the defaults module\'s sensor, line, bus, address and LED', () => {
  assert.deepEqual(parseMicSensorConfig({}, 'x.yaml'), { sensor: defaults.MIC_SENSOR });
  const wire = parseMicSensorConfig({ sensor: 'gpio' }, 'x.yaml');
  assert.equal(wire.sensor === 'gpio' && wire.request.line, defaults.HARDWARE_DEFAULTS.gpio_line);
  const colour = parseMicSensorConfig({ sensor: 'tcs34725', calibration: 'c.json' }, 'x.yaml');
  assert.deepEqual(colour.sensor === 'tcs34725' && [colour.bus, colour.address], [defaults.HARDWARE_DEFAULTS.i2c_bus, defaults.HARDWARE_DEFAULTS.tcs34725_address]);
  assert.equal(parseLedConfig(undefined, 'x.yaml').name, defaults.HARDWARE_DEFAULTS.led_name);
  assert.equal(parseLedConfig({}, 'x.yaml').name, defaults.HARDWARE_DEFAULTS.led_name);
});

test('earshot doctor without a config checks the same defaults', () => {
  assert.equal(DEFAULT_DOCTOR_PLAN.iface, defaults.CAPTURE_DEFAULTS.interface);
  assert.equal(DEFAULT_DOCTOR_PLAN.led, defaults.HARDWARE_DEFAULTS.led_name);
  assert.equal(DEFAULT_DOCTOR_PLAN.wire?.request.line, defaults.HARDWARE_DEFAULTS.gpio_line);
  assert.deepEqual(DEFAULT_DOCTOR_PLAN.colour, { bus: defaults.HARDWARE_DEFAULTS.i2c_bus, address: defaults.HARDWARE_DEFAULTS.tcs34725_address });
});

test('every box topic sits under the default base topic', () => {
  const topics = topicsFor('kitchen');
  assert.equal(topics.base, `${defaults.MQTT_BASE_TOPIC}/kitchen`);
  for (const topic of Object.values(topics)) assert.ok(topic.startsWith(`${defaults.MQTT_BASE_TOPIC}/kitchen`), topic);
});

test('the config and --grace accept the same grace periods', async () => {
  const { max } = defaults.GRACE_RANGE_S;
  assert.equal(resolveConfig({ judge: { grace_s: max } }, 'x.yaml', {}, 'box').judge.grace_s, max);
  assert.throws(() => resolveConfig({ judge: { grace_s: max + 1 } }, 'x.yaml', {}, 'box'), new RegExp(`between 0 and ${max}`));
  assert.equal((await pipelineOptions({ grace: String(max) })).options.graceS, max);
  await assert.rejects(pipelineOptions({ grace: String(max + 1) }), new RegExp(`between 0 and ${max}`));
});
