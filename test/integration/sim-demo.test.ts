// `earshot-sim demo` (what `make demo` runs): the simulator's day replayed through the whole
// product pipeline, with the live view and the summary of the verdicts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simCli } from '../support/sim-run.js';

test('the demo runs the service on a simulated day and shows the leaks as they happen', async () => {
  const { code, stdout } = await simCli(['demo', '--speed', '2000']);
  assert.equal(code, 0);
  const critical = stdout.indexOf('CRITICAL uploaded');
  const muted = stdout.indexOf('mic muted');
  assert.ok(muted >= 0 && critical > muted, 'the mic turns muted, then the critical alert');
  assert.match(stdout, /WARNING  uploaded .* \(no wake word\)/);
  // The simulated day holds an upload while muted, a misactivation, a slow leak while muted, and
  // the four shaped leaks while muted (bulk, bursts, UDP, split over two servers).
  assert.match(stdout, /earshot demo: .*bulk-leak, burst-leak, udp-leak, split-leak\n[\s\S]*alerts\s+6 critical, 1 warning/);
  assert.match(stdout, /CRITICAL uploaded .* to 203\.0\.113\.70:16384/, 'the UDP leak is named by its destination');
  // Before the day plays: where the status page is, and the token its buttons take.
  assert.match(stdout, /^  status page: http:\/\/127\.0\.0\.1:\d+\/ \(live; the actions' token is [0-9a-f]{24}\)$/m);
  assert.ok(stdout.indexOf('status page:') < muted, 'printed before the leaks');
});
