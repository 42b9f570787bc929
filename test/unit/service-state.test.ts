// The published state: this run's facts (mic, Echo, drops, modes) from the model, the alerts and
// counters read from the state store, their one owner. The store here never writes (its timers
// never fire), so these tests are about what the state says, not the file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertEndEvent, AlertEvent } from '../../appliance/src/judge/judge-events.js';
import { ServiceStateModel } from '../../appliance/src/service/service-state.js';
import { StateStore } from '../../appliance/src/service/state-store.js';

const CLASSES = { handshake: 0, syn: 0, ack: 0, retransmit: 0, not_relevant: 0, expected: 0, justified: 0, not_justified: 0 };

function alert(id: string, overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    type: 'alert',
    id,
    severity: 'critical',
    time: '2024-05-01T12:00:01.000Z',
    start: '2024-05-01T12:00:00.500Z',
    mic: 'muted',
    dst: '52.94.233.10:443',
    bytes: 48_000,
    packets: 40,
    reason: 'voice-like upload while muted',
    flow: { protocol: 'tcp', src: '192.168.1.50', srcPort: 49152, dst: '52.94.233.10', dstPort: 443 },
    flows: [{ protocol: 'tcp', src: '192.168.1.50', srcPort: 49152, dst: '52.94.233.10', dstPort: 443 }],
    evidence: { rule: 'volume', peak_bytes_per_s: 16000, mean_bytes_per_s: 16000, downstream_ratio: 0, connections: 1, threshold_factor: 1 },
    ...overrides,
  };
}

const alertEnd = (id: string): AlertEndEvent => ({ type: 'alert_end', id, end: '2024-05-01T12:00:09.000Z', bytes: 160_000, packets: 130 });

const NEVER = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };

function newPair(): { store: StateStore; model: ServiceStateModel } {
  const store = new StateStore({ path: '/nonexistent/state.json', history: 5, log: () => undefined, timers: NEVER });
  return { store, model: new ServiceStateModel({ modelVersion: 'labelling-rules-1', enforcement: 'alert', classes: CLASSES, persisted: () => store.data }) };
}

test('a new model starts with no problem, unknown mic, zero counters and the given model and mode', () => {
  assert.deepEqual(newPair().model.snapshot(), {
    mic: 'unknown',
    problem: 'OFF',
    last_alert: null,
    upstream_bytes: 0,
    classes: CLASSES,
    capture_dropped: 0,
    echo_connected: 'OFF',
    echo: null,
    model_version: 'labelling-rules-1',
    enforcement: 'alert',
    recording: false,
    alerts_total: 0,
    queue_overflow: 0,
    devices: {},
    led: { pattern: 'off', device: null },
  });
});

test('each Echo has its own problem and last alert; the box-wide ones cover them all', () => {
  const { store, model } = newPair();
  model.setDevice('kitchen', { name: 'Kitchen', listed: true, mic: 'idle', echo: '192.0.2.10', echo_connected: 'ON' });
  model.setDevice('bedroom', { name: 'Bedroom', listed: true, mic: 'muted', echo: '192.0.2.11', echo_connected: 'ON' });
  store.recordAlert({ ...alert('bedroom-a1'), device: 'bedroom', device_name: 'Bedroom' });
  const snapshot = model.snapshot();
  assert.equal(snapshot.devices.bedroom.problem, 'ON');
  assert.equal(snapshot.devices.bedroom.last_alert?.id, 'bedroom-a1');
  assert.equal(snapshot.devices.kitchen.problem, 'OFF');
  assert.equal(snapshot.devices.kitchen.last_alert, null);
  assert.equal(snapshot.problem, 'ON');
  assert.equal(snapshot.mic, 'idle', 'idle outranks muted: the box-wide ring says what the least private Echo does');
  assert.equal(snapshot.echo, '192.0.2.10', 'the first Echo stands for the box-wide echo fields');
  assert.equal(model.unacknowledgedCount('critical', 'kitchen'), 0);
  assert.equal(model.unacknowledgedCount('critical', 'bedroom'), 1);
});

test('an alert the store records turns the problem ON and becomes the last alert, unacknowledged', () => {
  const { store, model } = newPair();
  store.recordAlert(alert('a1'));
  const state = model.snapshot();
  assert.equal(state.problem, 'ON');
  assert.equal(state.alerts_total, 1);
  assert.deepEqual(state.last_alert, {
    id: 'a1',
    severity: 'critical',
    time: '2024-05-01T12:00:01.000Z',
    start: '2024-05-01T12:00:00.500Z',
    dst: '52.94.233.10:443',
    reason: 'voice-like upload while muted',
    acknowledged: false,
  });
  assert.deepEqual([model.unacknowledgedCount('critical'), model.unacknowledgedCount('warning')], [1, 0]);
});

test('a later alert replaces the last alert and both count', () => {
  const { store, model } = newPair();
  store.recordAlert(alert('a1'));
  store.recordAlert(alert('a2', { severity: 'warning', reason: 'voice-like upload while idle' }));
  const state = model.snapshot();
  assert.equal(state.alerts_total, 2);
  assert.equal(state.last_alert?.id, 'a2');
  assert.equal(state.last_alert?.severity, 'warning');
  assert.equal(state.last_alert?.reason, 'voice-like upload while idle');
  assert.deepEqual([model.unacknowledgedCount('critical'), model.unacknowledgedCount('warning')], [1, 1]);
});

