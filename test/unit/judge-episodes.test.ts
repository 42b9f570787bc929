import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from '../../appliance/src/judge/judge.js';
import { EPISODE_GAP_US } from '../../appliance/src/judge/upload-thresholds.js';
import { always, burst, flowTo, last, latencyMs, MS, paced, runJudge, S, T0, timeline, totalBytes } from '../support/judge-harness.js';

const OTHER = flowTo('203.0.113.50', 40002);

test('a burst on one connection that goes on paced on another is one episode, timed from the burst', () => {
  // The Echo's pre-roll: 20 KB at once, then 2.5 s later 640 B every 20 ms on another connection.
  const sent = [...burst(T0, 20_000), ...paced(T0 + 2_500 * MS, 3, 20, 640, OTHER)];
  const { feed, alerts, ends, judge } = runJudge({ mic: always('muted') });
  feed(sent);
  judge.finish();
  assert.equal(alerts().length, 1);
  const [alert] = alerts();
  assert.equal(alert.start, isoTime(T0));
  assert.ok(latencyMs(alert) <= 1, `the burst alone is a second of PCM: ${latencyMs(alert)} ms`);
  assert.deepEqual(ends().map((e) => e.bytes), [totalBytes(sent)], 'alert_end totals both connections');
});

test('a paced upload that spreads over two connections counts their bytes together', () => {
  // 1 KB/s on each of two connections: neither alone is audio-rate over 250 ms slots, together they are.
  const alone = runJudge({ mic: always('muted') });
  alone.feed(paced(T0, 2, 100, 100));
  alone.judge.finish();
  assert.deepEqual(alone.alerts(), []);
  const both = runJudge({ mic: always('muted') });
  both.feed([...paced(T0, 2, 100, 100), ...paced(T0 + 50 * MS, 2, 100, 100, OTHER)]);
  const [alert] = both.alerts();
  assert.equal(alert?.severity, 'critical');
  assert.equal(alert.flows.length, 2);
  assert.match(alert.reason, / and 1 other connection while the microphone was muted$/);
});

test('alert_end follows once the device has been quiet longer than the gap, on a tick or the next packet', () => {
  const sent = paced(T0, 2, 20, 640);
  const end = last(sent).timeUs;
  const exactly = runJudge({ mic: always('idle') });
  exactly.feed(sent);
  exactly.judge.tick(end + EPISODE_GAP_US);
  assert.equal(exactly.ends().length, 0);
  const after = runJudge({ mic: always('idle') });
  after.feed(sent);
  after.judge.tick(end + EPISODE_GAP_US + 1);
  assert.deepEqual(after.ends(), [{ type: 'alert_end', id: after.alerts()[0].id, end: isoTime(end), bytes: totalBytes(sent), packets: sent.length }]);
  after.judge.finish();
  assert.equal(after.ends().length, 1, 'an episode ends once');
});

test('while the ring stays muted a pause inside an upload does not restart it', () => {
  const sent = [...paced(T0, 2, 20, 640), ...paced(T0 + 8 * S, 2, 20, 640)];
  const muted = runJudge({ mic: always('muted') });
  muted.feed(sent);
  muted.judge.finish();
  assert.equal(muted.alerts().length, 1, '6 s of silence inside one muted upload');
  const idle = runJudge({ mic: always('idle') });
  idle.feed(sent);
  idle.judge.finish();
  assert.equal(idle.alerts().length, 2, 'idle, the same pause ends the episode');
});

test('a spell of another ring state inside the pause ends a muted upload: the next one gets its own alert', () => {
  const sent = [...paced(T0, 2, 20, 640), ...paced(T0 + 8 * S, 2, 20, 640)];
  // Muted, unmuted for a second and a half (idle, no request), muted again before the second upload.
  const mic = timeline([T0 - 60 * S, 'muted'], [T0 + 4 * S, 'idle'], [T0 + 5_500 * MS, 'muted']);
  const { feed, judge, alerts } = runJudge({ mic, graceS: 0 });
  feed(sent);
  judge.finish();
  assert.deepEqual(alerts().map((a) => [a.severity, a.start]), [
    ['critical', isoTime(T0)],
    ['critical', isoTime(T0 + 8 * S)],
  ]);
});

