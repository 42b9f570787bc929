import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AlertEvent, JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { AlertOutbox, outboxPathFor } from '../../appliance/src/service/alert-outbox.js';
import { alertEnd, alertEvent } from '../support/alert-events.js';

const root = await mkdtemp(join(tmpdir(), 'earshot-outbox-unit-'));
after(() => rm(root, { recursive: true, force: true }));
let cases = 0;
const freshPath = (): string => join(root, `outbox-${++cases}.jsonl`);

const alert = (id: string, severity: 'critical' | 'warning' = 'critical'): AlertEvent => alertEvent(id, { severity });
const end = alertEnd;
const keys = (events: JudgeEvent[]): string[] => events.map((e) => `${e.type} ${e.id}`);

function outbox(path: string | undefined, limit = 100, maxFileBytes?: number): { box: AlertOutbox; lines: string[] } {
  const lines: string[] = [];
  return { box: new AlertOutbox({ path, limit, log: (l) => lines.push(l), maxFileBytes }), lines };
}

test('the outbox sits beside the state file', () => {
  assert.equal(outboxPathFor('/var/lib/earshot/state.json'), '/var/lib/earshot/state.outbox.jsonl');
  assert.equal(outboxPathFor('/tmp/box-state'), '/tmp/box-state.outbox.jsonl');
});

test('events put and not delivered come back after a restart, in order; delivered ones do not', async () => {
  const path = freshPath();
  const first = outbox(path).box;
  first.load();
  for (const e of [alert('a1'), end('a1'), alert('a2'), end('a2')]) first.put(e);
  await first.persisted();
  first.delivered(first.peek()!);
  await first.persisted();
  const second = outbox(path);
  assert.equal(second.box.load(), 3);
  assert.deepEqual(keys(second.box.toArray()), ['alert_end a1', 'alert a2', 'alert_end a2']);
  assert.deepEqual(second.lines, ['outbox: 3 undelivered events from before the restart will be sent in order']);
});

test('a torn last line (a power cut mid-append) and junk lines are skipped and counted once', async () => {
  const path = freshPath();
  const first = outbox(path).box;
  first.put(alert('a1'));
  await first.persisted();
  await appendFile(path, 'null\n[1,2]\n{"put":{"type":"packet","id":"x"}}\n{"put":{"type":"alert","id":"a2","sever');
  const second = outbox(path);
  assert.equal(second.box.load(), 1);
  assert.deepEqual(keys(second.box.toArray()), ['alert a1']);
  assert.equal(second.lines[0], `outbox: ${path}: skipped 4 unreadable lines`);
  await second.box.persisted();
  assert.equal(await readFile(path, 'utf8'), `${JSON.stringify({ put: alert('a1') })}\n`, 'loading rewrites the file with the pending events only');
});

test('once everything is delivered the file is emptied, and a big file is compacted', async () => {
  const path = freshPath();
  const { box } = outbox(path, 100, 2_000);
  for (let i = 0; i < 10; i++) box.put(alert(`a${i}`));
  await box.persisted();
  const full = (await readFile(path, 'utf8')).length;
  box.delivered(box.peek()!);
  await box.persisted();
  const compacted = await readFile(path, 'utf8');
  assert.ok(compacted.length < full, 'compacted past maxFileBytes');
  assert.ok(!compacted.includes('"done"'));
  while (box.length > 0) box.delivered(box.peek()!);
  await box.persisted();
  assert.equal(await readFile(path, 'utf8'), '');
});

test("an event dropped by the queue's overflow policy is marked done in the file too", async () => {
  const path = freshPath();
  const first = outbox(path, 2).box;
  first.put(alert('w1', 'warning'));
  first.put(alert('c1'));
  first.put(alert('c2')); // drops w1, the oldest that is not critical
  await first.persisted();
  const second = outbox(path, 2).box;
  second.load();
  assert.deepEqual(keys(second.toArray()), ['alert c1', 'alert c2']);
  assert.equal(first.overflow, 1);
});

test('without a path the outbox is memory only, and a failed write is logged once and does not stop delivery', async () => {
  const memory = outbox(undefined).box;
  memory.put(alert('a1'));
  await memory.persisted();
  assert.equal(memory.length, 1);
  const path = join(root, 'no-such-dir', 'outbox.jsonl');
  const { box, lines } = outbox(path);
  box.put(alert('a1'));
  box.put(alert('a2'));
  await box.persisted();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^outbox: write failed \(ENOENT/);
  assert.equal(box.length, 2);
  assert.equal(existsSync(path), false);
});
