// The whole box, live: the simulator's fake Echo and fake cloud talk real TLS through a box
// namespace, where `earshot run` captures on the LAN veth with the mic timeline fed from the
// scenario as it happens, and publishes to a real Mosquitto in the same namespace. Everything
// runs in namespaces this test makes (through the simulator) and is gone afterwards.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { liveUnavailableReason } from '../../sim/src/netns-lab.js';
import { discoveryMessages } from '../../appliance/src/service/ha-discovery.js';
import { EARSHOT_VERSION } from '../../appliance/src/version.js';
import { ChildLines, inNamespace, stopChild } from '../support/child-lines.js';
import { liveMutedUpload } from '../support/live-muted-upload.js';
import { REPO_ROOT } from '../support/shared-data.js';

/** Every entity's config, as the discovery table has them today. */
const DISCOVERY_CONFIGS = discoveryMessages({ id: 'e2e', discoveryPrefix: 'homeassistant', swVersion: EARSHOT_VERSION }).length;

const mosquittoMissing = spawnSync('mosquitto', ['-h']).error ? 'mosquitto is not installed' : undefined;
const skip = liveUnavailableReason() ?? mosquittoMissing;
if (skip) console.log(`skipping the live end-to-end test: ${skip}`);

describe('the whole box, live', { skip, timeout: 180_000 }, () => {
  test('a muted upload over real TLS is a critical alert on MQTT within a second, heartbeats raise nothing, discovery is retained and the capture drops nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-e2e-'));
    const live = liveMutedUpload(dir);
    const config = join(dir, 'earshot.json');
    writeFileSync(
      config,
      JSON.stringify({ id: 'e2e', capture: { interface: 'lan0' }, device: { ip: '192.0.2.10' }, mic: { timeline: live.micFile }, mqtt: { url: 'mqtt://127.0.0.1:1883' }, state: { path: join(dir, 'state.json') } }),
    );
    writeFileSync(join(dir, 'mosquitto.conf'), 'listener 1883 127.0.0.1\nallow_anonymous true\nlog_dest stderr\n');
    let broker: ChildLines | undefined;
    let subscriber: ChildLines | undefined;
    let service: ChildLines | undefined;
    let retained: ChildLines | undefined;
    let box = '';
    try {
      const result = await live.run({
        onBoxReady: async ({ namespace }) => {
          box = namespace;
          broker = inNamespace(namespace, 'mosquitto', ['-c', join(dir, 'mosquitto.conf')]);
          await broker.waitFor((l) => /mosquitto version \S+ running/.test(l), 15_000, 'mosquitto');
          subscriber = inNamespace(namespace, 'mosquitto_sub', ['-h', '127.0.0.1', '-p', '1883', '-F', '%r %t %p', '-t', 'earshot/#', '-t', 'homeassistant/#']);
          service = inNamespace(namespace, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'appliance/src/cli/bin.ts'), 'run', '--config', config]);
          await service.waitFor((l) => l.includes('mqtt: connected'), 30_000, 'earshot run to connect');
          await subscriber.waitFor((l) => l.includes('/config '), 15_000, 'discovery');
        },
        beforeTeardown: async () => {
          await stopChild(service);
          // A retained publish reaches a subscriber that is already there with the flag off (MQTT).
          await subscriber!.waitFor((l) => / earshot\/e2e\/status offline$/.test(l), 10_000, 'offline on a clean stop');
          // What a Home Assistant that starts now would get: the retained discovery and status.
          retained = inNamespace(box, 'mosquitto_sub', ['-h', '127.0.0.1', '-p', '1883', '-F', '%r %t %p', '-C', String(DISCOVERY_CONFIGS + 1), '-W', '10', '-t', 'homeassistant/+/earshot_e2e/+/config', '-t', 'earshot/e2e/status']);
          await new Promise((resolve) => retained!.child.once('exit', resolve));
          await stopChild(subscriber);
          await stopChild(broker);
        },
      });
      const truth = result.truth as { episodes: { alert: boolean; expected_verdict: string; start_us: number; dst: string }[] };
      const alerting = truth.episodes.filter((e) => e.alert);
      assert.equal(alerting.length, 1, 'the scenario has one muted upload');
      const messages = subscriber!.lines.map((l) => /^([01]) (\S+) (.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
      const alerts = messages.filter((m) => m[2] === 'earshot/e2e/alert').map((m) => JSON.parse(m[3]) as { type: string; severity: string; time: string; start: string; dst: string });
      const raised = alerts.filter((a) => a.type === 'alert');
      assert.equal(raised.length, 1, `exactly one alert (heartbeats raise nothing): ${JSON.stringify(raised)}`);
      assert.equal(raised[0].severity, 'critical');
      assert.equal(raised[0].dst, alerting[0].dst);
      const startUs = Date.parse(raised[0].start) * 1000;
      assert.ok(Math.abs(startUs - alerting[0].start_us) <= 500_000, `the alert starts with the upload (${(startUs - alerting[0].start_us) / 1000} ms from the truth's start): ${JSON.stringify(raised[0])}`);
      const latencyMs = Date.parse(raised[0].time) - Date.parse(raised[0].start);
      console.log(`live alert latency (capture clock): ${latencyMs} ms`);
      assert.ok(latencyMs <= 1000, `raised ${latencyMs} ms after the upload's first packet`);
      const kept = retained!.lines.map((l) => /^([01]) (\S+) (.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
      assert.equal(kept.filter((m) => m[2].endsWith('/config') && m[1] === '1').length, DISCOVERY_CONFIGS, 'every discovery config is retained');
      assert.ok(kept.some((m) => m[2] === 'earshot/e2e/status' && m[1] === '1' && m[3] === 'offline'), 'offline is retained');
      const lastState = JSON.parse(messages.filter((m) => m[2] === 'earshot/e2e/state').at(-1)![3]) as { capture_dropped: number; mic: string };
      assert.equal(lastState.capture_dropped, 0);
    } finally {
      await stopChild(service, 'SIGKILL');
      await stopChild(subscriber, 'SIGKILL');
      await stopChild(broker, 'SIGKILL');
      await stopChild(retained, 'SIGKILL');
      await live.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