test('a stray record before the upload does not become its start', () => {
  const stray = { timeUs: T0 - 2 * S, bytes: 300, flow: OTHER };
  const { feed, alerts, judge } = runJudge({ mic: always('muted') });
  feed([stray, ...paced(T0, 2, 20, 640)]);
  assert.equal(alerts()[0].start, isoTime(T0));
  assert.equal(judge.counts.episodes, 2);
});

test('ticks closer than 250 ms to the previous one are skipped, delaying alert_end by at most 250 ms', () => {
  const { feed, judge, ends } = runJudge({ mic: always('idle') });
  const sent = paced(T0, 2, 20, 640);
  feed(sent);
  const end = last(sent).timeUs;
  judge.tick(end + EPISODE_GAP_US);
  judge.tick(end + EPISODE_GAP_US + 100 * MS);
  assert.equal(ends().length, 0);
  judge.tick(end + EPISODE_GAP_US + 250 * MS);
  assert.equal(ends().length, 1);
});

test('without a ring sensor an audio upload is a warning that says the state is unknown', () => {
  const { feed, alerts } = runJudge({});
  feed(paced(T0, 2, 20, 640));
  assert.deepEqual(alerts().map((a) => [a.severity, a.mic]), [['warning', 'unknown']]);
});

test('listening at the start, at the tip, or in between makes the upload expected', () => {
  const cases = [
    ['at the start', timeline([T0 - 60 * S, 'idle'], [T0 - 1 * S, 'listening'], [T0 + 100 * MS, 'idle'])],
    ['at the tip', timeline([T0 - 60 * S, 'idle'], [T0 + 400 * MS, 'listening'])],
    ['in between', timeline([T0 - 60 * S, 'idle'], [T0 + 50 * MS, 'listening'], [T0 + 100 * MS, 'idle'])],
  ] as const;
  for (const [when, mic] of cases) {
    const { feed, events, judge } = runJudge({ mic, graceS: 0 });
    feed(paced(T0, 2, 20, 640));
    judge.finish();
    assert.deepEqual(events, [], when);
    assert.deepEqual([judge.counts.audioLikeEpisodes, judge.counts.expectedAudio], [1, 1], when);
  }
});

test('within the grace period after listening an upload is expected, and 1 µs past it is a warning', () => {
  const mic = () => timeline([T0 - 60 * S, 'idle'], [T0 - 40 * S, 'listening'], [T0 - 30 * S, 'idle']);
  // Within grace at the start, but the tip is past it: the start decides.
  const inside = runJudge({ mic: mic(), graceS: 30 });
  inside.feed(paced(T0, 2, 20, 640));
  assert.deepEqual(inside.events, []);
  const outside = runJudge({ mic: mic(), graceS: 30 });
  outside.feed(paced(T0 + 1, 2, 20, 640));
  assert.deepEqual(outside.alerts().map((a) => [a.severity, a.mic]), [['warning', 'idle']]);
});

test('an expected upload that goes on a second after the ring turned red is critical', () => {
  const mic = timeline([T0 - 60 * S, 'listening'], [T0 + 2 * S, 'muted']);
  const { feed, alerts } = runJudge({ mic, graceS: 0 });
  const sent = paced(T0, 5, 20, 200); // 10 KB/s
  feed(sent);
  const [alert] = alerts();
  assert.equal(alert?.evidence.rule, 'continued-after-mute');
  assert.equal(alert.severity, 'critical');
  // Muted for 1 s from +2 s, then 1.5 KB (8 records of 200 B) more: +3.14 s.
  assert.equal(Date.parse(alert.time) * 1000, T0 + 3_140 * MS);
  assert.match(alert.reason, /kept uploading after the microphone was muted$/);
});

test('a muted upload above background that stops before its decision time is still reported when it ends', () => {
  const { feed, alerts, judge } = runJudge({ mic: always('muted') });
  feed(burst(T0, 10_000));
  judge.download(T0 + 10 * MS, 400_000); // a download raises the audio bar: 18 KB in a second is not audio then
  feed(burst(T0 + 400 * MS, 8_000));
  assert.deepEqual(alerts(), [], 'under 2 s old, it may still turn out to be audio');
  judge.finish();
  assert.deepEqual(alerts().map((a) => [a.severity, a.evidence.rule, a.bytes]), [['warning', 'above-background', 18_000]]);
});
