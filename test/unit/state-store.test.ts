import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AlertEvent } from '../../appliance/src/judge/judge-events.js';
import { StateStore, type StateStoreOptions, type StoredState } from '../../appliance/src/service/state-store.js';
import { alertEvent } from '../support/alert-events.js';

const root = await mkdtemp(join(tmpdir(), 'earshot-state-store-'));
after(() => rm(root, { recursive: true, force: true }));

let dirs = 0;
async function freshDir(): Promise<string> {
  const dir = join(root, `case-${++dirs}`);
  await mkdir(dir);
  return dir;
}

const FLOW = { protocol: 'tcp', src: '192.168.1.50', srcPort: 49152, dst: '52.94.233.10', dstPort: 443 } as const;
const alert = (id: string, overrides: Partial<AlertEvent> = {}): AlertEvent => alertEvent(id, { dst: '52.94.233.10:443', flow: { ...FLOW }, flows: [{ ...FLOW }], ...overrides });

async function openStore(path: string, options: Partial<StateStoreOptions> = {}): Promise<{ store: StateStore; lines: string[] }> {
  const lines: string[] = [];
  const store = new StateStore({ path, history: 200, debounceMs: 60_000, log: (line) => lines.push(line), ...options });
  await store.open();
  return { store, lines };
}

/** Polls until `check` returns a value, for at most `timeoutMs`. */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function readState(path: string): Promise<StoredState> {
  return JSON.parse(await readFile(path, 'utf8')) as StoredState;
}

const EMPTY: StoredState = { version: 1, alerts: [], counters: { upstream_bytes: 0, classes: {}, alerts_total: 0 } };
const NOW = new Date('2024-05-01T12:34:56.789Z');

test('a missing file starts clean, silently, and writes nothing until there is something to keep', async () => {
  const path = join(await freshDir(), 'state.json');
  const { store, lines } = await openStore(path);
  assert.deepEqual(store.data, EMPTY);
  assert.deepEqual(lines, []);
  assert.deepEqual(store.unacknowledged, []);
  await store.flush();
  assert.equal(existsSync(path), false);
});

test('alerts are recorded unacknowledged and counted', async () => {
  const { store } = await openStore(join(await freshDir(), 'state.json'));
  store.recordAlert(alert('a1'));
  store.recordAlert(alert('a2', { severity: 'warning', mic: 'idle' }));
  assert.deepEqual(store.data.alerts[0], {
    id: 'a1',
    severity: 'critical',
    time: '2024-05-01T12:00:01.000Z',
    start: '2024-05-01T12:00:00.000Z',
    dst: '52.94.233.10:443',
    reason: 'voice-like upload while muted',
    bytes: 30_000,
    packets: 25,
    acknowledged: false,
  });
  assert.equal(store.data.alerts[1].severity, 'warning');
  assert.equal(store.data.counters.alerts_total, 2);
  assert.deepEqual(store.unacknowledged.map((a) => a.id), ['a1', 'a2']);
});

test('the alert history is a ring that keeps the newest `history` alerts while the total keeps counting', async () => {
  const { store } = await openStore(join(await freshDir(), 'state.json'), { history: 3 });
  for (let i = 1; i <= 5; i++) store.recordAlert(alert(`a${i}`));
  assert.deepEqual(
    store.data.alerts.map((a) => a.id),
    ['a3', 'a4', 'a5'],
  );
  assert.equal(store.data.counters.alerts_total, 5);
});

test('an alert end updates the bytes and packets of its alert, and an unknown id is ignored', async () => {
  const { store } = await openStore(join(await freshDir(), 'state.json'));
  store.recordAlert(alert('a1'));
  store.recordAlert(alert('a2'));
  store.recordAlertEnd('a1', 160_000, 130);
  store.recordAlertEnd('gone', 1, 1);
  assert.equal(store.data.alerts[0].bytes, 160_000);
  assert.equal(store.data.alerts[0].packets, 130);
  assert.equal(store.data.alerts[1].bytes, 30_000);
  assert.equal(store.data.alerts.length, 2);
});

