// Scenario plans: what the person near the Echo does and when, and the mic timeline that goes with
// it, before any packet exists.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { REQUESTS } from '../../sim/src/echo-profile.js';
import { buildPlan, leakDurationUs, parseScenarioList, SCENARIOS, type LeakAction, type ScenarioName, type VoiceAction } from '../../sim/src/scenario-plan.js';
import { ScaledClock } from '../../sim/src/live-clock.js';

const START = Date.UTC(2026, 0, 15, 12) * 1000;
const plan = (name: ScenarioName, seed = 1, durationS?: number) => buildPlan([name], { seed, startUs: START, durationS });
const voices = (p: ReturnType<typeof plan>): VoiceAction[] => p.actions.filter((a): a is VoiceAction => a.kind === 'voice');
const shapedLeaks = (p: ReturnType<typeof plan>): LeakAction[] => p.actions.filter((a): a is LeakAction => a.kind === 'leak');

test('every scenario builds a plan whose mic timeline starts when it starts and never goes back in time', () => {
  for (const name of SCENARIOS) {
    const p = plan(name);
    assert.equal(p.mic[0].timeUs, START, name);
    assert.ok(p.endUs > p.startUs, name);
    for (let i = 1; i < p.mic.length; i++) assert.ok(p.mic[i].timeUs > p.mic[i - 1].timeUs, `${name}: mic row ${i}`);
  }
});

test("the conversation asks the paper's four requests in turn, listening from the wake word until after the answer", () => {
  const p = plan('conversation');
  const requests = voices(p);
  assert.ok(requests.length >= 16, `only ${requests.length} requests in 12 minutes`);
  assert.deepEqual(requests.slice(0, 4).map((r) => r.utterance), REQUESTS.map((r) => r.utterance));
  const mic = new MicTimeline(p.mic);
  for (const r of requests) {
    assert.equal(mic.stateAt(r.atUs), 'listening');
    assert.deepEqual(r.expect, { verdict: 'expected', mic: 'listening' }, 'a request is expected');
    assert.equal(mic.stateAt(r.atUs + r.speechUs), 'listening', 'still listening when the upload ends');
    assert.ok(r.speechUs >= 2e6 && r.speechUs <= 8e6, `a request streams ${r.speechUs / 1e6} s of audio`);
    assert.ok(r.answerUs > 0 && r.followUps >= 3);
  }
});

test('each leak happens in the mic state that makes it critical or a warning, with no answer', () => {
  const cases: [ScenarioName, string, string, string][] = [
    ['muted-upload', 'muted_upload', 'lpcm', 'critical'],
    ['misactivation', 'misactivation', 'opus', 'warning'],
    ['slow-leak', 'slow_leak', 'opus', 'critical'],
  ];
  for (const [name, purpose, codec, verdict] of cases) {
    const p = plan(name);
    const [leak] = voices(p);
    assert.equal(leak.purpose, purpose);
    assert.equal(leak.codec, codec);
    assert.equal(leak.answerUs, 0);
    // The script declares the verdict; the ring it sets must show the state the verdict rests on.
    assert.equal(leak.expect.verdict, verdict, name);
    assert.equal(new MicTimeline(p.mic).contextAt(leak.atUs, 30e6), leak.expect.mic, `${name}: the ring at the leak`);
    assert.ok(p.quiet.some(([a, b]) => a < leak.atUs && b > leak.atUs + leak.speechUs), 'background uploads keep away from the leak');
  }
  const slow = voices(plan('slow-leak'))[0];
  assert.ok(slow.speechUs >= 5.5e6 && slow.speechUs <= 6.5e6, 'the slow leak lasts about 6 s');
});

