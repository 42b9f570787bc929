import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MicContext, MicState } from '../../appliance/src/mic/mic-state.js';
import { MicTimeline, MicTimelineError, parseMicTimeline, parseTimestampUs, type MicChange } from '../../appliance/src/mic/mic-timeline.js';
import { mulberry32 } from '../../sim/src/seeded-random.js';

/** 2022-01-15T12:57:32Z in microseconds. */
const BASE = 1_642_251_452_000_000;
const S = 1_000_000;


/** Asserts that parsing throws a MicTimelineError with exactly this message and these fields. */
function assertParseError(text: string, message: string, line: number, field: string): void {
  assert.throws(
    () => parseMicTimeline(text, 'mic.csv'),
    (err: unknown) => {
      assert.ok(err instanceof MicTimelineError, 'a MicTimelineError');
      assert.equal(err.message, message);
      assert.deepEqual([err.file, err.line, err.field, err.name], ['mic.csv', line, field, 'MicTimelineError']);
      return true;
    },
  );
}

test('ISO-8601 timestamps with Z parse to microseconds', () => {
  assert.equal(parseTimestampUs('2022-01-15T12:57:32Z'), BASE);
  assert.equal(parseTimestampUs('2022-01-15 12:57:32Z'), BASE, 'space instead of T');
  assert.equal(parseTimestampUs('2022-01-15T12:57Z'), BASE - 32 * S, 'no seconds');
});

test('ISO-8601 timestamps with an offset are converted to UTC', () => {
  assert.equal(parseTimestampUs('2022-01-15T13:57:32+01:00'), BASE);
  assert.equal(parseTimestampUs('2022-01-15T13:57:32+0100'), BASE);
  assert.equal(parseTimestampUs('2022-01-15T07:57:32-05:00'), BASE);
  assert.equal(parseTimestampUs('2022-01-15T12:57:32+00:00'), BASE);
});

test('fractions keep microseconds, whatever their number of digits', () => {
  assert.equal(parseTimestampUs('2022-01-15T12:57:32.384759Z'), BASE + 384_759);
  assert.equal(parseTimestampUs('2022-01-15T12:57:32.384999Z'), BASE + 384_999, 'not rounded to the millisecond');
  assert.equal(parseTimestampUs('2022-01-15T13:57:32.000001+01:00'), BASE + 1);
  assert.equal(parseTimestampUs('2022-01-15T12:57:32.5Z'), BASE + 500_000);
  assert.equal(parseTimestampUs('2022-01-15T12:57:32.3847Z'), BASE + 384_700);
  assert.equal(parseTimestampUs('2022-01-15T12:57:32.123456789Z'), BASE + 123_456, 'nanoseconds are truncated');
});

test('epoch milliseconds parse, with an optional fraction', () => {
  assert.equal(parseTimestampUs('1642251452384'), BASE + 384_000);
  assert.equal(parseTimestampUs('1642251452384.759'), BASE + 384_759);
  assert.equal(parseTimestampUs('1642251452000.5'), BASE + 500);
});

test('timestamps without a zone, out of range or not timestamps at all are rejected', () => {
  for (const text of ['2022-01-15T12:57:32', '2022-01-15', 'yesterday', '', '2022-13-45T12:00:00Z', '164225145', '1642251452384ms', '-1642251452384', '2022-01-15T25:00:00Z']) {
    assert.equal(parseTimestampUs(text), undefined, JSON.stringify(text));
  }
});

test('a timeline file parses rows of time and state, tolerating CRLF, a BOM, comments and blank lines', () => {
  const text = '\uFEFFtime,state\r\n# sensor log\r\n\r\n2022-01-15T12:57:32Z, idle \r\n  # comment\r\n1642251462000,listening\r\n\r\n2022-01-15T12:57:50.000001Z,muted\r\n';
  const timeline = parseMicTimeline(text, 'mic.csv');
  assert.equal(timeline.length, 3);
  assert.deepEqual(
    [BASE, BASE + 10 * S, BASE + 18 * S + 1].map((t) => timeline.stateAt(t)),
    ['idle', 'listening', 'muted'],
  );
  assert.equal(timeline.stateAt(BASE + 18 * S), 'listening', 'one microsecond before the mute');
});

