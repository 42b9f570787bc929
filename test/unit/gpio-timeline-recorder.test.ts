import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseMicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { LiveMicTimeline } from '../../gpio/live-mic-timeline.js';
import { MicStateEmitter, type MicReading } from '../../gpio/mic-sensor.js';
import { openTimelineFile } from '../../gpio/timeline-file.js';
import { TimelineRecorder } from '../../gpio/timeline-recorder.js';

const T0 = Date.parse('2025-01-15T12:00:00Z');
const S = 1000;
const dir = mkdtempSync(join(tmpdir(), 'earshot-timeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const readings: MicReading[] = [
  { timeMs: T0, state: 'idle' },
  { timeMs: T0 + 10 * S + 250, state: 'listening' },
  { timeMs: T0 + 16 * S, state: 'idle' },
  { timeMs: T0 + 40 * S, state: 'muted' },
  { timeMs: T0 + 52 * S, state: 'unknown', reason: 'TCS34725 on /dev/i2c-1 at 0x29: no device answers\nat 0x29' },
  { timeMs: T0 + 58 * S, state: 'muted' },
];

test('what the recorder writes, the contract parser reads back as the same states at the same times', () => {
  let text = '';
  const recorder = new TimelineRecorder({ write: (t) => void (text += t) });
  for (const r of readings) recorder.record(r);
  const timeline = parseMicTimeline(text, 'recorded.csv');
  assert.equal(timeline.length, readings.length);
  for (const r of readings) assert.equal(timeline.stateAt(r.timeMs * 1000), r.state, new Date(r.timeMs).toISOString());
  assert.equal(timeline.stateAt((T0 + 10 * S + 249) * 1000), 'idle', 'a millisecond before listening');
  assert.equal(timeline.contextAt((T0 + 30 * S) * 1000, 30e6), 'grace', 'grace after listening, as in a file');
});

test('the file has the contract header, ISO UTC times, and the reason for unknown as a comment', () => {
  let text = '';
  const recorder = new TimelineRecorder({ write: (t) => void (text += t) });
  for (const r of readings.slice(3, 5)) recorder.record(r);
  assert.equal(
    text,
    'time,state\n2025-01-15T12:00:40.000Z,muted\n# TCS34725 on /dev/i2c-1 at 0x29: no device answers at 0x29\n2025-01-15T12:00:52.000Z,unknown\n',
  );
});

test('repeated states are not rewritten, and a back-dated change never goes before the last row', () => {
  let text = '';
  const recorder = new TimelineRecorder({ write: (t) => void (text += t) });
  recorder.record({ timeMs: T0 + 5 * S, state: 'idle' });
  recorder.record({ timeMs: T0 + 6 * S, state: 'idle' });
  recorder.record({ timeMs: T0 + 4 * S, state: 'muted' });
  assert.equal(text, 'time,state\n2025-01-15T12:00:05.000Z,idle\n2025-01-15T12:00:05.000Z,muted\n');
  assert.equal(parseMicTimeline(text, 'x.csv').stateAt((T0 + 5 * S) * 1000), 'muted', 'equal times: the later row wins');
});

test('the timeline file appends to an existing timeline and refuses a file that is not one', () => {
  const file = join(dir, 'mic.csv');
  openTimelineFile(file).record(readings[0]);
  openTimelineFile(file).record(readings[3]);
  assert.equal(readFileSync(file, 'utf8'), 'time,state\n2025-01-15T12:00:00.000Z,idle\n2025-01-15T12:00:40.000Z,muted\n');
  const other = join(dir, 'capture.csv');
  writeFileSync(other, 'date,length\n1,2\n');
  assert.throws(() => openTimelineFile(other), /capture\.csv: not a mic timeline \(header 'date,length'\); choose another file/);
});

test('the emitter passes on changes only and keeps times in order', () => {
  const seen: MicReading[] = [];
  const emitter = new MicStateEmitter((r) => seen.push(r));
  emitter.emit({ timeMs: 100, state: 'idle' });
  emitter.emit({ timeMs: 200, state: 'idle' });
  emitter.emit({ timeMs: 50, state: 'muted' });
  emitter.emit({ timeMs: 300, state: 'unknown', reason: 'a' });
  emitter.emit({ timeMs: 400, state: 'unknown', reason: 'a' });
  emitter.emit({ timeMs: 500, state: 'unknown', reason: 'b' });
  emitter.emit({ timeMs: 600, state: 'unknown' });
  assert.deepEqual(seen, [
    { timeMs: 100, state: 'idle' },
    { timeMs: 100, state: 'muted' },
    { timeMs: 300, state: 'unknown', reason: 'a' },
    { timeMs: 500, state: 'unknown', reason: 'b' },
    { timeMs: 600, state: 'unknown', reason: 'unspecified fault' },
  ]);
});

test('the live timeline answers the judge as a file timeline would, and forgets old changes', () => {
  const live = new LiveMicTimeline(60 * S);
  for (const r of readings) live.push(r);
  assert.equal(live.contextAt((T0 + 12 * S) * 1000, 30e6), 'listening');
  assert.equal(live.contextAt((T0 + 20 * S) * 1000, 30e6), 'grace');
  assert.equal(live.listeningBetween((T0 + 5 * S) * 1000, (T0 + 11 * S) * 1000), true);
  assert.equal(live.contextAt((T0 + 45 * S) * 1000, 30e6), 'muted');
  assert.equal(live.contextAt((T0 - S) * 1000, 30e6), 'unknown', 'before the first reading');
  live.push({ timeMs: T0 + 600 * S, state: 'idle' });
  assert.equal(live.length, 2, 'only the change before the window and the newest are kept');
  assert.equal(live.contextAt((T0 + 599 * S) * 1000, 30e6), 'muted', 'what held at the window start is still known');
});
