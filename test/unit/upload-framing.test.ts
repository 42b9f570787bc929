// Framings that dress an upload as something the labelling rules call a heartbeat or a
// handshake. The judge counts bytes by the packet context's one app-data decision, never by the
// labels, so none of them hides a muted upload, while the Echo's real heartbeats raise nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinkType, TcpFlag, type CapturedFrame } from '../../appliance/src/decode/types.js';
import type { AlertEvent, JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { MicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { buildAnalysis } from '../../appliance/src/pipeline/capture-run.js';
import { concat, tcpFrame, tlsRecord, type Endpoint } from '../../sim/src/frame-builder.js';

const echo: Endpoint = { mac: '68:54:fd:0a:1b:2c', ip: '192.0.2.10', port: 49152 };
const cloud: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '198.51.100.20', port: 443 };
const T0 = 1_700_000_000_000_000;

/** One direction of a TCP stream: each payload a segment, `everyMs` apart, sequence numbers in order. */
function stream(payloads: Uint8Array[], everyMs: number, to: Endpoint = cloud): CapturedFrame[] {
  let seq = 1000;
  return payloads.map((payload, i) => {
    const bytes = tcpFrame({ from: echo, to, seq, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, payload });
    seq += payload.length;
    return { timeUs: T0 + i * everyMs * 1000, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes };
  });
}

function judgeMuted(frames: CapturedFrame[]): AlertEvent[] {
  const events: JudgeEvent[] = [];
  const mic = new MicTimeline([{ timeUs: 0, state: 'muted' }]);
  const analysis = buildAnalysis({ device: { ip: echo.ip }, mic }, { judge: (event) => events.push(event) });
  for (const frame of frames) analysis.push(frame);
  analysis.finish();
  return events.filter((e): e is AlertEvent => e.type === 'alert');
}

const times = (n: number, make: (i: number) => Uint8Array): Uint8Array[] => Array.from({ length: n }, (_, i) => make(i));

test('an upload whose every segment starts with a heartbeat-sized record is still a critical alert while muted', () => {
  // 41 bytes is the Echo's heartbeat record: the label of each segment is "heartbeat".
  const alerts = judgeMuted(stream(times(150, () => concat(tlsRecord(23, 41), tlsRecord(23, 1300))), 20));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].severity, 'critical');
});

test('an upload whose every segment starts with a handshake record is still a critical alert while muted', () => {
  const alerts = judgeMuted(stream(times(150, () => concat(tlsRecord(22, 40), tlsRecord(23, 1300))), 20));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].severity, 'critical');
});

test("bulk plain data to Spotify's sync port (labelled heartbeat) is a critical alert while muted", () => {
  const alerts = judgeMuted(stream(times(100, () => new Uint8Array(1400).fill(7)), 10, { ...cloud, port: 4070 }));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].severity, 'critical');
});

test("small plain segments to Spotify's sync port (320 B every 20 ms, each labelled heartbeat) are a critical alert while muted", () => {
  const alerts = judgeMuted(stream(times(200, () => new Uint8Array(320).fill(7)), 20, { ...cloud, port: 4070 }));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].severity, 'critical');
});

test("the Echo's own heartbeats (a 41-byte record every 30 s for an hour) make no alert while muted", () => {
  assert.deepEqual(judgeMuted(stream(times(120, () => tlsRecord(23, 41)), 30_000)), []);
});

test('segments of only handshake records (a TLS handshake while muted) make no alert', () => {
  assert.deepEqual(judgeMuted(stream(times(6, () => tlsRecord(22, 1200)), 5)), []);
});
