// `earshot-sim simulate --scenario all`: tshark dissects every frame without a malformed packet or an
// error, the protocols look like what they claim to be, and `earshot features` reproduces the
// paper's class mix within a factor of two per class.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CLASS_MIX_FACTOR, PAPER_CLASS_COUNTS } from '../../sim/src/realism-report.js';
import type { DatasetRow } from '../../sim/src/realism-stats.js';
import { featureRows, simulate, type SimulatedRun } from '../support/sim-run.js';

const tsharkMissing = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0 ? undefined : 'tshark is not installed';
if (tsharkMissing) console.log(`# skipping tshark checks: ${tsharkMissing}`);

/** One tshark pass (each takes seconds on this capture) for every check below. */
const FIELDS = ['frame.number', 'frame.len', '_ws.malformed', '_ws.expert.severity', 'dns.flags.response', 'ntp.flags.mode', 'http.request.method', 'http.response.code', 'tcp.dstport', 'tcp.len', 'tls.handshake.type', 'x509ce.dNSName', 'tls.handshake.extensions_server_name', '_ws.col.Info'];
const FILTER = '_ws.malformed || _ws.expert.severity >= error || dns || ntp || http || tls.handshake.type || (tcp.dstport == 4070 && tcp.len > 0)';
/** Wireshark's PI_ERROR; malformed packets are PI_ERROR too. */
const EXPERT_ERROR = 0x00800000;

type Line = Record<(typeof FIELDS)[number], string>;

function tshark(capture: string): Line[] {
  // Out-of-order reassembly: when a segment the AP captured is lost beyond it, its retransmission
  // repeats bytes of a 16 KB record tshark has already reassembled (the bulk leak's, identical
  // bytes), which tshark 4.0's in-order reassembly reports as "New fragment overlaps old data".
  const result = spawnSync('tshark', ['-r', capture, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', FILTER, '-T', 'fields', '-E', 'separator=\t', ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  assert.equal(result.status, 0, `tshark failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const cells = line.split('\t');
      return Object.fromEntries(FIELDS.map((f, i) => [f, cells[i] ?? ''])) as Line;
    });
}

describe('the all scenario', { timeout: 180_000 }, () => {
  let run: SimulatedRun;
  let rows: DatasetRow[];
  let lines: Line[] = [];
  before(async () => {
    run = await simulate(['--scenario', 'all', '--seed', '1']);
    rows = await featureRows(run);
    if (!tsharkMissing) lines = tshark(run.capture);
  });
  const col = (name: (typeof FIELDS)[number]): string[] => lines.map((l) => l[name]).filter((v) => v !== '');
  after(() => run?.remove());

  test('tshark dissects every frame without a malformed packet or an expert error', { skip: tsharkMissing }, () => {
    assert.ok(lines.length > 1000, 'the one tshark pass found the frames it looks for');
    const flagged = lines.filter((l) => l['_ws.malformed'] !== '' || l['_ws.expert.severity'].split(',').some((v) => Number(v) >= EXPERT_ERROR));
    assert.deepEqual(flagged.slice(0, 5).map((l) => `${l['frame.number']}: ${l['_ws.col.Info']}`), [], `${flagged.length} frames flagged`);
  });

  test('tshark reads DNS, NTP, HTTP range requests with 206 answers, and the 11-byte sync messages', { skip: tsharkMissing }, () => {
    const dns = col('dns.flags.response');
    assert.ok(dns.includes('0') && dns.includes('1'), 'DNS queries and answers');
    assert.deepEqual([...new Set(col('ntp.flags.mode'))].sort(), ['3', '4']);
    assert.deepEqual([...new Set(col('http.request.method'))], ['GET']);
    assert.deepEqual([...new Set(col('http.response.code'))], ['206']);
    const requests = lines.filter((l) => l['http.request.method'] === 'GET').map((l) => Number(l['frame.len']));
    assert.ok(requests.length > 100 && requests.every((len) => len >= 518 && len <= 526), "GETs are the paper's 518-526-byte frames");
    const sync = lines.filter((l) => l['tcp.dstport'] === '4070' && l['tcp.len'] === '11');
    assert.ok(sync.length > 200 && sync.every((l) => l['frame.len'] === '77'), '11-byte sync messages in 77-byte frames');
  });

  test('tshark finds every message of a TLS 1.2 handshake and parses the certificates', { skip: tsharkMissing }, () => {
    const types = new Set(col('tls.handshake.type').flatMap((v) => v.split(',')));
    for (const type of ['1', '2', '11', '12', '14', '16', '4']) assert.ok(types.has(type), `handshake type ${type} missing`);
    assert.ok(col('x509ce.dNSName').some((v) => v.includes('avs-alexa-4-na.amazon.com')), 'certificate subject alternative names');
    assert.ok(col('tls.handshake.extensions_server_name').includes('avs-alexa-4-na.amazon.com'), 'server_name in a ClientHello');
  });

  test("earshot features reproduces the paper's class mix within a factor of two per class", () => {
    const paperTotal = Object.values(PAPER_CLASS_COUNTS).reduce((a, b) => a + b, 0);
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.cls, (counts.get(row.cls) ?? 0) + 1);
    const ratios = Object.entries(PAPER_CLASS_COUNTS).map(([cls, n]) => [cls, (counts.get(cls) ?? 0) / rows.length / (n / paperTotal)] as const);
    console.log(`# class mix ratios (simulated share / paper share): ${ratios.map(([c, r]) => `${c} ${r.toFixed(2)}`).join(', ')}`);
    for (const [cls, ratio] of ratios) assert.ok(ratio >= 1 / CLASS_MIX_FACTOR && ratio <= CLASS_MIX_FACTOR, `${cls}: ${ratio.toFixed(2)}× the paper's share`);
  });

  test('truth lists the seven leaks with their verdicts, the requests as expected, and heartbeats that never alert', () => {
    const alerts = run.truth.episodes.filter((e) => e.alert).map((e) => `${e.kind}:${e.expected_verdict}`);
    assert.deepEqual(alerts, ['misactivation:warning', 'muted_upload:critical', 'slow_leak:critical', 'bulk_leak:critical', 'burst_leak:critical', 'udp_leak:critical', 'split_leak:critical']);
    const requests = run.truth.episodes.filter((e) => e.kind === 'voice_command');
    assert.ok(requests.length >= 10 && requests.every((e) => e.expected_verdict === 'expected' && e.mic === 'listening'));
    assert.ok(run.truth.heartbeats.length > 500);
    assert.deepEqual([...new Set(run.truth.heartbeats.map((h) => `${h.kind}:${h.length}`))].sort(), ['avs_ping:41', 'metrics:28', 'spotify_sync:11']);
    assert.deepEqual(run.truth.streams.map((s) => s.service), ['amazon_music', 'spotify']);
    assert.ok(run.truth.streams.every((s) => s.echo_acks > 5000 && s.download_bytes > 10e6));
  });
});
