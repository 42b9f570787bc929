// `earshot record`, live: an "Echo" namespace talks real TLS to a "cloud" namespace over a veth,
// and the recorder captures it on the cloud end with the mic timeline saying muted. Killed with
// SIGKILL (what a power cut leaves) it has everything up to the last second on disk; stopped
// with SIGTERM it closes cleanly and reports its disk use. All traffic stays in the test's namespaces.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import type { CapturedFrame } from '../../appliance/src/decode/types.js';
import { parseFigureCsv } from '../../appliance/src/figures/figure-dataset.js';
import { netnsUnavailableReason, ProcessOutput, runCommand, VethLab } from '../support/netns.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const TLS_PORT = 8443;
const PROBE_PORT = 9;
const END_PORT = 7777;
const skipReason = netnsUnavailableReason() ?? (existsSync('/usr/bin/tshark') ? undefined : 'tshark is not installed');
if (skipReason) console.log(`# skipping the live recorder tests: ${skipReason}`);

/** The pcap's frames, or undefined while the writer is between records (a torn read, retried). */
async function readPcap(path: string): Promise<CapturedFrame[] | undefined> {
  if (!existsSync(path) || statSync(path).size <= 24) return [];
  const frames: CapturedFrame[] = [];
  try {
    await new FileSource(path).run((f) => frames.push(f));
  } catch {
    return undefined;
  }
  return frames;
}

const udpTo = (port: number) => (f: CapturedFrame): boolean => {
  const r = decodeFrame(f);
  return r.ok && r.packet.udp?.dstPort === port;
};

