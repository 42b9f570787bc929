import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aboveBackgroundReason, alertMic, alertReason, destinationPhrase, formatKilobytes, verdictFor, type MicEvidence, type Verdict } from '../../appliance/src/judge/verdict.js';
import type { MicContext } from '../../appliance/src/mic/mic-state.js';

const CONTEXTS: MicContext[] = ['muted', 'idle', 'listening', 'grace', 'unknown'];

/** The rule of design.md section 4, written independently of verdict.ts. */
function expectedVerdict(atStart: MicContext, atTip: MicContext, listenedMeanwhile: boolean): Verdict {
  const both = [atStart, atTip];
  if (listenedMeanwhile || both.includes('listening') || both.includes('grace')) return 'expected';
  if (both.includes('muted')) return 'critical';
  return 'warning';
}

test('the whole truth table of verdictFor: 5 × 5 × 2 cases', () => {
  let cases = 0;
  for (const atStart of CONTEXTS) {
    for (const atTip of CONTEXTS) {
      for (const listenedMeanwhile of [false, true]) {
        const verdict = verdictFor({ atStart, atTip, listenedMeanwhile });
        assert.equal(verdict, expectedVerdict(atStart, atTip, listenedMeanwhile), `${atStart} → ${atTip}, listened meanwhile: ${listenedMeanwhile}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 50);
});

test('the truth table has the expected number of each verdict', () => {
  const tally: Record<Verdict, number> = { expected: 0, critical: 0, warning: 0 };
  for (const atStart of CONTEXTS) for (const atTip of CONTEXTS) for (const l of [false, true]) tally[verdictFor({ atStart, atTip, listenedMeanwhile: l })]++;
  // listenedMeanwhile: 25 expected. Without it, {muted, idle, unknown}² = 9 not expected, of which
  // 5 involve muted (critical) and 4 do not (warning); the other 16 are expected.
  assert.deepEqual(tally, { expected: 41, critical: 5, warning: 4 });
});

test('listening or grace anywhere makes a voice-like episode expected, even next to muted', () => {
  const table: [MicContext, MicContext][] = [
    ['muted', 'listening'],
    ['listening', 'muted'],
    ['muted', 'grace'],
    ['grace', 'muted'],
    ['unknown', 'grace'],
    ['listening', 'idle'],
  ];
  for (const [atStart, atTip] of table) assert.equal(verdictFor({ atStart, atTip, listenedMeanwhile: false }), 'expected', `${atStart} → ${atTip}`);
});

test('listening in between makes muted at both ends expected', () => {
  assert.equal(verdictFor({ atStart: 'muted', atTip: 'muted', listenedMeanwhile: true }), 'expected');
  assert.equal(verdictFor({ atStart: 'muted', atTip: 'muted', listenedMeanwhile: false }), 'critical');
});

test('muted at either end without listening is critical', () => {
  for (const other of ['muted', 'idle', 'unknown'] as const) {
    assert.equal(verdictFor({ atStart: 'muted', atTip: other, listenedMeanwhile: false }), 'critical', `muted → ${other}`);
    assert.equal(verdictFor({ atStart: other, atTip: 'muted', listenedMeanwhile: false }), 'critical', `${other} → muted`);
  }
});

test('idle and unknown are at most a warning', () => {
  const table: [MicContext, MicContext][] = [
    ['idle', 'idle'],
    ['idle', 'unknown'],
    ['unknown', 'idle'],
    ['unknown', 'unknown'],
  ];
  for (const [atStart, atTip] of table) assert.equal(verdictFor({ atStart, atTip, listenedMeanwhile: false }), 'warning', `${atStart} → ${atTip}`);
});

test('alertMic reports muted when either end was muted', () => {
  const evidence = (atStart: MicContext, atTip: MicContext): MicEvidence => ({ atStart, atTip, listenedMeanwhile: false });
  assert.equal(alertMic(evidence('muted', 'idle')), 'muted');
  assert.equal(alertMic(evidence('idle', 'muted')), 'muted');
  assert.equal(alertMic(evidence('unknown', 'muted')), 'muted');
  assert.equal(alertMic(evidence('muted', 'unknown')), 'muted');
  assert.equal(alertMic(evidence('muted', 'muted')), 'muted');
});

test('alertMic reports a known state over unknown, and unknown only when both are unknown', () => {
  const evidence = (atStart: MicContext, atTip: MicContext): MicEvidence => ({ atStart, atTip, listenedMeanwhile: false });
  assert.equal(alertMic(evidence('unknown', 'idle')), 'idle');
  assert.equal(alertMic(evidence('idle', 'unknown')), 'idle');
  assert.equal(alertMic(evidence('idle', 'idle')), 'idle');
  assert.equal(alertMic(evidence('unknown', 'unknown')), 'unknown');
});

test('alertMic agrees with the verdict for every case that raises an alert', () => {
  for (const atStart of CONTEXTS) {
    for (const atTip of CONTEXTS) {
      const evidence = { atStart, atTip, listenedMeanwhile: false };
      const verdict = verdictFor(evidence);
      if (verdict === 'expected') continue;
      const mic = alertMic(evidence);
      assert.equal(mic === 'muted', verdict === 'critical', `${atStart} → ${atTip}: ${verdict} reported as ${mic}`);
      assert.ok(['muted', 'idle', 'unknown'].includes(mic), `${atStart} → ${atTip}: ${mic}`);
    }
  }
});

test('alertMic prefers the tip when both ends are known and neither is muted', () => {
  assert.equal(alertMic({ atStart: 'grace', atTip: 'idle', listenedMeanwhile: false }), 'idle');
  assert.equal(alertMic({ atStart: 'idle', atTip: 'listening', listenedMeanwhile: false }), 'listening');
});

test('the muted reason reads as the contract example', () => {
  assert.equal(alertReason(38_200, 4_200_000, 'to 52.46.136.99:443', 'muted'), 'uploaded 38 KB in 4.2 s to 52.46.136.99:443 while the microphone was muted');
});

test('the idle reason says the Echo was not listening', () => {
  assert.equal(
    alertReason(25_600, 800_000, 'to 52.46.136.99:443', 'idle'),
    'uploaded 26 KB in 0.8 s to 52.46.136.99:443 while the microphone was on but the Echo was not listening (no wake word)',
  );
});

test('the unknown reason says the ring sensor is missing and how to fix it', () => {
  const reason = alertReason(1_500, 350_000, 'to 198.51.100.20:443', 'unknown');
  assert.equal(
    reason,
    'uploaded 1.5 KB in 0.3 s to 198.51.100.20:443 while the microphone state was unknown (no ring sensor or timeline: connect one to tell muted from idle)',
  );
  assert.match(reason, /no ring sensor/);
});

test('the listening and grace reasons have their own wording', () => {
  assert.equal(alertReason(2_000, 1_000_000, 'to 198.51.100.20:443', 'listening'), 'uploaded 2.0 KB in 1.0 s to 198.51.100.20:443 while the Echo was listening');
  assert.equal(alertReason(2_000, 1_000_000, 'to 198.51.100.20:443', 'grace'), 'uploaded 2.0 KB in 1.0 s to 198.51.100.20:443 just after the Echo listened');
});

test('the duration is in seconds with one decimal', () => {
  const at = (durationUs: number) => alertReason(1_000, durationUs, 'to x:1', 'muted').split(' to ')[0];
  assert.equal(at(0), 'uploaded 1.0 KB in 0.0 s');
  assert.equal(at(149_999), 'uploaded 1.0 KB in 0.1 s');
  assert.equal(at(250_000), 'uploaded 1.0 KB in 0.3 s');
  assert.equal(at(12_340_000), 'uploaded 1.0 KB in 12.3 s');
});

test('formatKilobytes shows one decimal under 10 KB', () => {
  assert.equal(formatKilobytes(0), '0.0 KB');
  assert.equal(formatKilobytes(41), '0.0 KB');
  assert.equal(formatKilobytes(50), '0.1 KB');
  assert.equal(formatKilobytes(1_500), '1.5 KB');
  assert.equal(formatKilobytes(1_549), '1.5 KB');
  assert.equal(formatKilobytes(1_551), '1.6 KB');
  assert.equal(formatKilobytes(9_940), '9.9 KB');
});

test('formatKilobytes rounds to whole kilobytes from 10 KB', () => {
  assert.equal(formatKilobytes(10_000), '10 KB');
  assert.equal(formatKilobytes(10_499), '10 KB');
  assert.equal(formatKilobytes(10_500), '11 KB');
  assert.equal(formatKilobytes(38_200), '38 KB');
  assert.equal(formatKilobytes(264_800), '265 KB');
  assert.equal(formatKilobytes(1_234_567), '1235 KB');
});

test('formatKilobytes reads just under 10 KB the same as 10 KB once rounded', () => {
  assert.equal(formatKilobytes(9_940), '9.9 KB');
  assert.equal(formatKilobytes(9_960), '10 KB');
  assert.equal(formatKilobytes(9_999), '10 KB');
  assert.equal(formatKilobytes(10_000), '10 KB');
});

test('kilobytes are decimal (1000 bytes), not 1024', () => {
  assert.equal(formatKilobytes(1_024), '1.0 KB');
  assert.equal(formatKilobytes(20_480), '20 KB');
});

test('the reason names the busiest destination and how many other connections the upload used', () => {
  assert.equal(destinationPhrase('52.46.136.99:443', 1), 'to 52.46.136.99:443');
  assert.equal(destinationPhrase('52.46.136.99:443', 2), 'to 52.46.136.99:443 and 1 other connection');
  assert.equal(destinationPhrase('52.46.136.99:443', 5), 'to 52.46.136.99:443 and 4 other connections');
});

test('a muted upload that is not audio says so', () => {
  assert.equal(aboveBackgroundReason(212_000, 3_100_000, 'to 52.46.136.99:443'), 'uploaded 212 KB in 3.1 s to 52.46.136.99:443 while the microphone was muted, not shaped like audio');
});