test('a file without the time,state header is rejected on line 1', () => {
  assertParseError('timestamp,mic\n2022-01-15T12:57:32Z,idle\n', 'mic.csv: line 1: header: expected "time,state" (got "timestamp,mic")', 1, 'header');
  assertParseError('', 'mic.csv: line 1: header: expected "time,state" (got "")', 1, 'header');
  assertParseError('2022-01-15T12:57:32Z,idle\n', 'mic.csv: line 1: header: expected "time,state" (got "2022-01-15T12:57:32Z,idle")', 1, 'header');
});

test('an unknown state names the file, the line and the field', () => {
  assertParseError(
    'time,state\n2022-01-15T12:57:32Z,idle\n2022-01-15T12:57:33Z,loud\n',
    "mic.csv: line 3: state: expected muted, idle, listening or unknown (got 'loud')",
    3,
    'state',
  );
  assertParseError('time,state\n2022-01-15T12:57:32Z,Muted\n', "mic.csv: line 2: state: expected muted, idle, listening or unknown (got 'Muted')", 2, 'state');
});

test('a bad time names the file, the line and the field', () => {
  assertParseError('time,state\n\n# c\nnoon,idle\n', "mic.csv: line 4: time: expected ISO-8601 UTC or epoch milliseconds (got 'noon')", 4, 'time');
});

test('a row with the wrong number of fields is rejected', () => {
  assertParseError('time,state\n2022-01-15T12:57:32Z,idle,extra\n', 'mic.csv: line 2: row: expected 2 fields, got 3', 2, 'row');
  assertParseError('time,state\n2022-01-15T12:57:32Z\n', 'mic.csv: line 2: row: expected 2 fields, got 1', 2, 'row');
});

test('rows out of time order are rejected; equal times are allowed and the later row wins', () => {
  assertParseError(
    'time,state\n2022-01-15T12:57:32Z,idle\n2022-01-15T12:57:31.999999Z,muted\n',
    'mic.csv: line 3: time: earlier than the row before it; rows must be in time order',
    3,
    'time',
  );
  const timeline = parseMicTimeline('time,state\n2022-01-15T12:57:32Z,idle\n2022-01-15T13:57:32+01:00,muted\n', 'mic.csv');
  assert.equal(timeline.stateAt(BASE), 'muted');
});

test('stateAt is unknown before the first row and holds each state until the next row', () => {
  const timeline = new MicTimeline([
    { timeUs: BASE, state: 'idle' },
    { timeUs: BASE + 10 * S, state: 'muted' },
  ]);
  assert.deepEqual(
    [BASE - 1, BASE, BASE + 10 * S - 1, BASE + 10 * S, BASE + 1e6 * S].map((t) => timeline.stateAt(t)),
    ['unknown', 'idle', 'idle', 'muted', 'muted'],
  );
  assert.equal(new MicTimeline([]).stateAt(BASE), 'unknown');
  assert.equal(new MicTimeline([]).contextAt(BASE, 30 * S), 'unknown');
});

test('contextAt turns idle into grace within the grace period after listening ends', () => {
  const timeline = new MicTimeline([
    { timeUs: BASE, state: 'idle' },
    { timeUs: BASE + 10 * S, state: 'listening' },
    { timeUs: BASE + 20 * S, state: 'idle' },
  ]);
  const grace = 30 * S;
  assert.deepEqual(
    [BASE - 1, BASE + 5 * S, BASE + 15 * S, BASE + 20 * S, BASE + 49 * S, BASE + 50 * S, BASE + 50 * S + 1, BASE + 500 * S].map((t) =>
      timeline.contextAt(t, grace),
    ),
    ['unknown', 'idle', 'listening', 'grace', 'grace', 'grace', 'idle', 'idle'],
  );
  assert.equal(timeline.contextAt(BASE + 25 * S, 0), 'idle', 'no grace period');
});

test('muted right after listening stays muted, and unknown after listening becomes grace', () => {
  const timeline = new MicTimeline([
    { timeUs: BASE, state: 'listening' },
    { timeUs: BASE + 5 * S, state: 'muted' },
    { timeUs: BASE + 100 * S, state: 'listening' },
    { timeUs: BASE + 110 * S, state: 'unknown' },
  ]);
  assert.equal(timeline.contextAt(BASE + 5 * S, 30 * S), 'muted');
  assert.equal(timeline.contextAt(BASE + 6 * S, 30 * S), 'muted');
  assert.equal(timeline.contextAt(BASE + 111 * S, 30 * S), 'grace');
  assert.equal(timeline.contextAt(BASE + 141 * S, 30 * S), 'unknown');
});

