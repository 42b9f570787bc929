import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertEndEvent, AlertEvent, FlowTuple, JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { isoTime, Judge, NO_MIC_SENSOR, type JudgeOptions } from '../../appliance/src/judge/judge.js';
import type { MicState } from '../../appliance/src/mic/mic-state.js';
import { MicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { mulberry32 } from '../../appliance/src/synth/seeded-random.js';

/** 2022-01-15T12:57:32Z in microseconds. */
const T0 = 1_642_251_452_000_000;
const MS = 1_000;
const S = 1_000_000;

const flowTo = (dst = '198.51.100.20', srcPort = 40000, dstPort = 443): FlowTuple => ({ protocol: 'tcp', src: '192.0.2.10', srcPort, dst, dstPort });
const FLOW = flowTo();
const DST = '198.51.100.20:443';


interface Sent {
  timeUs: number;
  bytes: number;
  flow: FlowTuple;
}

/**
 * A spoken command: four 1400-byte frames 1 ms apart, then an 800-byte record every 25 ms from
 * +28 ms. It tips at the 8th paced record, +203 ms, with 12 packets and 12 000 bytes sent.
 */
function speech(startUs: number, seconds = 3, flow = FLOW): Sent[] {
  const sent: Sent[] = [0, 1, 2, 3].map((i) => ({ timeUs: startUs + i * MS, bytes: 1_400, flow }));
  for (let t = 28 * MS; t < seconds * S; t += 25 * MS) sent.push({ timeUs: startUs + t, bytes: 800, flow });
  return sent;
}
const TIP_US = 203 * MS;

/** Opus-like: 100-130-byte records every 20-32 ms. */
function opus(startUs: number, seconds: number, seed: number, flow = FLOW): Sent[] {
  const random = mulberry32(seed);
  const sent: Sent[] = [];
  for (let t = 0; t < seconds * S; t += 20 * MS + Math.floor(random() * 13 * MS)) sent.push({ timeUs: startUs + t, bytes: 100 + Math.floor(random() * 31), flow });
  return sent;
}

function run(options: JudgeOptions) {
  const events: JudgeEvent[] = [];
  const judge = new Judge(options, (event) => events.push(event));
  /** Uploads the packets in time order; returns the index of each packet after which events appeared. */
  const feed = (sent: Sent[]): number[] => {
    const at: number[] = [];
    for (const [i, p] of [...sent].sort((a, b) => a.timeUs - b.timeUs).entries()) {
      const before = events.length;
      judge.upload(p.timeUs, p.flow, p.bytes);
      if (events.length > before) at.push(i);
    }
    return at;
  };
  const alerts = () => events.filter((e): e is AlertEvent => e.type === 'alert');
  const ends = () => events.filter((e): e is AlertEndEvent => e.type === 'alert_end');
  return { judge, events, feed, alerts, ends };
}

const timeline = (...rows: [number, MicState][]) => new MicTimeline(rows.map(([timeUs, state]) => ({ timeUs, state })));
const always = (state: MicState) => timeline([T0 - 3_600 * S, state]);
const last = (sent: Sent[]) => sent[sent.length - 1];
const totalBytes = (sent: Sent[]) => sent.reduce((sum, p) => sum + p.bytes, 0);

test('a voice-like upload while muted raises one critical alert at the tipping packet', () => {
  const { feed, events, alerts, judge } = run({ mic: always('muted') });
  const sent = speech(T0);
  const at = feed(sent);
  assert.deepEqual(at, [11], 'the 12th packet tips it, and nothing else is emitted while it runs');
  assert.deepEqual(events, [
    {
      type: 'alert',
      id: `a1-${T0 / MS}`,
      severity: 'critical',
      time: '2022-01-15T12:57:32.203Z',
      start: '2022-01-15T12:57:32.000Z',
      mic: 'muted',
      dst: DST,
      bytes: 12_000,
      packets: 12,
      reason: 'uploaded 12 KB in 0.2 s to 198.51.100.20:443 while the microphone was muted',
      flow: FLOW,
    },
  ]);
  assert.equal(sent[11].timeUs, T0 + TIP_US);
  assert.deepEqual(judge.counts.latenciesUs, [TIP_US]);
});

test('alert_end follows when a later upload to another destination comes more than 2.5 s after', () => {
  const { feed, events, ends } = run({ mic: always('muted') });
  const sent = speech(T0);
  feed(sent);
  const end = last(sent).timeUs;
  feed([{ timeUs: end + 2_500_000, bytes: 41, flow: flowTo('203.0.113.5') }]);
  assert.equal(ends().length, 0, 'exactly 2.5 s of quiet: the episode goes on');
  feed([{ timeUs: end + 2_500_001, bytes: 41, flow: flowTo('203.0.113.5') }]);
  assert.deepEqual(ends(), [{ type: 'alert_end', id: `a1-${T0 / MS}`, end: isoTime(end), bytes: totalBytes(sent), packets: sent.length }]);
  const [alert] = events as [AlertEvent, AlertEndEvent];
  assert.ok(ends()[0].bytes >= alert.bytes && ends()[0].packets >= alert.packets);
  assert.deepEqual([totalBytes(sent), sent.length], [100_800, 123]);
});

test('alert_end follows on a tick more than 2.5 s after the last packet, and not at exactly 2.5 s', () => {
  const sent = speech(T0);
  const end = last(sent).timeUs;
  const exactly = run({ mic: always('muted') });
  exactly.feed(sent);
  exactly.judge.tick(end + 2_500_000);
  assert.equal(exactly.ends().length, 0);
  const after = run({ mic: always('muted') });
  after.feed(sent);
  after.judge.tick(end + 2_500_001);
  assert.deepEqual(after.ends(), [{ type: 'alert_end', id: `a1-${T0 / MS}`, end: isoTime(end), bytes: 100_800, packets: 123 }]);
  after.judge.tick(end + 10 * S);
  after.judge.finish();
  assert.equal(after.ends().length, 1, 'an episode ends once');
});

test('ticks closer than 250 ms to the previous one are skipped, delaying alert_end by at most 250 ms', () => {
  const { feed, judge, ends } = run({ mic: always('muted') });
  const sent = speech(T0);
  feed(sent);
  const end = last(sent).timeUs;
  judge.tick(end + 2_500_000);
  judge.tick(end + 2_600_000); // 100 ms after the previous tick: skipped
  assert.equal(ends().length, 0);
  judge.tick(end + 2_750_000);
  assert.equal(ends().length, 1);
});

test('finish ends an alerted episode at once, with its totals', () => {
  const { feed, judge, ends, alerts } = run({ mic: always('muted') });
  const sent = speech(T0, 1);
  feed(sent);
  judge.finish();
  assert.deepEqual(ends(), [{ type: 'alert_end', id: alerts()[0].id, end: isoTime(last(sent).timeUs), bytes: totalBytes(sent), packets: sent.length }]);
});

test('an upload to the same destination after more than 2.5 s ends the episode and starts a new one', () => {
  const { feed, judge, alerts, ends } = run({ mic: always('muted') });
  const first = speech(T0, 1);
  const second = speech(last(first).timeUs + 2_500_001, 1);
  feed([...first, ...second]);
  judge.finish();
  assert.deepEqual(alerts().map((a) => a.id), [`a1-${T0 / MS}`, `a2-${Math.floor(second[0].timeUs / MS)}`]);
  assert.deepEqual(ends().map((e) => [e.id, e.bytes]), [
    [`a1-${T0 / MS}`, totalBytes(first)],
    [`a2-${Math.floor(second[0].timeUs / MS)}`, totalBytes(second)],
  ]);
});

test('a pause of 0.5-2.5 s inside an alerted episode does not split it', () => {
  const { feed, judge, alerts, ends } = run({ mic: always('muted') });
  const first = speech(T0, 1);
  const second = speech(last(first).timeUs + 2_500_000, 1);
  feed([...first, ...second]);
  judge.finish();
  assert.equal(alerts().length, 1);
  assert.deepEqual(ends().map((e) => [e.bytes, e.packets]), [[totalBytes(first) + totalBytes(second), first.length + second.length]]);
});

test('a voice-like upload while idle is a warning', () => {
  const { feed, alerts } = run({ mic: always('idle') });
  feed(speech(T0));
  assert.deepEqual(alerts().map((a) => [a.severity, a.mic, a.reason]), [
    ['warning', 'idle', 'uploaded 12 KB in 0.2 s to 198.51.100.20:443 while the microphone was on but the Echo was not listening (no wake word)'],
  ]);
});

test('without a mic sensor a voice-like upload is a warning that says the sensor is missing', () => {
  for (const options of [{ mic: NO_MIC_SENSOR }, {}]) {
    const { feed, alerts, judge } = run(options);
    feed(speech(T0));
    assert.deepEqual(alerts().map((a) => [a.severity, a.mic]), [['warning', 'unknown']]);
    assert.match(alerts()[0].reason, /unknown \(no ring sensor or timeline/);
    assert.deepEqual([judge.counts.warning, judge.counts.critical], [1, 0]);
  }
});

test('an upload that starts before the timeline does is judged by the state at the tip', () => {
  const { feed, alerts } = run({ mic: timeline([T0 + 100 * MS, 'muted']) });
  feed(speech(T0));
  assert.deepEqual(alerts().map((a) => [a.severity, a.mic]), [['critical', 'muted']]);
});

test('listening at the start, at the tip, or in between makes the upload expected', () => {
  const cases: [string, MicTimeline][] = [
    ['at the start', timeline([T0 - 60 * S, 'idle'], [T0 - 1 * S, 'listening'], [T0 + 100 * MS, 'idle'])],
    ['at the tip', timeline([T0 - 60 * S, 'idle'], [T0 + 150 * MS, 'listening'])],
    ['in between', timeline([T0 - 60 * S, 'idle'], [T0 + 50 * MS, 'listening'], [T0 + 100 * MS, 'idle'])],
  ];
  for (const [when, mic] of cases) {
    const { feed, events, judge } = run({ mic, graceS: 0 });
    feed(speech(T0));
    judge.finish();
    assert.deepEqual(events, [], when);
    assert.deepEqual([judge.counts.voiceLikeEpisodes, judge.counts.expectedVoice, judge.counts.alerts], [1, 1, 0], when);
  }
});

test('the same listening span before the upload, with no grace, does not excuse it', () => {
  const mic = timeline([T0 - 60 * S, 'idle'], [T0 + 50 * MS, 'listening'], [T0 + 100 * MS, 'idle']);
  const { feed, alerts } = run({ mic, graceS: 0 });
  feed(speech(T0 + 150 * MS));
  assert.deepEqual(alerts().map((a) => a.severity), ['warning']);
});

test('within the grace period after listening an upload is expected, and 1 µs past it is a warning', () => {
  const mic = () => timeline([T0 - 60 * S, 'idle'], [T0 - 40 * S, 'listening'], [T0 - 30 * S, 'idle']);
  const inside = run({ mic: mic(), graceS: 30 });
  inside.feed(speech(T0));
  assert.deepEqual(inside.events, []);
  assert.equal(inside.judge.counts.expectedVoice, 1);
  const outside = run({ mic: mic(), graceS: 30 });
  outside.feed(speech(T0 + 1));
  assert.deepEqual(outside.alerts().map((a) => [a.severity, a.mic]), [['warning', 'idle']]);
});

test('the default grace period is 30 s', () => {
  const mic = () => timeline([T0 - 60 * S, 'idle'], [T0 - 40 * S, 'listening'], [T0 - 30 * S, 'idle']);
  const inside = run({ mic: mic() });
  inside.feed(speech(T0));
  assert.equal(inside.alerts().length, 0);
  const outside = run({ mic: mic() });
  outside.feed(speech(T0 + 1));
  assert.equal(outside.alerts().length, 1);
});

test('grace does not survive a mute: idle after listening then muted gets no grace', () => {
  const mic = timeline([T0 - 60 * S, 'idle'], [T0 - 20 * S, 'listening'], [T0 - 15 * S, 'muted'], [T0 - 10 * S, 'idle']);
  const { feed, alerts } = run({ mic, graceS: 30 });
  feed(speech(T0));
  assert.deepEqual(alerts().map((a) => [a.severity, a.mic]), [['warning', 'idle']]);
});

test('muted right after listening is critical: muting is not a grace state', () => {
  const mic = timeline([T0 - 10 * S, 'listening'], [T0 - 1 * S, 'muted']);
  const { feed, alerts } = run({ mic, graceS: 30 });
  feed(speech(T0));
  assert.deepEqual(alerts().map((a) => [a.severity, a.mic]), [['critical', 'muted']]);
});

test('heartbeats (a 41-byte record every 30 s) never alert, even while muted', () => {
  const { feed, judge, events } = run({ mic: always('muted') });
  const beats = Array.from({ length: 20 }, (_, i) => ({ timeUs: T0 + i * 30 * S, bytes: 41, flow: FLOW }));
  for (const beat of beats) {
    feed([beat]);
    judge.tick(beat.timeUs + 3 * S);
  }
  judge.finish();
  assert.deepEqual(events, []);
  assert.deepEqual([judge.counts.episodes, judge.counts.voiceLikeEpisodes, judge.counts.alerts], [20, 0, 0]);
  assert.deepEqual(judge.overallStats, { episodes: 20, largestBytes: 41, longestUs: 0 });
});

test('two destinations at once are separate episodes with separate alerts', () => {
  const { feed, judge, alerts, ends } = run({ mic: always('muted') });
  const a = speech(T0, 2, flowTo('198.51.100.20'));
  const b = speech(T0 + 7 * MS, 2, flowTo('203.0.113.5', 40002));
  feed([...a, ...b]);
  judge.finish();
  assert.deepEqual(alerts().map((x) => [x.id, x.dst, x.bytes, x.time]), [
    [`a1-${T0 / MS}`, '198.51.100.20:443', 12_000, isoTime(T0 + TIP_US)],
    [`a2-${T0 / MS + 7}`, '203.0.113.5:443', 12_000, isoTime(T0 + 7 * MS + TIP_US)],
  ]);
  assert.deepEqual(ends().map((e) => [e.id, e.bytes]).sort(), [
    [`a1-${T0 / MS}`, totalBytes(a)],
    [`a2-${T0 / MS + 7}`, totalBytes(b)],
  ]);
  assert.deepEqual([judge.counts.episodes, judge.overallStats.episodes], [2, 1]);
});

test('a stray record more than 100 ms before an upload does not become its start', () => {
  const { feed, judge, alerts } = run({ mic: always('muted') });
  feed([{ timeUs: T0 - 700 * MS, bytes: 200, flow: FLOW }, ...speech(T0)]);
  assert.deepEqual(alerts().map((a) => [a.start, a.time, a.bytes, a.packets]), [[isoTime(T0), isoTime(T0 + TIP_US), 12_000, 12]]);
  assert.deepEqual(judge.counts.latenciesUs, [TIP_US]);
  assert.equal(judge.counts.episodes, 2, 'the stray record was an episode of its own');
});

test('a record exactly 100 ms before an upload stays its start, and latency stays under 1 s', () => {
  const { feed, judge, alerts } = run({ mic: always('muted') });
  feed([{ timeUs: T0 - 100 * MS, bytes: 200, flow: FLOW }, ...speech(T0)]);
  // The 100 ms gap is itself speech-paced, so the episode tips one record earlier.
  assert.deepEqual(alerts().map((a) => [a.start, a.bytes]), [[isoTime(T0 - 100 * MS), 11_400]]);
  assert.deepEqual(judge.counts.latenciesUs, [100 * MS + TIP_US - 25 * MS]);
});

test('chatter every 400 ms before speech does not become the upload\'s start', () => {
  const { feed, judge, alerts } = run({ mic: always('muted') });
  const chatter = Array.from({ length: 25 }, (_, i) => ({ timeUs: T0 - 10 * S + i * 400 * MS, bytes: 30, flow: FLOW }));
  feed([...chatter, ...speech(T0)]);
  assert.deepEqual(alerts().map((a) => a.start), [isoTime(T0)]);
  assert.deepEqual(judge.counts.latenciesUs, [TIP_US]);
});

test('chatter since an earlier listening span does not excuse speech sent entirely while muted', () => {
  const mic = timeline([T0 - 10 * S, 'listening'], [T0 - 5 * S, 'muted']);
  const { feed, judge, alerts } = run({ mic });
  const chatter = Array.from({ length: 25 }, (_, i) => ({ timeUs: T0 - 10 * S + i * 400 * MS, bytes: 30, flow: FLOW }));
  feed([...chatter, ...speech(T0)]);
  judge.finish();
  assert.deepEqual(alerts().map((a) => [a.severity, a.mic, a.start]), [['critical', 'muted', isoTime(T0)]]);
  assert.equal(judge.counts.expectedVoice, 0);
});

test('an expected upload that goes on for a second after the mute button is pressed becomes critical', () => {
  const mic = timeline([T0 - 1 * S, 'listening'], [T0 + 1 * S, 'muted']);
  const { feed, judge, alerts } = run({ mic });
  feed(speech(T0, 10));
  judge.finish();
  const raised = alerts();
  assert.deepEqual(raised.map((a) => [a.severity, a.mic, a.start]), [['critical', 'muted', isoTime(T0)]]);
  assert.match(raised[0].reason, /to 198\.51\.100\.20:443 and kept uploading after the microphone was muted$/);
  const time = Date.parse(raised[0].time) * 1000;
  assert.ok(time >= T0 + 2 * S && time < T0 + 2 * S + 50 * MS, `raised at ${raised[0].time}, a second into the mute`);
  assert.deepEqual([judge.counts.voiceLikeEpisodes, judge.counts.expectedVoice, judge.counts.alerts], [1, 1, 1]);
});

test('an expected upload that ends when the mute button is pressed stays expected', () => {
  const mic = timeline([T0 - 1 * S, 'listening'], [T0 + 1 * S, 'muted']);
  const { feed, judge, events } = run({ mic });
  feed(speech(T0, 1));
  judge.finish();
  assert.deepEqual(events, []);
});

test('downloads on the same destination keep an upload from looking like speech', () => {
  const { feed, judge, events } = run({ mic: always('muted') });
  for (const p of opus(T0, 5, 3)) {
    judge.download(p.timeUs - 1 * MS, '198.51.100.20', 443, 10_000); // the first one precedes the episode and is not counted
    feed([p]);
  }
  judge.finish();
  assert.deepEqual(events, []);
  assert.equal(judge.counts.voiceLikeEpisodes, 0);
});

test('downloads from another destination or port do not suppress the alert', () => {
  for (const [ip, port] of [['203.0.113.5', 443], ['198.51.100.20', 8443]] as const) {
    const { feed, judge, alerts } = run({ mic: always('muted') });
    for (const p of opus(T0, 2, 3)) {
      judge.download(p.timeUs + 1 * MS, ip, port, 10_000);
      feed([p]);
    }
    assert.deepEqual(alerts().map((a) => a.severity), ['critical'], `${ip}:${port}`);
  }
});

test('LPCM-like and Opus-like uploads alert within 1 s of their start', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const { feed, alerts } = run({ mic: always('muted') });
    const sent = seed % 2 ? opus(T0, 3, seed) : speech(T0 + seed * 37, 3);
    feed(sent);
    const [alert] = alerts();
    assert.ok(alert, `seed ${seed}: an alert`);
    const latencyMs = Date.parse(alert.time) - Date.parse(alert.start);
    assert.ok(latencyMs >= 150 && latencyMs <= 1_000, `seed ${seed}: ${latencyMs} ms`);
    assert.ok(sent.some((p) => isoTime(p.timeUs) === alert.time), `seed ${seed}: time is a packet's time`);
  }
});

