import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../sim/src/seeded-random.js';
import { always, burst, FLOW, flowTo, latencyMs, MS, paced, runJudge, S, T0, type Sent } from '../support/judge-harness.js';

/** Opus-like: 100-130-byte records every 20-32 ms (about 4 KB/s). */
function opus(startUs: number, seconds: number, seed: number, flow = FLOW): Sent[] {
  const random = mulberry32(seed);
  const sent: Sent[] = [];
  for (let t = 0; t < seconds * S; t += 20 * MS + Math.floor(random() * 13 * MS)) sent.push({ timeUs: startUs + t, bytes: 100 + Math.floor(random() * 31), flow });
  return sent;
}

const UDP = flowTo('203.0.113.7', 50000, 3478, 'udp');

/**
 * Framings of an audio upload: none of them may slip past while muted. [name, packets, latency
 * bound in ms, whether the episode starts at the first packet]
 */
const FRAMINGS: [string, Sent[], number, boolean?][] = [
  ['16 kHz PCM: 640 B every 20 ms', paced(T0, 3, 20, 640), 1_000],
  ['Opus: 100-130 B every 20-32 ms', opus(T0, 3, 7), 1_000],
  ['the slowest speech codec: 40 B every 25 ms (1.6 KB/s)', paced(T0, 3, 25, 40), 1_000],
  ['4 KB records every 128 ms', paced(T0, 3, 128, 4_096), 1_000],
  ['16 KB in one burst per second', [0, 1, 2].flatMap((s) => burst(T0 + s * S, 16_384)), 1_000],
  ['a 200 KB bulk upload', burst(T0, 200_000), 1_000],
  ['UDP: 160 B every 20 ms (RTP-like)', paced(T0, 3, 20, 160, UDP), 1_000],
  ['UDP: 320 B every 20 ms', paced(T0, 3, 20, 320, UDP), 1_000],
  // One chunk a second at over twice the audio rate: the second chunk, one period after the first.
  // The first chunk alone is telemetry-sized, so the episode it began ended silently: the
  // alert's episode starts at the second chunk, which is what decides.
  ['4 KB chunks once a second (curl --limit-rate 4k)', paced(T0, 4, 1_000, 4_096), 1_000, false],
  ['15 KB chunks every 2 s', paced(T0, 8, 2_000, 15_000), 2_000],
  // At the lowest audio rate, two chunks look like telemetry and chatter; the third is audio.
  ['2 KB chunks once a second', paced(T0, 4, 1_000, 2_000), 2_000],
  ['9 KB chunks every 4 s', paced(T0, 16, 4_000, 9_000), 12_000],
];

test('every framing of an audio upload while muted is critical within 1 s of its first packet, chunks under a second of PCM soon after', () => {
  for (const [name, sent, boundMs, startsAtFirst = boundMs <= 1_000] of FRAMINGS) {
    const { feed, alerts, judge } = runJudge({ mic: always('muted') });
    feed(sent);
    judge.finish();
    const first = alerts().find((a) => a.severity === 'critical');
    assert.ok(first, `${name}: no critical alert`);
    // Chunks under the background each start afresh (the windows still see them whole), so
    // their alert is timed from the capture's start instead.
    const fromFirstPacketMs = Date.parse(first.time) - T0 / 1000;
    if (startsAtFirst) assert.equal(first.start, new Date(T0 / 1000).toISOString(), `${name}: the episode starts at the first packet`);
    assert.ok(fromFirstPacketMs <= boundMs, `${name}: ${fromFirstPacketMs} ms`);
    if (boundMs <= 1_000) {
      assert.ok(['volume', 'sustained'].includes(first.evidence.rule), `${name}: ${first.evidence.rule}`);
      assert.equal(alerts().length, 1, `${name}: one alert per upload`);
    }
  }
});

test('the same framings are a warning while idle and expected while listening', () => {
  for (const [name, sent] of FRAMINGS) {
    const idle = runJudge({ mic: always('idle') });
    idle.feed(sent);
    assert.deepEqual(idle.alerts().map((a) => [a.severity, a.mic]).slice(0, 1), [['warning', 'idle']], name);
    const listening = runJudge({ mic: always('listening') });
    listening.feed(sent);
    listening.judge.finish();
    assert.deepEqual(listening.events, [], name);
    assert.ok(listening.judge.counts.expectedAudio >= 1, name);
  }
});

test('a PCM-rate upload alerts at the packet that makes a second of PCM, with the evidence', () => {
  const { feed, events } = runJudge({ mic: always('muted') });
  const sent = paced(T0, 3, 20, 640);
  const at = feed(sent);
  // 16 000 B is 25 records of 640 B: the 25th, at +480 ms, tips it.
  assert.deepEqual(at, [24]);
  assert.deepEqual(events[0], {
    type: 'alert',
    id: `a1-${T0 / MS}`,
    severity: 'critical',
    time: '2022-01-15T12:57:32.480Z',
    start: '2022-01-15T12:57:32.000Z',
    mic: 'muted',
    dst: '198.51.100.20:443',
    bytes: 16_000,
    packets: 25,
    reason: 'uploaded 16 KB in 0.5 s to 198.51.100.20:443 while the microphone was muted',
    flow: FLOW,
    flows: [FLOW],
    evidence: { rule: 'volume', peak_bytes_per_s: 16_000, mean_bytes_per_s: 33_333, downstream_ratio: 0, connections: 1, threshold_factor: 1 },
  });
});