test('idle with no listening before it is never grace', () => {
  const timeline = new MicTimeline([
    { timeUs: BASE, state: 'muted' },
    { timeUs: BASE + S, state: 'idle' },
  ]);
  assert.equal(timeline.contextAt(BASE + 2 * S, 1e12), 'idle');
});

/** Brute-force reference: scan every row. */
function reference(changes: MicChange[], timeUs: number, graceUs: number): { state: MicState; context: MicContext } {
  let index = -1;
  for (let i = 0; i < changes.length; i++) if (changes[i].timeUs <= timeUs) index = i;
  if (index < 0) return { state: 'unknown', context: 'unknown' };
  const state = changes[index].state;
  let ended = -Infinity;
  for (let j = 1; j <= index; j++) {
    if (changes[j - 1].state === 'listening') ended = changes[j].timeUs;
    else if (changes[j - 1].state === 'muted') ended = -Infinity; // mute ends the interaction
  }
  const context: MicContext = (state === 'idle' || state === 'unknown') && timeUs - ended <= graceUs ? 'grace' : state;
  return { state, context };
}

function randomChanges(random: () => number, n: number): MicChange[] {
  const states: MicState[] = ['muted', 'idle', 'listening', 'unknown'];
  const changes: MicChange[] = [];
  let t = BASE;
  for (let i = 0; i < n; i++) {
    t += random() < 0.1 ? 0 : Math.floor(random() * 20 * S); // some rows share a time
    changes.push({ timeUs: t, state: states[Math.floor(random() * states.length)] });
  }
  return changes;
}

test('random jumping queries agree with a brute-force reference', () => {
  const random = mulberry32(0x51c);
  for (let round = 0; round < 20; round++) {
    const changes = randomChanges(random, 1 + Math.floor(random() * 60));
    const timeline = new MicTimeline(changes);
    const last = changes[changes.length - 1].timeUs;
    for (let q = 0; q < 300; q++) {
      // Mostly random times, sometimes exactly a row's time or one microsecond either side of it.
      const row = changes[Math.floor(random() * changes.length)].timeUs;
      const pick = random();
      const t = pick < 0.6 ? BASE - 10 * S + Math.floor(random() * (last - BASE + 40 * S)) : pick < 0.8 ? row : row + (random() < 0.5 ? -1 : 1);
      const graceUs = Math.floor(random() * 30 * S);
      const expected = reference(changes, t, graceUs);
      assert.equal(timeline.stateAt(t), expected.state, `round ${round} query ${q}: stateAt(${t})`);
      assert.equal(timeline.contextAt(t, graceUs), expected.context, `round ${round} query ${q}: contextAt(${t}, ${graceUs})`);
    }
  }
});

test('monotonic queries (the cursor path) give the same answers as jumping queries', () => {
  const random = mulberry32(0xcafe);
  for (let round = 0; round < 10; round++) {
    const changes = randomChanges(random, 2 + Math.floor(random() * 40));
    const times: number[] = [];
    const last = changes[changes.length - 1].timeUs;
    for (let t = BASE - 5 * S; t <= last + 5 * S; t += 1 + Math.floor(random() * 3 * S)) times.push(t);
    for (const c of changes) times.push(c.timeUs, c.timeUs - 1);
    times.sort((a, b) => a - b);
    const monotonic = new MicTimeline(changes);
    const forward = times.map((t) => monotonic.contextAt(t, 10 * S));
    const jumping = new MicTimeline(changes);
    const order = times.map((_, i) => i).sort(() => random() - 0.5);
    const shuffled: MicContext[] = new Array(times.length);
    for (const i of order) shuffled[i] = jumping.contextAt(times[i], 10 * S);
    assert.deepEqual(forward, shuffled, `round ${round}`);
    assert.deepEqual(
      forward,
      times.map((t) => reference(changes, t, 10 * S).context),
      `round ${round} against the reference`,
    );
  }
});

test('mutedThroughout is true only when every moment of the span was muted', () => {
  const timeline = new MicTimeline([
    { timeUs: BASE, state: 'muted' },
    { timeUs: BASE + 10, state: 'idle' },
    { timeUs: BASE + 20, state: 'muted' },
  ]);
  assert.equal(timeline.mutedThroughout(BASE, BASE + 9), true);
  assert.equal(timeline.mutedThroughout(BASE + 5, BASE + 25), false, 'an idle spell in between');
  assert.equal(timeline.mutedThroughout(BASE + 20, BASE + 1_000), true);
  assert.equal(timeline.mutedThroughout(BASE - 5, BASE + 5), false, 'before the timeline the state is unknown');
});