test('counts and overall stats add up over a mixed capture', () => {
  const mic = timeline([T0 - 1 * S, 'muted'], [T0 + 10 * S, 'idle'], [T0 + 20 * S, 'listening'], [T0 + 25 * S, 'idle']);
  const { feed, judge, alerts } = run({ mic });
  feed([...speech(T0, 2), ...speech(T0 + 10 * S, 1), ...speech(T0 + 20 * S, 4), { timeUs: T0 + 40 * S, bytes: 41, flow: FLOW }]);
  judge.finish();
  assert.deepEqual(alerts().map((a) => a.severity), ['critical', 'warning']);
  assert.deepEqual(judge.counts, { episodes: 4, voiceLikeEpisodes: 3, expectedVoice: 1, alerts: 2, critical: 1, warning: 1, latenciesUs: [TIP_US, TIP_US] });
  const longest = speech(0, 4);
  assert.deepEqual(judge.overallStats, { episodes: 4, largestBytes: totalBytes(longest), longestUs: last(longest).timeUs });
});

test('overall stats are only updated when an overall episode closes', () => {
  const { feed, judge } = run({});
  feed(speech(T0, 1));
  assert.deepEqual(judge.overallStats, { episodes: 1, largestBytes: 0, longestUs: 0 });
  judge.tick(T0 + 10 * S);
  assert.deepEqual(judge.overallStats, { episodes: 1, largestBytes: totalBytes(speech(T0, 1)), longestUs: 978 * MS });
});

