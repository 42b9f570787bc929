// `earshot-sim simulate` offline: the three output files, determinism for a seed, speed, and a truth
// that matches the capture as earshot's own decoder reads it.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { FlowTable } from '../../appliance/src/flows/flow-table.js';
import { parseMicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { SCENARIOS } from '../../sim/src/scenario-plan.js';
import { readFrames, simCli, simulate, type SimulatedRun, type TruthEpisode } from '../support/sim-run.js';

const runs: SimulatedRun[] = [];
after(() => runs.forEach((r) => r.remove()));
const keep = (run: SimulatedRun): SimulatedRun => (runs.push(run), run);
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

test('writes the capture, the mic timeline and truth.json into --out', async () => {
  const run = keep(await simulate(['--scenario', 'muted-upload,misactivation', '--duration', '60']));
  const frames = await readFrames(run.capture);
  assert.equal(frames.length, run.truth.capture.frames);
  assert.ok(frames.length > 100);
  assert.equal(run.truth.format, 'earshot-simulate-truth/1');
  assert.deepEqual(run.truth.segments.map((s) => s.scenario), ['muted-upload', 'idle', 'misactivation']);
  assert.match(run.result.stderr, /1 critical, 1 warning/);
});

test('the mic timeline is the contract\'s time,state CSV and earshot reads it back', async () => {
  const run = keep(await simulate(['--scenario', 'conversation', '--duration', '120']));
  const text = readFileSync(run.mic, 'utf8');
  assert.ok(text.startsWith('time,state\n'));
  const timeline = parseMicTimeline(text, run.mic);
  assert.ok(timeline.length >= 5);
  for (const line of text.trim().split('\n').slice(1)) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,(idle|listening|muted)$/);
});

test('the same seed gives the same bytes and another seed different ones', async () => {
  const args = ['--scenario', 'conversation,slow-leak', '--duration', '90'];
  const a = keep(await simulate([...args, '--seed', '5']));
  const b = keep(await simulate([...args, '--seed', '5']));
  const c = keep(await simulate([...args, '--seed', '6']));
  assert.equal(sha256(a.capture), sha256(b.capture));
  assert.equal(readFileSync(join(a.dir, 'truth.json'), 'utf8'), readFileSync(join(b.dir, 'truth.json'), 'utf8'));
  assert.equal(readFileSync(a.mic, 'utf8'), readFileSync(b.mic, 'utf8'));
  assert.notEqual(sha256(a.capture), sha256(c.capture));
});

test('more than an hour of traffic, streaming included, takes under ten seconds', async () => {
  const started = process.hrtime.bigint();
  const run = keep(await simulate(['--scenario', 'no-wake-word,conversation,streaming', '--duration', '1300']));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const hours = (Date.parse(run.truth.capture.end) - Date.parse(run.truth.capture.start)) / 3.6e6;
  assert.ok(hours > 1, `only ${hours.toFixed(2)} h`);
  assert.ok(run.truth.capture.frames > 50_000, `only ${run.truth.capture.frames} frames`);
  assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
});

test("every episode's bytes are the application-data records (UDP: datagrams) earshot's decoder finds on its flows between its start and end", async () => {
  const run = keep(await simulate(['--scenario', 'conversation,muted-upload,slow-leak,bulk-leak,burst-leak,udp-leak,split-leak', '--duration', '150', '--seed', '3']));
  const table = new FlowTable();
  const records: { timeUs: number; key: string; length: number }[] = [];
  const seen = new Set<string>();
  for (const frame of await readFrames(run.capture)) {
    const d = decodeFrame(frame);
    if (!d.ok || d.packet.src !== run.truth.device.ip) continue;
    if (d.packet.udp && d.packet.udp.dstPort !== 53 && d.packet.udp.dstPort !== 123) {
      records.push({ timeUs: frame.timeUs, key: `udp:${d.packet.udp.srcPort}>${d.packet.dst}:${d.packet.udp.dstPort}`, length: d.packet.payloadLength });
      continue;
    }
    if (!d.packet.tcp) continue;
    const obs = table.observe(d.packet)!;
    const key = `tcp:${d.packet.tcp.srcPort}>${d.packet.dst}:${d.packet.tcp.dstPort}`;
    // A copy of a lost segment repeats its records; truth counts each record once.
    const segment = `${key}|${d.packet.tcp.seq}|${d.packet.payloadLength}`;
    if (seen.has(segment)) continue;
    seen.add(segment);
    for (const r of obs.tlsRecords) if (r.contentType === 23) records.push({ timeUs: frame.timeUs, key, length: r.length });
  }
  const heartbeatAt = new Set(run.truth.heartbeats.map((h) => `${h.time_us}|${h.length}`));
  assert.ok(run.truth.episodes.length > 20);
  const kinds = new Set(run.truth.episodes.map((e) => e.kind));
  for (const kind of ['bulk_leak', 'burst_leak', 'udp_leak', 'split_leak']) assert.ok(kinds.has(kind), `${kind} in the run`);
  for (const e of run.truth.episodes) {
    assert.deepEqual(e.flows[0], e.flow, `${e.id}: flows begin with the flow it started on`);
    const keys = new Set(e.flows.map((f) => `${f.protocol}:${f.srcPort}>${f.dst}:${f.dstPort}`));
    assert.equal(keys.size, e.kind === 'split_leak' ? 2 : 1, `${e.id} (${e.kind}) flows`);
    const found = records.filter((r) => keys.has(r.key) && r.timeUs >= e.start_us && r.timeUs <= e.end_us && !heartbeatAt.has(`${r.timeUs}|${r.length}`));
    assert.equal(found.reduce((n, r) => n + r.length, 0), e.bytes, `${e.id} (${e.kind})`);
    assert.equal(found.length, e.records, `${e.id} records`);
  }
});

