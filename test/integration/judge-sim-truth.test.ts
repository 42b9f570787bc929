// The judge against the simulator's ground truth: for every scenario, each episode truth.json
// says must alert gets exactly one alert of the stated severity within a second of its start,
// and nothing else alerts (heartbeats, streams, telemetry, follow-ups, wanted commands). The
// leaks include shapes unlike the Echo's own client (bulk, bursts, UDP, split over two servers).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import type { AlertEvent } from '../../appliance/src/judge/judge-events.js';
import { parseMicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { runCapture } from '../../appliance/src/pipeline/capture-run.js';
import { iso, simulate, type Truth } from '../support/sim-run.js';

const SCENARIOS = ['muted', 'no-wake-word', 'conversation', 'music-amazon', 'music-spotify', 'muted-upload', 'misactivation', 'slow-leak', 'bulk-leak', 'burst-leak', 'udp-leak', 'split-leak', 'all'];

async function alertsOf(capture: string, micFile: string, truth: Truth): Promise<AlertEvent[]> {
  const alerts: AlertEvent[] = [];
  const mic = parseMicTimeline(readFileSync(micFile, 'utf8'), micFile);
  const run = await runCapture(new FileSource(capture), { mic, device: { ip: truth.device.ip }, graceS: truth.mic_timeline.grace_s }, {
    judge: (e) => void (e.type === 'alert' && alerts.push(e)),
  });
  assert.equal(run.inputError, undefined);
  return alerts;
}

for (const scenario of SCENARIOS) {
  test(`on the simulated '${scenario}' scenario the judge raises exactly the alerts truth.json expects`, async () => {
    const run = await simulate(['--scenario', scenario, '--seed', '3']);
    try {
      const alerts = await alertsOf(run.capture, run.mic, run.truth);
      const alerting = run.truth.episodes.filter((e) => e.alert);
      const matched = new Set<AlertEvent>();
      for (const episode of alerting) {
        // The alert names the busiest destination so far: for the split leak, either of its two.
        const destinations = new Set(episode.flows.map((f) => `${f.dst}:${f.dstPort}`));
        const mine = alerts.filter((a) => Math.abs(iso(a.start) - episode.start_us) <= 500_000 && destinations.has(a.dst));
        assert.equal(mine.length, 1, `${scenario}: ${episode.id} (${episode.kind}, ${episode.expected_verdict}) at ${episode.start}: ${mine.length} alerts`);
        assert.equal(mine[0].severity, episode.expected_verdict, `${scenario}: ${episode.id}`);
        assert.ok(iso(mine[0].time) - iso(mine[0].start) <= 1_000_000, `${scenario}: ${episode.id} raised ${(iso(mine[0].time) - iso(mine[0].start)) / 1000} ms after its start`);
        matched.add(mine[0]);
      }
      const stray = alerts.filter((a) => !matched.has(a));
      assert.deepEqual(stray.map((a) => `${a.start} ${a.severity} ${a.reason}`), [], `${scenario}: alerts truth.json does not expect`);
      if (scenario === 'all') assert.equal(alerting.length, 7, 'the day holds the seven leaks');
    } finally {
      run.remove();
    }
  });
}