test('alert ids are a<N>-<start in ms>, numbered in order and unique', () => {
  const { feed, alerts } = run({ mic: always('muted') });
  const starts = [T0 + 123_456_789, T0 + 200 * S + 999, T0 + 400 * S + 1];
  for (const start of starts) feed(speech(start, 1));
  assert.deepEqual(alerts().map((a) => a.id), [`a1-${(T0 + 123_456_000) / MS}`, `a2-${(T0 + 200 * S) / MS}`, `a3-${(T0 + 400 * S) / MS}`]);
  for (const a of alerts()) assert.match(a.id, /^a\d+-\d{13}$/);
  assert.equal(new Set(alerts().map((a) => a.id)).size, 3);
});

test('the alert flow is the flow that carried most bytes, not the one that tipped it', () => {
  const paced = flowTo('198.51.100.20', 40000);
  const bulk = flowTo('198.51.100.20', 40001);
  const burst = [0, 1, 2].map((i) => ({ timeUs: T0 + i * MS, bytes: 1_400, flow: bulk }));
  const records = Array.from({ length: 40 }, (_, i) => ({ timeUs: T0 + 27 * MS + i * 25 * MS, bytes: 120, flow: paced }));
  const { feed, alerts } = run({ mic: always('muted') });
  feed([...burst, ...records]);
  assert.deepEqual(alerts().map((a) => [a.flow, a.dst, a.bytes]), [[bulk, DST, 4_200 + 8 * 120]]);
  const second = run({ mic: always('muted') });
  second.feed([{ timeUs: T0, bytes: 200, flow: bulk }, ...records]);
  // 1500 bytes are reached at the 11th record: 200 B on one flow against 11 × 120 B on the other
  assert.deepEqual(second.alerts().map((a) => [a.flow, a.bytes, a.packets]), [[paced, 1_520, 12]]);
});