test('acknowledge marks exactly the ids given', async () => {
  const { store } = await openStore(join(await freshDir(), 'state.json'));
  for (const id of ['a1', 'a2', 'a3']) store.recordAlert(alert(id));
  store.acknowledge(['a1', 'a3', 'other']);
  assert.deepEqual(
    store.data.alerts.map((a) => a.acknowledged),
    [true, false, true],
  );
  assert.deepEqual(store.unacknowledged.map((a) => a.id), ['a2']);
});

test('Echo packets are counted in the store\'s counters, per class and in upstream bytes', async () => {
  const { store } = await openStore(join(await freshDir(), 'state.json'));
  store.countEchoPacket('syn', 12_000);
  store.countEchoPacket('syn', 345);
  store.countEchoPacket('not_justified', 0);
  assert.deepEqual(store.data.counters, { upstream_bytes: 12_345, classes: { syn: 2, not_justified: 1 }, alerts_total: 0 });
});

test('counting packets schedules no write until the counters are committed', async () => {
  const { store } = await openStore(join(await freshDir(), 'state.json'), { debounceMs: 1 });
  store.countEchoPacket('syn', 100);
  await store.flush();
  assert.equal(store.writes, 0, 'no write per packet');
  store.commitCounters();
  await store.flush();
  assert.equal(store.writes, 1);
  store.commitCounters();
  await store.flush();
  assert.equal(store.writes, 1, 'a commit without new packets writes nothing');
});

test('writes are debounced: nothing is written at once, then one write holds every change', async () => {
  const path = join(await freshDir(), 'state.json');
  const { store } = await openStore(path, { debounceMs: 30 });
  store.recordAlert(alert('a1'));
  store.recordAlert(alert('a2'));
  store.acknowledge(['a1']);
  assert.equal(existsSync(path), false);
  const written = await waitFor(async () => (existsSync(path) ? readState(path) : undefined));
  assert.deepEqual(
    written.alerts.map((a) => [a.id, a.acknowledged]),
    [
      ['a1', true],
      ['a2', false],
    ],
  );
  assert.equal(written.counters.alerts_total, 2);
});

test('a change after a debounced write is written by a later one', async () => {
  const path = join(await freshDir(), 'state.json');
  const { store } = await openStore(path, { debounceMs: 10, minIntervalMs: 20 });
  store.recordAlert(alert('a1'));
  await waitFor(async () => (existsSync(path) ? true : undefined));
  for (let i = 0; i < 5; i++) store.countEchoPacket('syn', 100);
  store.commitCounters();
  const written = await waitFor(async () => {
    const state = await readState(path);
    return state.counters.upstream_bytes === 500 ? state : undefined;
  });
  assert.deepEqual(written.counters, { upstream_bytes: 500, classes: { syn: 5 }, alerts_total: 1 });
});

test('flush writes a pending change immediately', async () => {
  const path = join(await freshDir(), 'state.json');
  const { store } = await openStore(path, { debounceMs: 60_000 });
  store.recordAlert(alert('a1'));
  store.recordAlertEnd('a1', 99_000, 80);
  await store.flush();
  const written = await readState(path);
  assert.equal(written.version, 1);
  assert.deepEqual(
    written.alerts.map((a) => [a.id, a.bytes, a.packets]),
    [['a1', 99_000, 80]],
  );
});

test('a reopened store reads back what was flushed', async () => {
  const path = join(await freshDir(), 'state.json');
  const first = await openStore(path);
  first.store.recordAlert(alert('a1'));
  first.store.recordAlert(alert('a2'));
  first.store.acknowledge(['a1']);
  first.store.countEchoPacket('syn', 4_096);
  first.store.commitCounters();
  await first.store.flush();
  const second = await openStore(path);
  assert.deepEqual(second.lines, []);
  assert.deepEqual(second.store.data, first.store.data);
  assert.deepEqual(second.store.unacknowledged.map((a) => a.id), ['a2']);
});

const CORRUPT: Array<[string, string]> = [
  ['garbage', 'not json at all {'],
  ['an empty file', ''],
  ['a JSON array', '[]'],
  ['a JSON object of the wrong shape', '{"alerts": {}, "counters": 3}'],
  ['another version', '{"version": 2, "alerts": [], "counters": {}}'],
];