test('each shaped leak is planned while muted, away from background uploads, with the shape the issue names', () => {
  const cases: [ScenarioName, LeakAction['shape']][] = [
    ['bulk-leak', 'bulk'],
    ['burst-leak', 'burst'],
    ['udp-leak', 'udp'],
    ['split-leak', 'split'],
  ];
  for (const [name, shape] of cases) {
    for (const seed of [1, 2, 3]) {
      const p = plan(name, seed);
      assert.deepEqual(voices(p), [], `${name}: no voice upload`);
      const [leak, ...others] = shapedLeaks(p);
      assert.equal(others.length, 0);
      assert.equal(leak.shape, shape);
      const mic = new MicTimeline(p.mic);
      assert.equal(mic.stateAt(leak.atUs), 'muted', name);
      assert.equal(mic.stateAt(leak.atUs + leakDurationUs(leak)), 'muted', `${name}: still muted when it ends`);
      assert.deepEqual(leak.expect, { verdict: 'critical', mic: 'muted' }, name);
      assert.equal(mic.contextAt(leak.atUs, 30e6), leak.expect.mic, `${name}: the ring at the leak`);
      assert.ok(p.quiet.some(([a, b]) => a < leak.atUs && b > leak.atUs + leakDurationUs(leak)), `${name}: background uploads keep away`);
      if (leak.shape === 'bulk') assert.ok(leak.bytes >= 190 * 1024 && leak.bytes <= 215 * 1024, `bulk of ${leak.bytes} B`);
      if (leak.shape === 'burst') assert.ok(leak.burstBytes === 16384 && leak.periodUs === 1e6 && leak.bursts >= 6, 'a 16 KB burst once a second');
      if (leak.shape === 'udp') assert.ok(leak.minDatagram === 160 && leak.maxDatagram === 320 && leak.periodUs === 20_000 && leak.durationUs >= 5e6, 'RTP-like datagrams every 20 ms');
      if (leak.shape === 'split') {
        assert.ok(leak.burstBytes >= 19 * 1024 && leak.burstBytes <= 21 * 1024, 'a ~20 KB burst');
        assert.ok(leak.gapUs >= 2e6 && leak.gapUs <= 3e6, 'the paced part 2-3 s later');
        assert.ok(leak.pacedBytes === 640 && leak.periodUs === 20_000, '640 B every 20 ms');
      }
    }
  }
});

test("'all' visits every scenario, lasts hours, and puts each leak in its own mic state", () => {
  const p = plan('all');
  const visited = new Set(p.segments.map((s) => s.scenario));
  for (const name of SCENARIOS.filter((n) => n !== 'all' && n !== 'streaming')) assert.ok(visited.has(name), `${name} missing`);
  assert.ok(p.endUs - p.startUs > 3 * 3600e6);
  const mic = new MicTimeline(p.mic);
  const leaks = voices(p).filter((v) => v.purpose !== 'command');
  assert.deepEqual(leaks.map((l) => `${l.purpose}:${mic.stateAt(l.atUs)}`), ['misactivation:idle', 'muted_upload:muted', 'slow_leak:muted']);
  assert.deepEqual(shapedLeaks(p).map((l) => `${l.shape}:${mic.stateAt(l.atUs)}`), ['bulk:muted', 'burst:muted', 'udp:muted', 'split:muted']);
  assert.equal(p.actions.filter((a) => a.kind === 'music').length, 2);
  // The shaped leaks took their 12 minutes from the muted background: still 98 minutes muted outside the leaks.
  const mutedMinutes = p.segments.filter((s) => s.scenario === 'muted').reduce((n, s) => n + (s.endUs - s.startUs), 0) / 60e6;
  assert.equal(Math.round(mutedMinutes), 98);
  assert.equal((p.endUs - p.startUs) / 60e6, 271.5, "'all' is as long as before the shaped leaks");
});

test('the same seed gives the same plan and another seed a different one', () => {
  assert.deepEqual(plan('conversation', 7), plan('conversation', 7));
  assert.notDeepEqual(voices(plan('conversation', 7)).map((v) => v.speechUs), voices(plan('conversation', 8)).map((v) => v.speechUs));
});

test('scenario lists accept names joined by commas, but not unknown names or all with others', () => {
  assert.deepEqual(parseScenarioList('muted,slow-leak'), ['muted', 'slow-leak']);
  assert.equal(parseScenarioList('muted,loud'), undefined);
  assert.equal(parseScenarioList('all,muted'), undefined);
  const p = buildPlan(parseScenarioList('muted-upload,misactivation')!, { seed: 1, startUs: START, durationS: 60 });
  assert.deepEqual(p.segments.map((s) => s.scenario), ['muted-upload', 'idle', 'misactivation']);
});

test('the live clock runs each shaped leak in real time, from a second before it until 3 s after, and the rest faster', () => {
  for (const name of ['bulk-leak', 'burst-leak', 'udp-leak', 'split-leak'] as const) {
    const p = plan(name);
    const clock = new ScaledClock(p, 20);
    const [leak] = shapedLeaks(p);
    const span = leakDurationUs(leak) + 4e6;
    assert.equal(clock.intervalUs(leak.atUs - 1e6, span), span, `${name}: real time`);
    assert.ok(clock.intervalUs(p.startUs, 20e6) === 1e6, `${name}: the start runs 20x faster`);
  }
});
