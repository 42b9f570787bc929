// The service against a real Mosquitto started by the suite: discovery as the golden table says,
// re-announcing on Home Assistant's birth message, clearing configs it no longer owns, and every
// alert delivered exactly once and in order across a broker outage.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { discoveryMessages } from '../../appliance/src/service/ha-discovery.js';
import { resolveConfig } from '../../appliance/src/service/load-config.js';
import type { LogLevel } from '../../appliance/src/service/service-log.js';
import { createService } from '../../appliance/src/service/wiring.js';
import { EARSHOT_VERSION } from '../../appliance/src/version.js';
import type { Received } from '../support/mosquitto.js';
import { brokerSuite, SUITE_T0 } from '../support/broker-suite.js';
import { writeUploadsCapture } from '../support/service-captures.js';

const T0 = SUITE_T0;
const suite = brokerSuite('earshot-service-', (dir) => writeUploadsCapture(join(dir, 'three.pcap'), { uploads: 3, spacingS: 12, startUs: T0 }));

const recorder = suite.recorder;

function service(id: string, pace: 'fast' | 'recorded', extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const judged: JudgeEvent[] = [];
  const waiters = new Set<() => void>();
  /** Resolves once the judge has raised `count` events; an event, not a poll. */
  const judgedAtLeast = (count: number, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (judged.length < count) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${count} judge events (got ${judged.length})`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const config = resolveConfig(
    {
      id,
      capture: { file: join(suite.dir, 'three.pcap'), pace },
      mic: { timeline: join(suite.dir, 'muted.csv') },
      device: { ip: '192.0.2.10' },
      mqtt: { url: suite.broker.url },
      state: { path: join(suite.dir, `${id}-state.json`) },
      ...extra,
    },
    'test config',
    {},
    id,
  );
  const log = (level: LogLevel, line: string): void => void logs.push(`${level} ${line}`);
  const onJudgeEvent = (event: JudgeEvent): void => {
    judged.push(event);
    for (const waiter of [...waiters]) waiter();
  };
  return { logs, judged, judgedAtLeast, created: createService({ config, configFile: 'test config', log, onJudgeEvent }) };
}

const configsOf = (messages: Received[], id: string): Received[] => messages.filter((m) => m.topic.includes(`/earshot_${id}/`) && m.topic.endsWith('/config'));
const ctx = (id: string) => ({ id, discoveryPrefix: 'homeassistant', swVersion: EARSHOT_VERSION });

test('a replay announces every discovery config retained, exactly as the discovery table says, then goes offline', async () => {
  const { created } = service('golden', 'fast');
  await (await created).run();
  const expected = discoveryMessages(ctx('golden'));
  const seen = await recorder(['homeassistant/#', 'earshot/golden/#']);
  await seen.waitFor((m) => configsOf(m, 'golden').length === expected.length && m.some((x) => x.topic.endsWith('/state')), 10_000, 'retained discovery and state');
  const configs = new Map(configsOf(seen.messages, 'golden').map((m) => [m.topic, JSON.parse(m.text)]));
  for (const message of expected) assert.deepEqual(configs.get(message.topic), message.payload, message.topic);
  assert.ok(configsOf(seen.messages, 'golden').every((m) => m.retain));
  const status = seen.messages.find((m) => m.topic === 'earshot/golden/status');
  assert.deepEqual([status?.text, status?.retain], ['offline', true], 'a clean shutdown leaves "offline" retained');
  const state = JSON.parse(seen.messages.find((m) => m.topic === 'earshot/golden/state')!.text);
  assert.equal(state.alerts_total, 3);
  assert.equal(state.problem, 'ON');
  assert.equal(state.mic, 'muted');
  assert.match(state.model_version, /^f\d+-[0-9a-f]+$/, 'the shipped forest was loaded');
  assert.ok(state.upstream_bytes > 3 * 15_000);
});

test('when Home Assistant says it is online again, the running service announces discovery again', async () => {
  const { created } = service('birth', 'recorded');
  const running = await created;
  const watcher = await recorder(['homeassistant/+/earshot_birth/+/config', 'earshot/birth/status']);
  const done = running.run();
  const count = discoveryMessages(ctx('birth')).length;
  await watcher.waitFor((m) => configsOf(m, 'birth').length >= count, 10_000, 'the first announcement');
  const before = watcher.messages.length;
  const ha = await recorder(['homeassistant/status']);
  await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await watcher.waitFor((m) => configsOf(m.slice(before), 'birth').length >= count, 10_000, 'the second announcement');
  running.stop();
  await done;
});

test('the recording switch in Home Assistant starts and stops the dataset recorder, and the state follows it', async () => {
  const records = join(suite.dir, 'records');
  const { created, logs } = service('rec', 'recorded', { record: { dir: records } });
  const running = await created;
  const seen = await recorder(['earshot/rec/state']);
  const done = running.run();
  const recordingIs = (on: boolean) => (m: Received[]): boolean => m.length > 0 && JSON.parse(m[m.length - 1].text).recording === on;
  await seen.waitFor(recordingIs(false), 10_000, 'a state that is not recording');
  assert.equal(existsSync(records), false, 'nothing recorded before the switch');
  await seen.client.publishAsync('earshot/rec/record/set', 'ON', { qos: 1 });
  await seen.waitFor(recordingIs(true), 10_000, 'the state to say recording');
  const files = readdirSync(records).sort();
  assert.equal(files.length, 2);
  assert.match(files[0], /^earshot-\d{8}T\d{9}Z\.csv$/);
  await seen.client.publishAsync('earshot/rec/record/set', 'OFF', { qos: 1 });
  await seen.waitFor(recordingIs(false), 10_000, 'the state to say not recording');
  assert.ok(logs.some((l) => /^info record: stopped; earshot-\S+: \d+ rows/.test(l)), logs.join('\n'));
  running.stop();
  await done;
  assert.match(readFileSync(join(records, files[0]), 'utf8'), /^date,length,dstip,dstport,highest_layer,delta,ack_flag,microphone,content_type,synchronized,class,payload\n/);
});

test('a retained config under the box that earshot no longer owns is cleared', async () => {
  const stale = 'homeassistant/sensor/earshot_stale/old_entity/config';
  const publisher = await recorder(['earshot/none']);
  await publisher.client.publishAsync(stale, JSON.stringify({ name: 'old' }), { retain: true, qos: 1 });
  const { created } = service('stale', 'fast');
  await (await created).run();
  const seen = await recorder(['homeassistant/+/earshot_stale/+/config']);
  await seen.waitFor((m) => configsOf(m, 'stale').length >= discoveryMessages(ctx('stale')).length, 10_000, 'retained discovery');
  assert.equal(seen.messages.filter((m) => m.topic === stale).length, 0, 'the stale config is no longer retained');
});

test('when the broker dies in the middle of a replay, every alert still arrives exactly once and in order', async () => {
  const alerts = await recorder(['earshot/outage/alert'], { clientId: 'earshot-outage-recorder', clean: false });
  const { created, judged, judgedAtLeast, logs } = service('outage', 'recorded');
  const running = await created;
  const done = running.run();
  await alerts.waitFor((m) => m.length >= 1, 15_000, 'the first alert');
  await suite.broker.stop();
  // Restart once the judge has raised more while the broker was away.
  await judgedAtLeast(3, 15_000);
  await suite.broker.launch();
  await done;
  const expected = judged.map((e) => `${e.type} ${e.id}`);
  assert.equal(expected.length, 6, 'three alerts and their ends');
  await alerts.waitFor((m) => m.length >= expected.length, 20_000, 'every alert after the outage');
  const received = alerts.messages.map((m) => JSON.parse(m.text) as JudgeEvent).map((e) => `${e.type} ${e.id}`);
  assert.deepEqual(received, expected);
  assert.ok(logs.some((l) => l.includes('mqtt: disconnected')), 'the service saw the outage');
});

test('a corrupt state file is kept aside, the service starts clean and says so in one line', async () => {
  const path = join(suite.dir, 'corrupt-state.json');
  writeFileSync(path, '{ this is not json');
  const { created, logs } = service('corrupt', 'fast', { state: { path }, mqtt: {} });
  await (await created).run();
  const aside = readdirSync(suite.dir).filter((f) => f.startsWith('corrupt-state.json.corrupt-'));
  assert.equal(aside.length, 1);
  assert.equal(readFileSync(join(suite.dir, aside[0]), 'utf8'), '{ this is not json');
  assert.equal(logs.filter((l) => l.includes('was unreadable')).length, 1);
  assert.ok(existsSync(path));
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).alerts.length, 3);
});
