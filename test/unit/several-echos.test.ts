// A box that watches several Echos: each has its own lane, judge, ring and alerts; one Echo's
// streaming or leak never becomes another's verdict; Home Assistant gets a device per Echo; the
// LED shows the worst Echo and says which.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinkType, TcpFlag, type CapturedFrame } from '../../appliance/src/decode/types.js';
import type { AlertEvent, JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import type { MicState } from '../../appliance/src/mic/mic-state.js';
import { MicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { buildAnalysis } from '../../appliance/src/pipeline/capture-run.js';
import { discoveryMessages } from '../../appliance/src/service/ha-discovery.js';
import { worstLedPattern } from '../../appliance/src/service/watched-echo.js';
import { tcpFrame, type Endpoint } from '../../sim/src/frame-builder.js';

const kitchen: Endpoint = { mac: '68:54:fd:0a:00:01', ip: '192.0.2.10', port: 49152 };
const bedroom: Endpoint = { mac: '68:54:fd:0a:00:02', ip: '192.0.2.11', port: 49153 };
const found: Endpoint = { mac: '68:54:fd:0a:00:03', ip: '192.0.2.12', port: 49154 };
const cloud: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '198.51.100.20', port: 443 };
const T0 = 1_700_000_000_000_000;

function frame(from: Endpoint, to: Endpoint, timeUs: number, seq: number, size: number): CapturedFrame {
  const bytes = tcpFrame({ from, to, seq, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, payload: new Uint8Array(size).fill(7) });
  return { timeUs, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes };
}

/** `from` uploads `size` bytes every `everyMs` for `seconds`, starting at `startUs`. */
function upload(from: Endpoint, startUs: number, seconds: number, everyMs: number, size: number): CapturedFrame[] {
  return Array.from({ length: Math.floor((seconds * 1000) / everyMs) }, (_, i) => frame(from, cloud, startUs + i * everyMs * 1000, 1000 + i * size, size));
}

/** Music coming down to `to`: full-size segments every 2 ms, with the small uploads a player sends. */
function streaming(to: Endpoint, startUs: number, seconds: number): CapturedFrame[] {
  const frames: CapturedFrame[] = [];
  for (let i = 0; i < seconds * 500; i++) {
    frames.push(frame(cloud, to, startUs + i * 2000, 1 + i * 1400, 1400));
    if (i % 50 === 0) frames.push(frame(to, cloud, startUs + i * 2000 + 500, 1 + i, 60));
  }
  return frames;
}

const byTime = (frames: CapturedFrame[]): CapturedFrame[] => frames.sort((a, b) => a.timeUs - b.timeUs);

/** Kitchen by IP and bedroom by MAC, each with the ring state given. */
function twoEchos(kitchenRing: MicState = 'idle', bedroomRing: MicState = 'muted'): { events: JudgeEvent[]; analysis: ReturnType<typeof buildAnalysis> } {
  const events: JudgeEvent[] = [];
  const analysis = buildAnalysis(
    {
      devices: [
        { id: 'kitchen', name: 'Kitchen', spec: { ip: kitchen.ip }, mic: new MicTimeline([{ timeUs: 0, state: kitchenRing }]) },
        { id: 'bedroom', name: 'Bedroom', spec: { mac: bedroom.mac }, mic: new MicTimeline([{ timeUs: 0, state: bedroomRing }]) },
      ],
    },
    { judge: (event) => events.push(event) },
  );
  return { events, analysis };
}

test('a muted Echo leaking while another streams music is the only one alerted, and the alert names it', () => {
  const { events, analysis } = twoEchos();
  for (const f of byTime([...streaming(kitchen, T0, 6), ...upload(bedroom, T0 + 2_000_000, 3, 20, 320)])) analysis.push(f);
  analysis.finish();
  const alerts = events.filter((e): e is AlertEvent => e.type === 'alert');
  assert.ok(alerts.length >= 1, 'the leak is alerted');
  assert.ok(alerts.every((a) => a.device === 'bedroom' && a.device_name === 'Bedroom'), JSON.stringify(alerts.map((a) => a.device)));
  assert.equal(alerts[0].severity, 'critical');
  assert.match(alerts[0].id, /^bedroom-a1-/, "a named Echo's alert ids carry its id, so two Echos' ids never clash");
  const latencyMs = (Date.parse(alerts[0].time) - Date.parse(alerts[0].start));
  assert.ok(latencyMs < 1000, `raised ${latencyMs} ms after the leak began, music on the other Echo notwithstanding`);
  const ends = events.filter((e) => e.type === 'alert_end');
  assert.ok(ends.every((e) => e.device === 'bedroom'));
  const [k, b] = analysis.judges;
  assert.equal(k.counts.alerts, 0, 'the streaming Echo has no alert');
  assert.equal(b.counts.critical, alerts.filter((a) => a.severity === 'critical').length);
  assert.ok(analysis.pipeline.lanes[0].echoPackets > 0 && analysis.pipeline.lanes[1].echoPackets > 0, 'both Echos were seen');
});

test("a listening Echo's upload is never laid on a muted Echo: no episode there, no alert", () => {
  // Were the lanes mixed, the muted Echo's judge would see a voice-sized upload and raise a critical.
  const { events, analysis } = twoEchos('listening', 'muted');
  for (const f of upload(kitchen, T0, 3, 20, 640)) analysis.push(f);
  analysis.finish();
  assert.equal(events.length, 0, 'the listening Echo uploads as asked; the muted one sent nothing');
  assert.equal(analysis.judges[1].counts.episodes, 0);
});

test('an Amazon device found later gets its own lane and judge, and its alerts name it', () => {
  const { events, analysis } = twoEchos();
  const lane = analysis.pipeline.addDevice({ id: 'echo-0a0003', name: 'Echo 0a:00:03', spec: { mac: found.mac } });
  assert.equal(lane.index, 2);
  assert.equal(analysis.pipeline.addDevice({ id: 'echo-0a0003', name: 'again', spec: { mac: found.mac } }), lane, 'an Echo already watched keeps its lane');
  for (const f of upload(found, T0, 3, 20, 640)) analysis.push(f);
  analysis.finish();
  const alerts = events.filter((e): e is AlertEvent => e.type === 'alert');
  assert.ok(alerts.length >= 1);
  assert.ok(alerts.every((a) => a.device === 'echo-0a0003' && a.severity === 'warning'), 'no ring: warnings only');
});

test('a single-device box keeps its alert ids and names its Echo "echo"', () => {
  const events: JudgeEvent[] = [];
  const analysis = buildAnalysis({ device: { ip: kitchen.ip }, mic: new MicTimeline([{ timeUs: 0, state: 'muted' }]) }, { judge: (e) => events.push(e) });
  for (const f of upload(kitchen, T0, 3, 20, 640)) analysis.push(f);
  analysis.finish();
  const alert = events.find((e): e is AlertEvent => e.type === 'alert');
  assert.ok(alert);
  assert.match(alert.id, /^a1-\d+$/);
  assert.equal(alert.device, 'echo');
});

test('Home Assistant gets one device per Echo, via the box, with its own entities, only when there are several', () => {
  const ctx = { id: 'box', discoveryPrefix: 'homeassistant', swVersion: '0.1.0' };
  const single = discoveryMessages({ ...ctx, devices: [{ id: 'echo', name: 'Echo' }] });
  assert.deepEqual(single, discoveryMessages(ctx), "a one-Echo box publishes the box's entities as it always did");
  const several = discoveryMessages({ ...ctx, devices: [{ id: 'kitchen', name: 'Kitchen' }, { id: 'bedroom', name: 'Bedroom' }] });
  const bedroom = several.filter((m) => m.topic.includes('/bedroom_'));
  assert.deepEqual(bedroom.map((m) => m.topic.split('/').at(-2)).sort(), ['bedroom_echo_connected', 'bedroom_last_alert', 'bedroom_microphone', 'bedroom_unexpected_upload']);
  for (const message of bedroom) {
    const device = message.payload.device as Record<string, unknown>;
    assert.deepEqual(device.identifiers, ['earshot_box_bedroom']);
    assert.equal(device.name, 'Bedroom');
    assert.equal(device.via_device, 'earshot_box');
    assert.match(String(message.payload.unique_id), /^earshot_box_bedroom_/);
    assert.match(String(message.payload.value_template), /value_json\.devices\['bedroom'\]/);
  }
  assert.equal(new Set(several.map((m) => m.topic)).size, several.length, 'no topic twice');
});

test('the LED shows the worst Echo and names it; a quiet box names none', () => {
  assert.deepEqual(worstLedPattern([{ id: 'kitchen', pattern: 'warning' }, { id: 'bedroom', pattern: 'critical' }, { id: 'hall', pattern: 'fault' }]), { pattern: 'critical', device: 'bedroom' });
  assert.deepEqual(worstLedPattern([{ id: 'kitchen', pattern: 'warning' }, { id: 'hall', pattern: 'fault' }]), { pattern: 'fault', device: 'hall' });
  assert.deepEqual(worstLedPattern([{ id: 'kitchen', pattern: 'monitoring' }, { id: 'hall', pattern: 'monitoring' }]), { pattern: 'monitoring', device: null });
});