test('an alert end changes neither the problem nor the last alert', () => {
  const { store, model } = newPair();
  store.recordAlert(alert('a1'));
  const before = model.snapshot();
  const end = alertEnd('a1');
  store.recordAlertEnd(end.id, end.bytes, end.packets);
  assert.deepEqual(model.snapshot(), before);
  assert.equal(model.snapshot().problem, 'ON');
});

test('acknowledging every alert turns the problem OFF, marks the last alert and returns the ids it acknowledged', () => {
  const { store, model } = newPair();
  store.recordAlert(alert('a1'));
  store.recordAlert(alert('a2'));
  assert.deepEqual(store.acknowledge(), ['a1', 'a2']);
  const state = model.snapshot();
  assert.equal(state.problem, 'OFF');
  assert.equal(state.last_alert?.acknowledged, true);
  assert.equal(state.alerts_total, 2);
  assert.equal(model.unacknowledgedCount('critical'), 0);
  assert.deepEqual(store.acknowledge(), []);
});

test('an alert after an acknowledge turns the problem ON again', () => {
  const { store, model } = newPair();
  store.recordAlert(alert('a1'));
  store.acknowledge();
  store.recordAlert(alert('a2'));
  assert.equal(model.snapshot().problem, 'ON');
  assert.equal(model.snapshot().last_alert?.acknowledged, false);
  assert.deepEqual(store.acknowledge(), ['a2']);
});

test('acknowledging named alerts (the status page) leaves the others, and the problem stays ON until none is left', () => {
  const { store, model } = newPair();
  store.recordAlert(alert('a1'));
  store.recordAlert(alert('a2'));
  assert.deepEqual(store.acknowledge(['a1', 'unknown']), ['a1']);
  assert.equal(model.snapshot().problem, 'ON');
  assert.equal(model.snapshot().last_alert?.acknowledged, false, 'the last alert is a2');
  assert.deepEqual(store.acknowledge(['a2']), ['a2']);
  assert.equal(model.snapshot().problem, 'OFF');
  assert.equal(model.snapshot().last_alert?.acknowledged, true);
});

test('Echo packets count per class and add their upstream bytes; classes never seen show 0', () => {
  const { store, model } = newPair();
  store.countEchoPacket('syn', 0);
  store.countEchoPacket('not_justified', 1200);
  store.countEchoPacket('not_justified', 800);
  store.countEchoPacket('made_up', 5);
  const state = model.snapshot();
  assert.deepEqual(state.classes, { ...CLASSES, syn: 1, not_justified: 2, made_up: 1 });
  assert.equal(state.upstream_bytes, 2005);
});

test('the mic, the Echo, capture drops, enforcement and queue overflow are set as given', () => {
  const { model } = newPair();
  model.setMic('muted');
  model.setEcho('192.168.1.50', true);
  model.setCaptureDropped(17);
  model.setEnforcement('block-when-muted');
  model.setQueueOverflow(3);
  let state = model.snapshot();
  assert.equal(state.mic, 'muted');
  assert.equal(state.echo, '192.168.1.50');
  assert.equal(state.echo_connected, 'ON');
  assert.equal(state.capture_dropped, 17);
  assert.equal(state.enforcement, 'block-when-muted');
  assert.equal(state.queue_overflow, 3);
  model.setEcho(null, false);
  state = model.snapshot();
  assert.equal(state.echo, null);
  assert.equal(state.echo_connected, 'OFF');
});

test('the counters of a previous run (the store\'s data) keep increasing: nothing is restored by copying', () => {
  const { store, model } = newPair();
  store.data.counters = { upstream_bytes: 10_000, classes: { syn: 40, not_justified: 7 }, alerts_total: 3 };
  store.data.alerts.push({ id: 'old1', severity: 'warning', time: 't', start: 's', dst: 'd', reason: 'r', bytes: 1, packets: 1, acknowledged: false });
  store.countEchoPacket('syn', 100);
  store.recordAlert(alert('a4'));
  const state = model.snapshot();
  assert.equal(state.upstream_bytes, 10_100);
  assert.equal(state.classes.syn, 41);
  assert.equal(state.classes.not_justified, 7);
  assert.equal(state.classes.ack, 0);
  assert.equal(state.alerts_total, 4);
  assert.deepEqual([model.unacknowledgedCount('critical'), model.unacknowledgedCount('warning')], [1, 1]);
});

test('a snapshot is a copy that later changes and edits do not reach', () => {
  const { store, model } = newPair();
  store.recordAlert(alert('a1'));
  const snapshot = model.snapshot();
  snapshot.classes.syn = 999;
  snapshot.last_alert!.reason = 'edited';
  snapshot.problem = 'OFF';
  store.countEchoPacket('ack', 10);
  assert.equal(model.snapshot().classes.syn, 0);
  assert.equal(model.snapshot().last_alert?.reason, 'voice-like upload while muted');
  assert.equal(model.snapshot().problem, 'ON');
  assert.equal(snapshot.classes.ack, 0);
  assert.equal(snapshot.upstream_bytes, 0);
});

test('the classes given to the constructor are copied, not shared', () => {
  const classes = { syn: 0 };
  const { store } = newPair();
  const model = new ServiceStateModel({ modelVersion: 'm', enforcement: 'off', classes, persisted: () => store.data });
  store.countEchoPacket('syn', 0);
  assert.equal(classes.syn, 0);
  assert.equal(model.snapshot().classes.syn, 1);
});
