import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertEvent, JudgeEvent, Severity } from '../../appliance/src/judge/judge-events.js';
import { AlertQueue } from '../../appliance/src/service/alert-queue.js';
import { alertEnd, alertEvent } from '../support/alert-events.js';

const alert = (id: string, severity: Severity): AlertEvent => alertEvent(id, { severity, mic: severity === 'critical' ? 'muted' : 'idle' });
const end = alertEnd;

const crit = (id: string): AlertEvent => alert(id, 'critical');
const warn = (id: string): AlertEvent => alert(id, 'warning');
const ids = (queue: AlertQueue): string[] => queue.toArray().map((e) => `${e.type === 'alert' ? e.severity[0] : 'e'}:${e.id}`);

test('events leave in the order they arrived', () => {
  const queue = new AlertQueue(10);
  for (const event of [crit('a'), warn('b'), end('a'), warn('c')]) queue.push(event);
  const out: string[] = [];
  while (queue.length > 0) {
    const head = queue.peek() as JudgeEvent;
    out.push(`${head.type}:${head.id}`);
    queue.shift();
  }
  assert.deepEqual(out, ['alert:a', 'alert:b', 'alert_end:a', 'alert:c']);
  assert.equal(queue.peek(), undefined);
  assert.equal(queue.overflow, 0);
});

test('peek does not remove the head', () => {
  const queue = new AlertQueue(10);
  queue.push(warn('a'));
  assert.equal(queue.peek()?.id, 'a');
  assert.equal(queue.peek()?.id, 'a');
  assert.equal(queue.length, 1);
});

test('the queue never holds more than its limit', () => {
  const queue = new AlertQueue(3);
  for (let i = 0; i < 10; i++) {
    queue.push(warn(`w${i}`));
    assert.ok(queue.length <= 3, `length ${queue.length} after ${i + 1} pushes`);
  }
  assert.equal(queue.length, 3);
  assert.deepEqual(ids(queue), ['w:w7', 'w:w8', 'w:w9']);
  assert.equal(queue.overflow, 7);
});

test('overflow drops the oldest event that is not a critical alert', () => {
  const queue = new AlertQueue(4);
  for (const event of [crit('c1'), warn('w1'), crit('c2'), end('c1')]) queue.push(event);
  queue.push(crit('c3'));
  assert.deepEqual(ids(queue), ['c:c1', 'c:c2', 'e:c1', 'c:c3']);
  queue.push(warn('w2'));
  assert.deepEqual(ids(queue), ['c:c1', 'c:c2', 'c:c3', 'w:w2']);
  assert.equal(queue.overflow, 2);
});

test('alert ends count as not critical and are dropped before critical alerts', () => {
  const queue = new AlertQueue(2);
  queue.push(crit('c1'));
  queue.push(end('c1'));
  queue.push(crit('c2'));
  assert.deepEqual(ids(queue), ['c:c1', 'c:c2']);
});

test('a critical alert is dropped only when nothing else is left, oldest first', () => {
  const queue = new AlertQueue(3);
  for (const event of [crit('c1'), crit('c2'), crit('c3')]) queue.push(event);
  queue.push(crit('c4'));
  assert.deepEqual(ids(queue), ['c:c2', 'c:c3', 'c:c4']);
  queue.push(crit('c5'));
  assert.deepEqual(ids(queue), ['c:c3', 'c:c4', 'c:c5']);
  assert.equal(queue.overflow, 2);
});

test('a warning arriving at a queue full of critical alerts is the one dropped', () => {
  const queue = new AlertQueue(3);
  for (const event of [crit('c1'), crit('c2'), crit('c3')]) queue.push(event);
  queue.push(warn('w1'));
  queue.push(end('c1'));
  assert.deepEqual(ids(queue), ['c:c1', 'c:c2', 'c:c3']);
  assert.equal(queue.overflow, 2);
});

test('every drop is counted, and delivering does not reset the count', () => {
  const queue = new AlertQueue(2);
  for (let i = 0; i < 5; i++) queue.push(warn(`w${i}`));
  assert.equal(queue.overflow, 3);
  queue.shift();
  queue.shift();
  assert.equal(queue.length, 0);
  assert.equal(queue.overflow, 3);
  queue.push(warn('w5'));
  assert.equal(queue.overflow, 3);
});

test('toArray is a copy', () => {
  const queue = new AlertQueue(5);
  queue.push(warn('a'));
  const copy = queue.toArray();
  copy.pop();
  assert.equal(queue.length, 1);
});
