// A mic timeline file followed as it grows: rows appended while the service runs are seen, and a
// broken rewrite keeps the last good timeline with one log line.

import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WatchedMicTimeline } from '../../appliance/src/mic/watched-timeline.js';

const dir = mkdtempSync(join(tmpdir(), 'earshot-watched-'));

/** The watcher does not keep the process alive (the service has other handles): a bounded wait does. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
after(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

test('rows appended to the timeline file are seen without a restart, and a broken rewrite keeps the last good timeline', async () => {
  const path = join(dir, 'mic.csv');
  writeFileSync(path, `time,state\n${T0},idle\n`);
  const logs: string[] = [];
  let reloaded: () => void = () => {};
  let logged: () => void = () => {};
  const log = (line: string): void => {
    logs.push(line);
    logged();
  };
  const timeline = new WatchedMicTimeline(path, log, () => reloaded());
  try {
    assert.equal(timeline.contextAt(T0 * 1000 + 10e6, 30e6), 'idle');
    const seen = new Promise<void>((resolve) => (reloaded = resolve));
    appendFileSync(path, `${T0 + 5000},muted\n`);
    await within(seen, 5000, 'the appended row');
    assert.equal(timeline.contextAt(T0 * 1000 + 10e6, 30e6), 'muted');
    const reported = new Promise<void>((resolve) => (logged = resolve));
    writeFileSync(path, 'time,state\nnot a time,muted\n');
    await within(reported, 5000, 'the broken rewrite to be reported');
    assert.equal(logs.length, 1, 'one line for the broken rewrite');
    assert.match(logs[0], /mic\.csv: line 2: time: .*keeping the last good one/);
    assert.equal(timeline.contextAt(T0 * 1000 + 10e6, 30e6), 'muted');
  } finally {
    timeline.close();
  }
});

test('a timeline file that is bad from the start is reported at once', () => {
  const path = join(dir, 'bad.csv');
  writeFileSync(path, 'when,what\n');
  assert.throws(() => new WatchedMicTimeline(path, () => {}), /bad\.csv: line 1: header/);
});