for (const [what, content] of CORRUPT) {
  test(`a state file holding ${what} is kept aside as <name>.corrupt-<time>, logged once, and the store starts clean`, async () => {
    const dir = await freshDir();
    const path = join(dir, 'state.json');
    await writeFile(path, content);
    const { store, lines } = await openStore(path, { now: () => NOW });
    const aside = `${path}.corrupt-2024-05-01T12-34-56.789Z`;
    assert.deepEqual(store.data, EMPTY);
    assert.equal(lines.length, 1);
    assert.ok(lines[0].startsWith(`state: ${path} was unreadable (`), lines[0]);
    assert.ok(lines[0].endsWith(`); kept it as ${aside} and started clean`), lines[0]);
    assert.equal(await readFile(aside, 'utf8'), content);
    assert.deepEqual(await readdir(dir), ['state.json.corrupt-2024-05-01T12-34-56.789Z']);
    store.recordAlert(alert('a1'));
    await store.flush();
    assert.deepEqual((await readState(path)).alerts.map((a) => a.id), ['a1']);
  });
}

test('a state file holding JSON null is kept aside and logged too', async () => {
  const dir = await freshDir();
  const path = join(dir, 'state.json');
  await writeFile(path, 'null');
  const { lines } = await openStore(path, { now: () => NOW });
  assert.equal(lines.length, 1);
  assert.ok(existsSync(`${path}.corrupt-2024-05-01T12-34-56.789Z`));
});

