// `earshot-sim simulate --live`: real TLS/HTTP2 between a fake Echo and a fake cloud through a "box"
// namespace that captures with libpcap, all in namespaces the command creates and removes, also
// when it is interrupted. Skipped, with the reason printed, where namespaces cannot be made.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import type { CapturedFrame } from '../../appliance/src/decode/types.js';
import { FlowTable } from '../../appliance/src/flows/flow-table.js';
import type { AlertEvent } from '../../appliance/src/judge/judge-events.js';
import { parseMicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { runCapture } from '../../appliance/src/pipeline/capture-run.js';
import { liveUnavailableReason } from '../../sim/src/netns-lab.js';
import type { DatasetRow } from '../../sim/src/realism-stats.js';
import { featureRows, readFrames, simulate, type SimulatedRun } from '../support/sim-run.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const skipReason = liveUnavailableReason();
if (skipReason) console.log(`# skipping live simulator tests: ${skipReason}`);
const tsharkMissing = spawnSync('tshark', ['-v']).status === 0 ? undefined : 'tshark is not installed';

const namespacesOf = (pid: number): string[] => (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '').split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`esim-${pid}-`));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('live simulation through network namespaces', { skip: skipReason, timeout: 90_000 }, () => {
  let run: SimulatedRun;
  let frames: CapturedFrame[] = [];
  let rows: DatasetRow[] = [];
  before(async () => {
    run = await simulate(['--live', '--scenario', 'muted-upload', '--duration', '45', '--time-scale', '20', '--seed', '2']);
    frames = await readFrames(run.capture);
    rows = await featureRows(run);
  });
  after(() => run?.remove());

  test('the run leaves no namespace and no process behind', () => {
    assert.deepEqual(namespacesOf(process.pid), []);
    const pids = /processes ([\d, ]+)\)/.exec(run.result.stderr)?.[1].split(', ').map(Number) ?? [];
    assert.equal(pids.length, 3, run.result.stderr);
    assert.deepEqual(pids.filter(alive), []);
  });

  test('the box captured both directions without drops, in frames no larger than the MTU', () => {
    assert.match(run.result.stderr, / 0 frames dropped by the capture/);
    assert.ok(frames.length > 200, `only ${frames.length} frames`);
    const largest = Math.max(...frames.map((f) => f.bytes.length));
    assert.ok(largest <= 1514, `a ${largest}-byte frame: offloads are still on`);
    const sources = new Set(frames.map((f) => decodeFrame(f)).flatMap((d) => (d.ok ? [d.packet.src] : [])));
    assert.ok(sources.has('192.0.2.10') && sources.has('198.51.100.20'), [...sources].join(', '));
  });

  test("real TLS 1.2 carries the Echo's heartbeats: 41-byte PINGs to AVS and a 28-byte record to metrics", () => {
    const table = new FlowTable();
    const lengths = new Map<string, Set<number>>();
    for (const frame of frames) {
      const d = decodeFrame(frame);
      if (!d.ok || !d.packet.tcp || d.packet.src !== '192.0.2.10') continue;
      for (const r of table.observe(d.packet)!.tlsRecords) {
        const key = `${d.packet.dst}:${r.contentType}`;
        lengths.set(key, (lengths.get(key) ?? new Set()).add(r.length));
      }
    }
    assert.ok(lengths.get('198.51.100.20:22')?.size, 'a ClientHello to AVS');
    assert.ok(lengths.get('198.51.100.20:23')?.has(41), 'an HTTP/2 PING record');
    assert.ok(lengths.get('198.51.100.30:23')?.has(28), 'the 28-byte heartbeat');
    const kinds = new Set(run.truth.heartbeats.map((h) => `${h.kind}:${h.length}`));
    assert.ok(kinds.has('avs_ping:41') && kinds.has('metrics:28'), [...kinds].join(', '));
  });

  test('truth lists the muted upload as critical, in LPCM records, on the capture clock', () => {
    const [leak, ...others] = run.truth.episodes.filter((e) => e.alert);
    assert.equal(others.length, 0);
    assert.equal(leak.kind, 'muted_upload');
    assert.equal(leak.expected_verdict, 'critical');
    const seconds = (leak.end_us - leak.start_us) / 1e6;
    assert.ok(seconds > 3.5 && seconds < 7, `${seconds} s`);
    assert.ok(leak.bytes / seconds > 30_000, `${leak.bytes} bytes in ${seconds} s is not 32 KB/s`);
    assert.ok(leak.start_us >= frames[0].timeUs && leak.end_us <= frames[frames.length - 1].timeUs);
    const mic = parseMicTimeline(readFileSync(run.mic, 'utf8'), run.mic);
    assert.equal(mic.stateAt(leak.start_us), 'muted');
    assert.ok(Math.abs(Date.parse(run.truth.segments[0].start) * 1000 - frames[0].timeUs) < 2e6, 'the timeline starts with the capture');
  });

  test("earshot features labels the upload's records not_justified and the PINGs as heartbeats", () => {
    const count = (cls: string, length: number): number => rows.filter((r) => r.cls === cls && r.length === length).length;
    assert.ok(count('not_justified', 54 + 12 + 5 + 673) + count('not_justified', 54 + 5 + 673) > 150, 'LPCM records labelled not_justified');
    assert.ok(rows.some((r) => r.cls === 'syn' && r.dstport === 443), 'a heartbeat row');
  });

  test('tshark finds no malformed packet and no expert error in the live capture', { skip: tsharkMissing }, () => {
    const result = spawnSync('tshark', ['-r', run.capture, '-Y', '_ws.malformed || _ws.expert.severity >= error', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '');
  });
});