/** Polls the pcap until `done` holds: the recorder flushes once a second, so this is its event. */
async function waitForPcap(path: string, done: (frames: CapturedFrame[]) => boolean, timeoutMs: number, what: string): Promise<CapturedFrame[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = await readPcap(path);
    if (frames && done(frames)) return frames;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} in ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('earshot record on a live veth', { skip: skipReason, timeout: 180_000 }, () => {
  let dir = '';
  let lab: VethLab;
  let cert = '';
  let key = '';
  const cleanups: (() => Promise<void>)[] = [];
  const node = (script: string, ...args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', join(repoRoot, script), ...args]];
  const marker = randomBytes(16).toString('hex');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-record-live-'));
    lab = await VethLab.create((fn) => cleanups.push(fn));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    const openssl = await runCommand('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test', '-keyout', key, '-out', cert]);
    assert.equal(openssl.code, 0, openssl.stderr);
    const server = lab.spawn(lab.b.ns, ...node('test/support/tls-peer.ts', 'server', lab.b.ip, String(TLS_PORT), cert, key), { cwd: repoRoot });
    await new ProcessOutput(server).waitFor((l) => (l.includes('"listening"') ? true : undefined), 20_000, 'the TLS server');
    // The ring said muted an hour ago and still does.
    writeFileSync(join(dir, 'mic.csv'), `time,state\n${new Date(Date.now() - 3600_000).toISOString()},muted\n`);
    writeFileSync(
      join(dir, 'earshot.json'),
      JSON.stringify({ id: 'rec', capture: { interface: lab.b.iface }, device: { ip: lab.a.ip }, mic: { timeline: join(dir, 'mic.csv') }, state: { path: join(dir, 'state.json') }, model: 'none' }),
    );
  });

  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `earshot record` in the cloud namespace; resolves with the segment's files once it captures. */
  async function startRecorder(dataDir: string): Promise<{ child: ChildProcess; output: ProcessOutput; csv: string; pcap: string }> {
    const child = lab.spawn(lab.b.ns, ...node('appliance/src/cli/bin.ts', 'record', '--config', join(dir, 'earshot.json'), '-o', dataDir, '--max-mb', '40', '--segment-mb', '10'), { cwd: repoRoot });
    const output = new ProcessOutput(child);
    const stem = await output.waitFor((l) => /record: writing (\S+)\.csv and \.pcap/.exec(l)?.[1], 30_000, 'the recorder to open its segment');
    await output.waitFor((l) => (l.includes(`capturing interface ${lab.b.iface}`) ? true : undefined), 30_000, 'the capture to start');
    const pcap = `${stem}.pcap`;
    // libpcap opens the interface after the log line: probe until a datagram reaches the disk.
    const deadline = Date.now() + 30_000;
    while (!((await readPcap(pcap)) ?? []).some(udpTo(PROBE_PORT))) {
      assert.ok(Date.now() < deadline, `no probe datagram reached ${pcap}`);
      const sent = await lab.run(lab.a.ns, ...node('test/support/tls-peer.ts', 'udp', lab.b.ip, String(PROBE_PORT), marker), 20_000);
      assert.equal(sent.code, 0, sent.stderr);
    }
    return { child, output, csv: `${stem}.csv`, pcap };
  }

  async function tlsExchange(bytes: number): Promise<void> {
    const client = await lab.run(lab.a.ns, ...node('test/support/tls-peer.ts', 'client', lab.b.ip, String(TLS_PORT), cert, 'TLSv1.3', String(bytes)), 30_000);
    assert.equal(client.code, 0, client.stderr);
  }

  test('killed like a power cut, it has every packet up to its last second on disk, labelled muted, with headers only', async () => {
    const dataDir = join(dir, 'killed');
    const { child, csv, pcap } = await startRecorder(dataDir);
    await tlsExchange(60_000);
    const end = await lab.run(lab.a.ns, ...node('test/support/tls-peer.ts', 'udp', lab.b.ip, String(END_PORT), marker), 20_000);
    assert.equal(end.code, 0, end.stderr);
    const sentAt = Date.now();
    // Frames reach the disk in capture order, so the end datagram on disk means all before it are.
    const frames = await waitForPcap(pcap, (fs) => fs.some(udpTo(END_PORT)), 5_000, 'the end datagram');
    const lagMs = Date.now() - sentAt;
    assert.ok(lagMs < 2_000, `the end datagram took ${lagMs} ms to reach the disk (flushes are once a second)`);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // The CSV: whole lines only, the paper's columns, app data labelled by the ring (muted).
    const rows = parseFigureCsv(readFileSync(csv, 'utf8'), csv, 'live').rows;
    const after = readFileSync(csv, 'utf8');
    assert.ok(after.endsWith('\n'), 'no torn last line');
    const appData = rows.filter((r) => r.packetClass === 'not_justified');
    assert.ok(appData.length > 0, `no not_justified rows among ${rows.length}`);
    assert.ok(rows.every((r) => r.microphone === 0), 'every row says microphone 0 (muted)');
    // Segments that continue a 16 KB record are the paper's not_relevant; together they carry it all.
    const uploaded = rows.reduce((a, r) => a + (r.payload ?? 0), 0);
    assert.ok(uploaded >= 60_000, `${uploaded} payload bytes in the CSV for a 60000-byte upload`);

    // The pcap: as many Echo-sent TCP frames as CSV rows; nothing past a TLS record header kept.
    const echoTcp = frames.filter((f) => {
      const r = decodeFrame(f);
      return r.ok && r.packet.src === lab.a.ip && r.packet.tcp !== undefined;
    });
    const rowsBeforeEnd = rows.filter((r) => r.timeS * 1e6 <= frames[frames.length - 1].timeUs + 1).length;
    assert.equal(echoTcp.length, rowsBeforeEnd);
    const bytes = readFileSync(pcap);
    assert.ok(!bytes.includes(Buffer.from(marker, 'hex')), 'the UDP payload is not in the pcap');
    assert.ok(frames.every((f) => f.bytes.length <= 14 + 20 + 60 + 5), 'no frame keeps more than its headers and a TLS record header');
    assert.ok(frames.some((f) => f.bytes.length < f.originalLength), 'data frames were cut');
    const tshark = await runCommand('tshark', ['-r', pcap, '-Y', `tcp.dstport == ${TLS_PORT} && tls.record`, '-T', 'fields', '-e', 'tls.record.content_type'], 30_000);
    assert.equal(tshark.code, 0, tshark.stderr);
    const types = new Set(tshark.stdout.split(/[\n,]/).filter(Boolean));
    assert.ok(types.has('22') && types.has('23'), `tshark sees handshake and application-data record headers (got ${[...types].join(' ')})`);
  });

  test('stopped with SIGTERM, it flushes, closes and reports the disk it uses, counting the earlier segment', async () => {
    const dataDir = join(dir, 'killed'); // the same folder: the killed run's segment counts against the budget
    const { child, output, csv, pcap } = await startRecorder(dataDir);
    await tlsExchange(20_000);
    const end = await lab.run(lab.a.ns, ...node('test/support/tls-peer.ts', 'udp', lab.b.ip, String(END_PORT), marker), 20_000);
    assert.equal(end.code, 0, end.stderr);
    // Packets still in the capture buffer when the service stops are the "last second" it may lose.
    await waitForPcap(pcap, (fs) => fs.some(udpTo(END_PORT)), 5_000, 'the end datagram');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const stopped = output.lines.find((l) => l.includes('record: stopped'));
    assert.ok(stopped, output.lines.join('\n'));
    // The report matches the folder: this run's segment and the killed run's, to the KB.
    const inUse = /; (\d+) KB of 40\.0 MB in use$/.exec(stopped);
    assert.ok(inUse, stopped);
    const onDisk = readdirSync(dataDir).reduce((a, n) => a + statSync(join(dataDir, n)).size, 0);
    assert.equal(Number(inUse[1]), Math.round(onDisk / 1e3));
    const started = output.lines.find((l) => l.includes('record: writing'))!;
    const before = Number(/; (\d+) KB of 40\.0 MB in use$/.exec(started)?.[1]);
    assert.ok(before > 0 && before < Number(inUse[1]), `started with ${before} KB from the killed run: ${started}`);
    const rows = parseFigureCsv(readFileSync(csv, 'utf8'), csv, 'live').rows;
    assert.ok(rows.reduce((a, r) => a + (r.payload ?? 0), 0) >= 20_000);
    assert.match(stopped, new RegExp(`: ${rows.length} rows, \\d+ packets since start;`));
  });
});