test('each leak is one voice-like episode with the verdict of its mic state, and nothing else alerts', async () => {
  const cases = [
    ['muted-upload', 'muted_upload', 'critical', 'muted'],
    ['misactivation', 'misactivation', 'warning', 'idle'],
    ['slow-leak', 'slow_leak', 'critical', 'muted'],
  ] as const;
  for (const [scenario, kind, verdict, mic] of cases) {
    const run = keep(await simulate(['--scenario', scenario]));
    const alerting = run.truth.episodes.filter((e) => e.alert);
    assert.deepEqual(alerting.map((e) => [e.kind, e.expected_verdict, e.mic]), [[kind, verdict, mic]], scenario);
    const leak = alerting[0];
    const seconds = (leak.end_us - leak.start_us) / 1e6;
    if (kind === 'slow_leak') {
      assert.ok(seconds > 5 && seconds < 7.5, `slow leak lasts ${seconds} s`);
      const rate = leak.bytes / seconds;
      assert.ok(rate > 4000 && rate < 6500, `slow leak at ${rate.toFixed(0)} B/s of records (4 KB/s of audio)`);
    }
    if (kind === 'muted_upload') assert.ok(leak.bytes / seconds > 30_000, 'LPCM: 32 KB/s of audio');
    assert.ok(run.truth.episodes.filter((e) => !e.alert).every((e) => e.expected_verdict === 'none'));
  }
});

test('each shaped leak is one critical episode while muted, with the volume, cadence and flows of its shape', async () => {
  const leakOf = async (scenario: string): Promise<TruthEpisode> => {
    const run = keep(await simulate(['--scenario', scenario, '--seed', '4']));
    const alerting = run.truth.episodes.filter((e) => e.alert);
    assert.equal(alerting.length, 1, `${scenario}: one alerting episode`);
    assert.deepEqual([alerting[0].expected_verdict, alerting[0].mic, alerting[0].voice_like], ['critical', 'muted', true], scenario);
    assert.ok(run.truth.episodes.filter((e) => !e.alert).every((e) => e.expected_verdict === 'none'));
    return alerting[0];
  };
  const seconds = (e: TruthEpisode): number => (e.end_us - e.start_us) / 1e6;

  const bulk = await leakOf('bulk-leak');
  assert.equal(bulk.kind, 'bulk_leak');
  assert.ok(bulk.bytes > 190_000 && bulk.bytes < 225_000, `bulk of ${bulk.bytes} B`);
  assert.ok(seconds(bulk) < 0.5, `unthrottled: ${seconds(bulk)} s`);
  assert.notEqual(bulk.flow.dst, '198.51.100.20', 'on its own connection, not AVS');

  const burst = await leakOf('burst-leak');
  assert.equal(burst.kind, 'burst_leak');
  const bursts = Math.round(burst.bytes / 16_408);
  assert.ok(bursts >= 6 && bursts <= 9, `${bursts} bursts of 16 KB`);
  assert.ok(Math.abs(seconds(burst) - bursts) < 0.2, `one a second (END_STREAM a second after the last): ${bursts} bursts in ${seconds(burst)} s`);

  const udp = await leakOf('udp-leak');
  assert.equal(udp.kind, 'udp_leak');
  assert.equal(udp.flow.protocol, 'udp');
  const datagram = udp.bytes / udp.records;
  assert.ok(datagram >= 160 && datagram <= 320, `datagrams of ${datagram} B on average`);
  assert.ok(Math.abs(seconds(udp) / udp.records - 0.02) < 0.002, `one every ${(seconds(udp) / udp.records) * 1000} ms`);

  const split = await leakOf('split-leak');
  assert.equal(split.kind, 'split_leak');
  assert.equal(split.flows.length, 2);
  assert.notEqual(split.flows[0].dst, split.flows[1].dst, 'the paced part goes to another server');
  assert.ok(split.bytes > 20_000 + 3 * 50 * 650, `${split.bytes} B: the burst and at least 3 s of 640 B every 20 ms`);
});

test('bad options exit 2 with one line that names the option', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-sim-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const cases: [string[], RegExp][] = [
    [['--out', dir], /--scenario is required/],
    [['--scenario', 'loud', '--out', dir], /--scenario: expected one of muted/],
    [['--scenario', 'muted'], /--out DIR is required/],
    [['--scenario', 'muted', '--out', dir, '--seed', 'seven'], /--seed: expected an integer/],
    [['--scenario', 'muted', '--out', dir, '--duration', '5'], /--duration: expected seconds from 60/],
    [['--scenario', 'all', '--out', dir, '--duration', '600'], /--duration: 'all' has a fixed composition/],
    [['--scenario', 'muted', '--out', dir, '--time-scale', '10'], /--time-scale: only applies with --live/],
    [['--scenario', 'muted', '--out', dir, '--start', '2026-01-15 12:00'], /--start: expected ISO-8601/],
    [['--scenario', 'muted', '--out', dir, '--codec', 'mp3'], /--codec: expected opus or lpcm/],
    [['--scenario', 'muted', '--out', file], /--out .*a-file: cannot use as the output directory: is a file/],
    [['--report', '--shared', join(dir, 'nowhere')], /nowhere.paper-dataset: absent; the realism report needs the shared data/],
  ];
  for (const [args, message] of cases) {
    const result = await simCli(['simulate', ...args]);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  }
});

test('--list names every scenario with what it is for', async () => {
  const result = await simCli(['simulate', '--list']);
  assert.equal(result.code, 0);
  for (const name of SCENARIOS) assert.match(result.stdout, new RegExp(`^${name} +\\S`, 'm'));
});