test('a trickle under audio rate and under the background is not alerted, even muted', () => {
  // 1.4 KB once a second: under 1.5 KB/s, and 7 KB in 5 s is under the background.
  for (const state of ['idle', 'muted'] as const) {
    const { feed, events, judge } = runJudge({ mic: always(state) });
    feed(paced(T0, 12, 1_000, 1_400));
    judge.finish();
    assert.deepEqual(events, [], state);
  }
});

/** Feeds the upload with a download of `ratio` × its bytes alongside (music, a software update). */
function withDownload(h: ReturnType<typeof runJudge>, sent: Sent[], ratio: number): void {
  for (const p of sent) {
    h.feed([p]);
    h.judge.download(p.timeUs + 1, ratio * p.bytes);
  }
}

test('a muted upload that a download hides from the audio rules is still a warning, not shaped like audio', () => {
  // 4 KB/s: over the audio rate, but under the fourfold bar a dominating download sets.
  const sent = paced(T0, 8, 100, 400);
  const muted = runJudge({ mic: always('muted') });
  const at: number[] = [];
  for (const [i, p] of sent.entries()) {
    if (muted.feed([p]).length > 0) at.push(i);
    muted.judge.download(p.timeUs + 1, 40 * p.bytes);
  }
  muted.judge.finish();
  const [alert] = muted.alerts();
  assert.deepEqual([alert?.severity, alert?.evidence.rule, alert?.evidence.threshold_factor], ['warning', 'above-background', 4]);
  let sum = 0;
  assert.equal(at[0], sent.findIndex((p) => (sum += p.bytes) >= 16_000), 'raised at the packet that passes 16 KB');
  assert.equal(alert.reason, 'uploaded 16 KB in 3.9 s to 198.51.100.20:443 while the microphone was muted, not shaped like audio');
  assert.equal(muted.ends().length, 1);
  const idle = runJudge({ mic: always('idle') });
  withDownload(idle, sent, 40);
  idle.judge.finish();
  assert.deepEqual(idle.events, [], 'idle, an upload that is not audio-shaped is nothing');
});

test('a muted warning becomes a second, critical alert when the upload turns into audio', () => {
  const h = runJudge({ mic: always('muted') });
  withDownload(h, paced(T0, 6, 100, 400), 40);
  h.feed(paced(T0 + 6 * S, 3, 20, 640)); // 32 KB/s: audio even under the raised bar
  h.judge.finish();
  const alerts = h.alerts();
  assert.deepEqual(alerts.map((a) => [a.severity, a.evidence.rule]), [['warning', 'above-background'], ['critical', 'sustained']]);
  assert.notEqual(alerts[0].id, alerts[1].id);
  assert.equal(alerts[1].start, alerts[0].start, 'one episode');
  assert.deepEqual(h.ends().map((e) => e.id), alerts.map((a) => a.id));
});

test('telemetry bursts of the size the Echo sends (up to 14.5 KB) are not an alert, muted or idle', () => {
  for (const state of ['idle', 'muted'] as const) {
    const { feed, judge, events } = runJudge({ mic: always(state) });
    feed([...burst(T0, 14_500), ...burst(T0 + 20 * S, 12_000), ...burst(T0 + 26 * S, 9_000)]);
    judge.finish();
    assert.deepEqual(events, [], state);
  }
});

test('a telemetry burst followed a second later by a little chatter is not audio, muted or idle', () => {
  for (const state of ['idle', 'muted'] as const) {
    const { feed, judge, events } = runJudge({ mic: always(state) });
    // Two busy seconds, each over twice the audio rate, but one a burst and one a reply's worth.
    feed([...burst(T0, 12_000), ...burst(T0 + 1_100 * MS, 3_100)]);
    judge.finish();
    assert.deepEqual(events, [], state);
  }
});

test('heartbeats and small telemetry under the background never alert, even muted for an hour', () => {
  const sent = [...paced(T0, 3_600, 30_000, 41), ...paced(T0 + 7 * S, 3_600, 300_000, 2_000, flowTo('203.0.113.9'))];
  const { feed, judge, events } = runJudge({ mic: always('muted') });
  feed(sent);
  judge.finish();
  assert.deepEqual(events, []);
  assert.equal(judge.counts.audioLikeEpisodes, 0);
  assert.ok(judge.counts.episodes >= 120, `${judge.counts.episodes} episodes`);
});

test('a download dominating the episode raises the bar fourfold but never closes it', () => {
  const idleAlerts = (sent: Sent[]) => {
    const h = runJudge({ mic: always('idle') });
    withDownload(h, sent, 40); // music: 40× the upstream
    return h.alerts();
  };
  // 3 KB/s of requests alongside a download: twice the audio rate, under four times it.
  assert.deepEqual(idleAlerts(paced(T0, 5, 100, 300)), []);
  // 32 KB/s is audio whatever comes down.
  assert.deepEqual(idleAlerts(paced(T0, 5, 20, 640)).map((a) => [a.severity, a.evidence.threshold_factor]), [['warning', 4]]);
});
