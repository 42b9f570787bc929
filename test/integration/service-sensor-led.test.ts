// The service with a ring sensor and a status LED: the hardware is faked behind its small
// interfaces (MicSensor, StatusLed); the service, the analysis and the judge above them are real.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LiveMicTimeline } from '../../gpio/live-mic-timeline.js';
import type { LedPattern } from '../../gpio/led/led-patterns.js';
import type { MicListener, MicReading, MicSensor } from '../../gpio/mic-sensor.js';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import type { JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { EarshotService } from '../../appliance/src/service/earshot-service.js';
import { resolveConfig } from '../../appliance/src/service/load-config.js';
import { createNotifier } from '../../appliance/src/service/sd-notify.js';
import { StateStore } from '../../appliance/src/service/state-store.js';
import { writeUploadsCapture } from '../support/service-captures.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0) * 1000;
const dir = mkdtempSync(join(tmpdir(), 'earshot-sensor-led-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const capture = join(dir, 'uploads.pcap');
writeUploadsCapture(capture, { uploads: 2, spacingS: 12, startUs: T0 });

/** A sensor that reports one reading when started, as a ring sensor does with its first sample. */
class ScriptedSensor implements MicSensor {
  readonly description = 'scripted ring sensor';
  stopped = false;
  constructor(private readonly reading: MicReading) {}
  async start(listener: MicListener): Promise<void> {
    listener(this.reading);
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

async function runWith(reading: MicReading) {
  const patterns: LedPattern[] = [];
  const logs: string[] = [];
  const events: JudgeEvent[] = [];
  const timeline = new LiveMicTimeline();
  const sensor = new ScriptedSensor(reading);
  const id = `s${Math.random().toString(36).slice(2, 8)}`;
  const config = resolveConfig({ id, capture: { file: capture }, device: { ip: '192.0.2.10' }, state: { path: join(dir, `${id}.json`) } }, 'test', {}, id);
  const service = new EarshotService({
    config,
    source: new FileSource(capture),
    devices: [{ config: config.devices[0], mic: timeline, micSensor: { sensor, onReading: (r) => timeline.push(r) } }],
    publisher: undefined,
    store: new StateStore({ path: config.state.path, history: 10, log: (l) => logs.push(l) }),
    notifier: createNotifier({}),
    log: (level, line) => void logs.push(`${level} ${line}`),
    modelVersion: 'test',
    led: { show: async (p) => void patterns.push(p), close: async () => undefined },
    onJudgeEvent: (e) => events.push(e),
  });
  await service.run();
  return { patterns, logs, events, sensor, service };
}

test('a ring sensor reading muted turns an upload into a critical alert, and the LED goes solid until acknowledged', async () => {
  const { patterns, events, sensor, service } = await runWith({ timeMs: T0 / 1000 - 60_000, state: 'muted' });
  const alerts = events.filter((e) => e.type === 'alert');
  assert.deepEqual(alerts.map((a) => a.type === 'alert' && [a.severity, a.mic]), [['critical', 'muted'], ['critical', 'muted']]);
  assert.equal(patterns.at(-1), 'critical');
  assert.ok(sensor.stopped, 'the sensor is stopped with the service');
  assert.equal(service.state.snapshot().mic, 'muted');
});

test('a ring sensor that cannot read shows the fault pattern and says why, and uploads are at most warnings', async () => {
  const { patterns, logs, events } = await runWith({ timeMs: T0 / 1000 - 60_000, state: 'unknown', reason: 'no TCS34725 at 0x29 on /dev/i2c-1' });
  assert.ok(logs.some((l) => l === 'warning mic sensor: no TCS34725 at 0x29 on /dev/i2c-1'), logs.join('\n'));
  const severities = events.flatMap((e) => (e.type === 'alert' ? [e.severity] : []));
  assert.ok(severities.length > 0 && severities.every((s) => s === 'warning'));
  assert.ok(patterns.includes('fault'));
  assert.ok(!patterns.includes('critical'));
});
