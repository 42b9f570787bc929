// The durable outbox against a real Mosquitto: alerts raised while the broker is down survive the
// service restarting (cleanly, or killed with SIGKILL), and reach a subscriber once the broker is
// back, all of them, in order, each once.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { outboxPathFor } from '../../appliance/src/service/alert-outbox.js';
import { resolveConfig } from '../../appliance/src/service/load-config.js';
import { createService } from '../../appliance/src/service/wiring.js';
import { MqttRecorder } from '../support/mosquitto.js';
import { brokerSuite, SUITE_T0 } from '../support/broker-suite.js';
import { writeUploadsCapture } from '../support/service-captures.js';
import { REPO_ROOT } from '../support/shared-data.js';

const T0 = SUITE_T0;
const suite = brokerSuite('earshot-outbox-', (dir) => {
  writeUploadsCapture(join(dir, 'many.pcap'), { uploads: 24, spacingS: 12, startUs: T0 });
  writeUploadsCapture(join(dir, 'quiet.pcap'), { uploads: 0, spacingS: 12, startUs: T0 + 3_600_000_000 });
});

/** A persistent session that exists before the outage, so the broker keeps what it receives for it. */
async function persistentSubscriber(id: string): Promise<string> {
  const clientId = `outbox-subscriber-${id}`;
  const first = await MqttRecorder.connect(suite.broker.url, [`earshot/${id}/alert`], { clientId, clean: false });
  await first.close();
  return clientId;
}

function configFor(id: string, capture: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    capture: { file: join(suite.dir, capture), pace: 'fast' },
    mic: { timeline: join(suite.dir, 'muted.csv') },
    device: { ip: '192.0.2.10' },
    mqtt: { url: suite.broker.url },
    state: { path: join(suite.dir, `${id}-state.json`) },
    ...extra,
  };
}

async function runService(raw: Record<string, unknown>, id: string): Promise<{ judged: JudgeEvent[]; logs: string[] }> {
  const judged: JudgeEvent[] = [];
  const logs: string[] = [];
  const config = resolveConfig(raw, 'test config', {}, id);
  const service = await createService({ config, configFile: 'test config', log: (level, line) => void logs.push(`${level} ${line}`), onJudgeEvent: (e) => void judged.push(e) });
  await service.run();
  return { judged, logs };
}

const keys = (events: JudgeEvent[]): string[] => events.map((e) => `${e.type} ${e.id}`);
/** The events the outbox file holds and has not marked done (a torn last line is skipped, as the outbox does). */
function pendingPuts(path: string): string[] {
  if (!existsSync(path)) return [];
  const pending: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let entry: { put?: JudgeEvent; done?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.put) pending.push(`${entry.put.type} ${entry.put.id}`);
    else if (entry.done !== undefined && pending.includes(entry.done)) pending.splice(pending.indexOf(entry.done), 1);
  }
  return pending;
}

test('24 alerts raised while the broker is down, then a restart, then the broker: all 48 events arrive in order, once each', async () => {
  const clientId = await persistentSubscriber('restart');
  await suite.broker.stop();
  const first = await runService(configFor('restart', 'many.pcap'), 'restart');
  assert.equal(first.judged.filter((e) => e.type === 'alert').length, 24, 'the capture raises 24 alerts');
  assert.ok(first.logs.some((l) => l.includes('stopping with undelivered alerts')), first.logs.join('\n'));
  const outbox = outboxPathFor(join(suite.dir, 'restart-state.json'));
  assert.deepEqual(pendingPuts(outbox), keys(first.judged), 'the outbox holds every event, in order');

  await suite.broker.launch();
  const alerts = await suite.recorder(['earshot/restart/alert'], { clientId, clean: false });
  // The restarted service replays a quiet capture: it raises nothing itself, and its stop waits
  // (bounded) for the outbox to drain.
  const second = await runService(configFor('restart', 'quiet.pcap'), 'restart');
  assert.equal(second.judged.length, 0);
  assert.ok(second.logs.some((l) => l.includes('48 undelivered events from before the restart')), second.logs.join('\n'));
  await alerts.waitFor((m) => m.length >= 48, 15_000, '48 alert events');
  const received = alerts.messages.map((m) => JSON.parse(m.text) as JudgeEvent);
  assert.deepEqual(keys(received), keys(first.judged));
  assert.equal(new Set(received.map((e) => `${e.type} ${e.id}`)).size, 48, 'no duplicates');
  assert.deepEqual(received[0], JSON.parse(JSON.stringify(first.judged[0])), 'the event is published as it was raised');
  assert.deepEqual(pendingPuts(outbox), [], 'delivered events leave the outbox');

  // A third start sends nothing again.
  const before = alerts.messages.length;
  await runService(configFor('restart', 'quiet.pcap'), 'restart');
  assert.equal(alerts.messages.length, before);
});

test('a service killed with SIGKILL while the broker is down loses none of the alerts it had written', async () => {
  const clientId = await persistentSubscriber('killed');
  await suite.broker.stop();
  const configFile = join(suite.dir, 'killed.json');
  // Recorded pace ten times faster: an alert every 1.2 s, so the kill lands mid-capture.
  writeFileSync(configFile, JSON.stringify(configFor('killed', 'many.pcap', { capture: { file: join(suite.dir, 'many.pcap'), pace: 'recorded', speed: 10 } })));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'appliance/src/cli/bin.ts'), 'run', '--config', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no third alert in 60 s: ${output}`)), 60_000);
      const onData = (text: string): void => {
        output += text;
        if ((output.match(/ alert a\d+-\d+ \(critical\)/g) ?? []).length >= 3) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      child.once('exit', () => reject(new Error(`the service ended before the third alert: ${output}`)));
    });
  } finally {
    child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL');
  const written = pendingPuts(outboxPathFor(join(suite.dir, 'killed-state.json')));
  assert.ok(written.filter((k) => k.startsWith('alert ')).length >= 2, `at least two alerts were on disk: ${written.join(', ')}`);
  assert.ok(written.length < 48, 'the kill came before the capture ended');

  await suite.broker.launch();
  const alerts = await suite.recorder(['earshot/killed/alert'], { clientId, clean: false });
  await runService(configFor('killed', 'quiet.pcap'), 'killed');
  await alerts.waitFor((m) => m.length >= written.length, 15_000, `${written.length} alert events`);
  assert.deepEqual(keys(alerts.messages.map((m) => JSON.parse(m.text) as JudgeEvent)), written);
});
