// truth.json comes from the simulator's own script and its own record of what it sent, never from
// the product: the verdict is the one the scenario declares, and live mode counts the Echo's
// writes. So a product that judges wrongly is caught by the truth instead of agreeing with it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SentTally, liveTruth, type LiveEvent } from '../../sim/src/live-truth.js';
import { offlineTruth, simulateOffline } from '../../sim/src/offline-simulator.js';
import { buildPlan, type VoiceAction } from '../../sim/src/scenario-plan.js';

const START = Date.UTC(2026, 0, 15, 12) * 1000;
type Episode = { kind: string; expected_verdict: string; mic: string; alert: boolean; bytes: number; records: number; packets: number; start_us: number; end_us: number; tcp_payload_bytes: number };

test('an episode\'s verdict and mic are the ones the scenario declares, whatever the ring shows', () => {
  const plan = buildPlan(['muted-upload'], { seed: 1, startUs: START });
  const leak = plan.actions.find((a): a is VoiceAction => a.kind === 'voice')!;
  assert.deepEqual(leak.expect, { verdict: 'critical', mic: 'muted' });
  // A script that (wrongly) declared the muted upload a warning: the truth follows the script.
  leak.expect = { verdict: 'warning', mic: 'idle' };
  const truth = offlineTruth(simulateOffline(plan, () => {}), { capture: 'capture.pcap', mic: 'mic.csv' }) as { episodes: Episode[] };
  const alerting = truth.episodes.filter((e) => e.alert);
  assert.deepEqual(alerting.map((e) => [e.kind, e.expected_verdict, e.mic]), [['muted_upload', 'warning', 'idle']]);
  assert.ok(truth.episodes.filter((e) => !e.alert).every((e) => e.expected_verdict === 'none' && e.mic === 'muted'), 'background uploads: no verdict, the ring\'s state');
});

test('live truth is what the Echo wrote: TLS records of at most 16 KB with 24 bytes of AES-GCM each, h2 frames, datagrams', () => {
  let now = 1_000_000;
  const clock = (): number => (now += 1000);
  const bulk = new SentTally(clock);
  bulk.tls(20_000);
  const voice = new SentTally(clock);
  voice.h2(4200);
  voice.h2(640);
  voice.h2(0);
  const udp = new SentTally(clock);
  udp.udp(200);
  udp.udp(300);
  const flow = (localPort: number, protocol?: 'udp') => ({ localPort, dst: '198.51.100.20', dstPort: 443, ...(protocol ? { protocol } : {}) });
  const events: LiveEvent[] = [
    { event: 'episode', kind: 'bulk_leak', expect: { verdict: 'critical', mic: 'muted' }, flow: flow(40000), ...bulk },
    { event: 'episode', kind: 'muted_upload', expect: { verdict: 'critical', mic: 'muted' }, flow: flow(40001), ...voice },
    { event: 'episode', kind: 'udp_leak', expect: { verdict: 'critical', mic: 'muted' }, flow: flow(40002, 'udp'), ...udp },
  ];
  const truth = liveTruth('192.0.2.10', events);
  const [b, v, u] = truth.episodes;
  assert.deepEqual([b.bytes, b.records, b.span.packets, b.span.tcpPayloadBytes], [20_000 + 2 * 24, 2, 1, 20_048 + 2 * 5]);
  assert.deepEqual([v.bytes, v.records, v.span.packets], [4200 + 640 + 3 * (9 + 24), 3, 3]);
  assert.deepEqual([u.bytes, u.records, u.span.tcpPayloadBytes], [500, 2, 500]);
  assert.deepEqual([v.span.firstUs, v.span.lastUs], [1_002_000, 1_004_000], 'first and last write');
  assert.equal(u.flow.protocol, 'udp');
  assert.equal(b.details.expect?.verdict, 'critical');
});