describe('the shaped leaks, live', { skip: skipReason, timeout: 240_000 }, () => {
  let run: SimulatedRun;
  before(async () => {
    // About two minutes: at a higher time scale the leaks come less than 10 s apart on the wall
    // clock, and the judge (rightly) keeps a muted upload going through such a pause as one episode.
    run = await simulate(['--live', '--scenario', 'bulk-leak,burst-leak,udp-leak,split-leak', '--duration', '30', '--time-scale', '3', '--seed', '2']);
  });
  after(() => run?.remove());

  test('real stacks send each one while muted: the bulk in one write, bursts on AVS, UDP datagrams, a burst then a paced stream elsewhere', () => {
    const leaks = run.truth.episodes.filter((e) => e.alert);
    assert.deepEqual(leaks.map((e) => `${e.kind}:${e.expected_verdict}:${e.mic}`), ['bulk_leak:critical:muted', 'burst_leak:critical:muted', 'udp_leak:critical:muted', 'split_leak:critical:muted']);
    const [bulk, burst, udp, split] = leaks;
    assert.ok(bulk.bytes > 190_000, `bulk of ${bulk.bytes} B`);
    assert.ok(burst.bytes > 6 * 16_384 && burst.flow.dst === '198.51.100.20', `bursts of ${burst.bytes} B on AVS`);
    assert.equal(udp.flow.protocol, 'udp');
    assert.ok(udp.records > 200 && udp.bytes / udp.records >= 160 && udp.bytes / udp.records <= 320, `${udp.records} datagrams, ${udp.bytes} B`);
    assert.deepEqual(split.flows.map((f) => f.dst), ['198.51.100.20', '198.51.100.60']);
  });

  test("earshot's judge raises one critical alert for each, within a second of its first packet", async () => {
    const mic = parseMicTimeline(readFileSync(run.mic, 'utf8'), run.mic);
    const alerts: AlertEvent[] = [];
    await runCapture(new FileSource(run.capture), { mic, device: { ip: run.truth.device.ip }, graceS: 30 }, { judge: (e) => void (e.type === 'alert' && alerts.push(e)) });
    for (const leak of run.truth.episodes.filter((e) => e.alert)) {
      const destinations = new Set(leak.flows.map((f) => `${f.dst}:${f.dstPort}`));
      const mine = alerts.filter((a) => Math.abs(Date.parse(a.start) * 1000 - leak.start_us) <= 500_000 && destinations.has(a.dst));
      assert.equal(mine.length, 1, `${leak.kind}: ${mine.length} alerts`);
      assert.equal(mine[0].severity, 'critical', leak.kind);
      assert.ok(Date.parse(mine[0].time) - Date.parse(mine[0].start) <= 1000, `${leak.kind}: raised ${Date.parse(mine[0].time) - Date.parse(mine[0].start)} ms after its start`);
    }
    assert.equal(alerts.length, 4, alerts.map((a) => `${a.start} ${a.reason}`).join('; '));
  });
});

describe('interrupting a live simulation', { skip: skipReason, timeout: 60_000 }, () => {
  let child: ChildProcess | undefined;
  let dir = '';
  after(() => {
    if (child?.pid && alive(child.pid)) child.kill('SIGKILL');
    if (child?.pid) for (const ns of namespacesOf(child.pid)) spawnSync('ip', ['netns', 'del', ns]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Ctrl-C removes every namespace and process it made and exits 130', async () => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-sim-sigint-'));
    child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'sim/src/bin.ts'), 'simulate', '--live', '--scenario', 'no-wake-word', '--duration', '600', '--time-scale', '5', '--out', dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const running = new Promise<number[]>((resolve, reject) => {
      child!.stderr!.setEncoding('utf8').on('data', (data: string) => {
        stderr += data;
        const match = /processes ([\d, ]+)\)/.exec(stderr);
        if (match) resolve(match[1].split(', ').map(Number));
      });
      child!.once('exit', (code) => reject(new Error(`exited ${code} before running: ${stderr}`)));
      timer = setTimeout(() => reject(new Error(`not running after 40 s: ${stderr}`)), 40_000);
    });
    const pids = await running.finally(() => clearTimeout(timer));
    assert.equal(namespacesOf(child.pid!).length, 3);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.deepEqual(namespacesOf(child.pid!), []);
    assert.deepEqual(pids.filter(alive), []);
    assert.match(stderr, /SIGINT: removing the namespaces and processes/);
  });
});