test('the file is valid JSON whenever it is read between and during writes', async () => {
  const dir = await freshDir();
  const path = join(dir, 'state.json');
  const { store } = await openStore(path, { debounceMs: 1, minIntervalMs: 1, history: 500 });
  store.recordAlert(alert('first'));
  await store.flush();
  let writing = true;
  let reads = 0;
  const reader = (async () => {
    while (writing) {
      const text = await readFile(path, 'utf8');
      const state = JSON.parse(text) as StoredState; // throws on a torn write
      assert.equal(state.version, 1);
      reads++;
    }
  })();
  for (let i = 0; i < 100; i++) {
    store.recordAlert(alert(`a${i}`, { reason: 'x'.repeat(2_000) }));
    if (i % 10 === 9) await store.flush();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await store.flush();
  writing = false;
  await reader;
  assert.ok(reads > 0);
  assert.equal((await readState(path)).alerts.length, 101);
  assert.deepEqual(await readdir(dir), ['state.json']);
});

test('a failed debounced write is logged, not thrown', async () => {
  const dir = join(root, 'vanishing-dir');
  const path = join(dir, 'state.json');
  const { store, lines } = await openStore(path, { debounceMs: 5 });
  await rm(dir, { recursive: true });
  store.recordAlert(alert('a1'));
  const line = await waitFor(async () => lines[0]);
  assert.match(line, /^state: write failed: ENOENT/);
});

test('after a failed flush, a later flush writes once the cause is gone', async () => {
  const dir = join(root, 'late-dir');
  const path = join(dir, 'state.json');
  const { store, lines: logs } = await openStore(path);
  await rm(dir, { recursive: true });
  store.recordAlert(alert('a1'));
  await store.flush(); // a failed write is logged, not thrown: shutdown must go on
  assert.ok(logs.some((l) => l.startsWith('state: write failed')), logs.join('\n'));
  await mkdir(dir);
  store.recordAlert(alert('a2'));
  await store.flush();
  assert.deepEqual((await readState(path)).alerts.map((a) => a.id), ['a1', 'a2']);
});

test('what enforcement did is kept with the alert, and a block is not downgraded to would-block', async () => {
  const path = join(await freshDir(), 'state.json');
  const { store } = await openStore(path);
  store.recordAlert(alert('a1'));
  store.recordAlert(alert('a2'));
  store.recordEnforcement('a1', 'would-block');
  store.recordEnforcement('a2', 'blocked');
  store.recordEnforcement('a2', 'would-block');
  store.recordEnforcement('nope', 'blocked');
  assert.deepEqual(store.data.alerts.map((a) => a.enforcement), ['would-block', 'blocked']);
  await store.flush();
  assert.deepEqual((await readState(path)).alerts.map((a) => a.enforcement), ['would-block', 'blocked']);
});

test('a missing state folder is created, and one that cannot be created is refused naming state.path', async () => {
  const path = join(root, 'new', 'deeper', 'state.json');
  const { store } = await openStore(path);
  store.recordAlert(alert('a1'));
  await store.flush();
  assert.deepEqual((await readState(path)).alerts.map((a) => a.id), ['a1']);
  const blocker = join(root, 'a-file');
  await writeFile(blocker, '');
  await assert.rejects(openStore(join(blocker, 'state.json')), (error: Error) => {
    assert.equal(error.constructor.name, 'InputError');
    assert.equal(error.message, `state.path: cannot create the folder '${blocker}' for the state file (EEXIST)`);
    return true;
  });
});

test('an invalid entry costs only that entry: kept aside, replaced by its default, named in one line', async () => {
  const dir = await freshDir();
  const path = join(dir, 'state.json');
  const good = { id: 'a1', severity: 'critical', time: 't', start: 's', dst: 'd', reason: 'r', bytes: 1, packets: 1, acknowledged: false };
  const content = JSON.stringify({ version: 1, alerts: [null, good], counters: { upstream_bytes: 'lots', classes: { syn: 4, ack: -1 }, alerts_total: 7 } });
  await writeFile(path, content);
  const { store, lines } = await openStore(path, { now: () => NOW, debounceMs: 1, minIntervalMs: 1 });
  assert.deepEqual(store.data, { version: 1, alerts: [good], counters: { upstream_bytes: 0, classes: { syn: 4 }, alerts_total: 7 } });
  assert.deepEqual(lines, [
    `state: ${path}: alerts[0]: expected an alert (got null); dropped it (and 2 more problems); kept the original as ${path}.corrupt-2024-05-01T12-34-56.789Z`,
  ]);
  assert.equal(await readFile(`${path}.corrupt-2024-05-01T12-34-56.789Z`, 'utf8'), content);
  const repaired = await waitFor(async () => {
    const state = await readState(path);
    return state.counters.upstream_bytes === 0 ? state : undefined;
  });
  assert.deepEqual(repaired, store.data, 'the repaired state is written back');
});

test('"counters": {} resets each counter to 0 instead of NaN, and the total is never below the history', async () => {
  const path = join(await freshDir(), 'state.json');
  const good = { id: 'a1', severity: 'warning', time: 't', start: 's', dst: 'd', reason: 'r', bytes: 1, packets: 1, acknowledged: true };
  await writeFile(path, JSON.stringify({ version: 1, alerts: [good], counters: {} }));
  const { store, lines } = await openStore(path, { now: () => NOW });
  assert.deepEqual(store.data.counters, { upstream_bytes: 0, classes: {}, alerts_total: 1 });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /: counters\.upstream_bytes: expected a whole number of at least 0 \(got nothing\); reset it to 0 \(and 2 more problems\)/);
});

test('writes happen only on change and at most once per interval', async () => {
  const path = join(await freshDir(), 'state.json');
  const { store } = await openStore(path, { debounceMs: 1, minIntervalMs: 200 });
  store.commitCounters();
  await store.flush();
  assert.equal(store.writes, 0, 'unchanged counters write nothing');
  store.countEchoPacket('syn', 10);
  store.commitCounters();
  await waitFor(async () => (store.writes === 1 ? true : undefined));
  const firstWrite = Date.now();
  store.countEchoPacket('syn', 10);
  store.commitCounters();
  store.countEchoPacket('syn', 10);
  store.commitCounters();
  await waitFor(async () => (store.writes === 2 ? true : undefined));
  assert.ok(Date.now() - firstWrite >= 150, `the second write waited for the interval (${Date.now() - firstWrite} ms)`);
  await store.flush();
  assert.equal((await readState(path)).counters.upstream_bytes, 30);
  assert.equal(store.writes, 2);
});
