import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, type LogLevel } from '../../appliance/src/service/service-log.js';

function capture(env: Record<string, string | undefined>): { out: string[]; log: ReturnType<typeof createLogger> } {
  const out: string[] = [];
  return { out, log: createLogger((text) => out.push(text), env) };
}

test('under journald each level gets its syslog priority prefix and no timestamp', () => {
  const { out, log } = capture({ JOURNAL_STREAM: '8:12345' });
  const levels: LogLevel[] = ['error', 'warning', 'info', 'debug'];
  for (const level of levels) log(level, `${level} line`);
  assert.deepEqual(out, ['<3>error line\n', '<4>warning line\n', '<6>info line\n', '<7>debug line\n']);
});

test('an empty JOURNAL_STREAM still means journald reads stdout', () => {
  const { out, log } = capture({ JOURNAL_STREAM: '' });
  log('warning', 'mqtt: broker away');
  assert.deepEqual(out, ['<4>mqtt: broker away\n']);
});

test('without JOURNAL_STREAM lines are plain: ISO timestamp, level, text', () => {
  const { out, log } = capture({});
  const before = Date.now();
  log('info', 'earshot kitchen: capturing wlan0');
  log('error', 'alert a1 (critical): voice-like upload while muted');
  const after = Date.now();
  assert.equal(out.length, 2);
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) info earshot kitchen: capturing wlan0\n$/.exec(out[0]);
  assert.ok(match, out[0]);
  const stamp = Date.parse(match[1]);
  assert.ok(stamp >= before && stamp <= after, `${match[1]} is not now`);
  assert.match(out[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z error alert a1 \(critical\): voice-like upload while muted\n$/);
  assert.doesNotMatch(out[1], /^</);
});

test('each call writes exactly one newline-terminated chunk', () => {
  const { out, log } = capture({});
  log('debug', 'one');
  assert.equal(out.length, 1);
  assert.equal(out[0].indexOf('\n'), out[0].length - 1);
});
