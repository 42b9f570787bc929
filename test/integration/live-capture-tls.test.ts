// Captures real TLS 1.2 and 1.3 sessions live with LiveSource on a veth between two network
// namespaces, then checks the capture frame by frame.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import type { CaptureStats } from '../../appliance/src/capture/packet-source.js';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import type { TlsRecordHeader } from '../../appliance/src/flows/tls-records.js';
import type { CapturedFrame } from '../../appliance/src/decode/types.js';
import { FlowTable } from '../../appliance/src/flows/flow-table.js';
import { netnsUnavailableReason, ProcessOutput, runCommand, VethLab } from '../support/netns.js';
import { helloSupportedVersions, reassemble, tcpSegment, tlsRecords, type Segment, type TlsRecord } from '../support/tls-scan.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const support = (name: string): string => join(repoRoot, 'test/support', name);
const EXCHANGE_BYTES = 200_000;
const TLS_PORT = 8443;
const MTU = 1500;
const HANDSHAKE = 22;
const CHANGE_CIPHER_SPEC = 20;
const APPLICATION_DATA = 23;

interface Session {
  protocol: string;
  toServer: TlsRecord[];
  toClient: TlsRecord[];
  gaps: number;
  /** What earshot's decoder and per-flow record tracker found, segment by segment. */
  trackedToServer: TlsRecordHeader[];
  trackedToClient: TlsRecordHeader[];
}

const skipReason = netnsUnavailableReason();
if (skipReason) console.log(`# skipping live TLS capture tests: ${skipReason}`);

describe('live capture of TLS between two network namespaces', { skip: skipReason, timeout: 120_000 }, () => {
  let dir = '';
  let frames: CapturedFrame[] = [];
  let stats: CaptureStats = { received: 0, dropped: 0, interfaceDropped: 0 };
  const sessions = new Map<string, Session>();
  let lab: VethLab;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-live-tls-'));
    lab = await VethLab.create((fn) => cleanups.push(fn));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const openssl = await runCommand('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test', '-keyout', key, '-out', cert]);
    assert.equal(openssl.code, 0, `openssl failed: ${openssl.stderr}`);

    const node = (script: string, ...args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', support(script), ...args]];
    const marker = randomBytes(16).toString('hex');
    const capturePath = join(dir, 'live.pcap');
    const capture = lab.spawn(lab.a.ns, ...node('live-capture-child.ts', lab.a.iface, capturePath, marker), { cwd: repoRoot });
    const captureOutput = new ProcessOutput(capture);
    const server = lab.spawn(lab.a.ns, ...node('tls-peer.ts', 'server', lab.a.ip, String(TLS_PORT), cert, key), { cwd: repoRoot });
    const serverOutput = new ProcessOutput(server);
    const json = (event: string) => (line: string) => (line.startsWith('{') && JSON.parse(line).event === event ? JSON.parse(line) : undefined);
    await captureOutput.waitFor(json('ready'), 20_000, 'the capture to start');
    await serverOutput.waitFor(json('listening'), 20_000, 'the TLS server to listen');

    const clientPorts = new Map<number, string>();
    for (const version of ['TLSv1.2', 'TLSv1.3']) {
      const client = await lab.run(lab.b.ns, ...node('tls-peer.ts', 'client', lab.a.ip, String(TLS_PORT), cert, version, String(EXCHANGE_BYTES)), 30_000);
      assert.equal(client.code, 0, `${version} client failed: ${client.stderr}`);
      const done = JSON.parse(client.stdout.trim().split('\n').at(-1) ?? '{}');
      assert.equal(done.protocol, version);
      assert.equal(done.received, EXCHANGE_BYTES);
      clientPorts.set(done.localPort, version);
    }
    // Frames arrive in order, so once the capture sees this datagram it has seen all the TLS.
    const sent = await lab.run(lab.b.ns, ...node('tls-peer.ts', 'udp', lab.a.ip, '9', marker), 20_000);
    assert.equal(sent.code, 0, `marker send failed: ${sent.stderr}`);
    const result = await captureOutput.waitFor(json('done'), 30_000, 'the capture to finish');
    assert.equal(result.stopReason, 'marker');
    stats = result.stats;

    await new FileSource(capturePath).run((f) => frames.push(f));
    const tracked = trackRecords(frames);
    // The reference: whole streams reassembled by independent test code, then walked record by record.
    const segments = frames.map(tcpSegment).filter((s): s is Segment => s !== undefined);
    for (const [port, protocol] of clientPorts) {
      const toServer = reassemble(segments.filter((s) => s.srcPort === port && s.dstPort === TLS_PORT));
      const toClient = reassemble(segments.filter((s) => s.srcPort === TLS_PORT && s.dstPort === port));
      sessions.set(protocol, {
        protocol,
        toServer: tlsRecords(toServer.stream),
        toClient: tlsRecords(toClient.stream),
        gaps: toServer.gaps + toClient.gaps,
        trackedToServer: tracked.get(`${port}>${TLS_PORT}`) ?? [],
        trackedToClient: tracked.get(`${TLS_PORT}>${port}`) ?? [],
      });
    }
  });

  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const session = (protocol: string): Session => {
    const s = sessions.get(protocol);
    assert.ok(s, `no ${protocol} session in the capture`);
    return s;
  };
  const types = (records: TlsRecord[]): Set<number> => new Set(records.map((r) => r.contentType));

  test('captures frames in both directions without dropping any', () => {
    const sources = new Set(frames.map(tcpSegment).map((s) => s?.src));
    assert.ok(sources.has(lab.a.ip) && sources.has(lab.b.ip), `frames only from ${[...sources].join(', ')}`);
    assert.ok(frames.length > 2 * (EXCHANGE_BYTES * 2) / MTU, `only ${frames.length} frames`);
    assert.ok(stats.received >= frames.length, `libpcap received ${stats.received}, delivered ${frames.length}`);
    assert.equal(stats.dropped, 0);
  });

  test('captures full-size frames but none larger than the MTU plus the Ethernet header, so offloads are off', () => {
    const largest = Math.max(...frames.map((f) => f.bytes.length));
    assert.ok(largest <= MTU + 14, `a ${largest}-byte frame means segmentation offload is still on`);
    assert.ok(largest >= MTU + 14 - 100, `the largest frame is only ${largest} bytes`);
    assert.ok(frames.every((f) => f.originalLength === f.bytes.length), 'some frames were cut by the snap length');
  });

  test('the decoder and the per-flow record tracker find exactly the records of the reassembled streams', () => {
    for (const protocol of ['TLSv1.2', 'TLSv1.3']) {
      const s = session(protocol);
      const headers = (records: TlsRecord[]): TlsRecordHeader[] => records.map(({ contentType, version, length }) => ({ contentType, version, length }));
      assert.ok(s.trackedToServer.length > 10, `${protocol}: only ${s.trackedToServer.length} records tracked`);
      assert.deepEqual(s.trackedToServer, headers(s.toServer), `${protocol} client to server`);
      assert.deepEqual(s.trackedToClient, headers(s.toClient), `${protocol} server to client`);
    }
  });

  test('reassembles both TLS sessions without holes in either direction', () => {
    assert.equal(session('TLSv1.2').gaps, 0);
    assert.equal(session('TLSv1.3').gaps, 0);
  });

  test('sees each client open with a ClientHello in a handshake record', () => {
    for (const protocol of ['TLSv1.2', 'TLSv1.3']) {
      const first = session(protocol).toServer[0];
      assert.equal(first.contentType, HANDSHAKE, protocol);
      assert.ok(first.version === 0x0301 || first.version === 0x0303, `${protocol} record version 0x${first.version.toString(16)}`);
      assert.equal(first.body[0], 1, `${protocol} first handshake message is not a ClientHello`);
    }
  });

  test('sees change_cipher_spec from both sides and application data both ways in the TLS 1.2 session', () => {
    const s = session('TLSv1.2');
    for (const [side, records] of [['client', s.toServer], ['server', s.toClient]] as const) {
      assert.ok(types(records).has(CHANGE_CIPHER_SPEC), `no change_cipher_spec from the ${side}`);
      assert.ok(types(records).has(APPLICATION_DATA), `no application data from the ${side}`);
    }
    const serverHello = s.toClient[0];
    assert.equal(serverHello.body[0], 2);
    assert.ok(!helloSupportedVersions(serverHello).includes(0x0304), 'the TLS 1.2 server hello chose TLS 1.3');
  });

  test('sees a TLS 1.3 ClientHello offering 1.3 in supported_versions and a ServerHello choosing it', () => {
    const s = session('TLSv1.3');
    assert.ok(helloSupportedVersions(s.toServer[0]).includes(0x0304));
    assert.equal(s.toClient[0].body[0], 2);
    assert.deepEqual(helloSupportedVersions(s.toClient[0]), [0x0304]);
  });

  test('sees TLS 1.3 application data records under the legacy 0x0303 version in both directions', () => {
    const s = session('TLSv1.3');
    for (const records of [s.toServer, s.toClient]) {
      const appData = records.filter((r) => r.contentType === APPLICATION_DATA);
      assert.ok(appData.length > 0);
      assert.ok(appData.every((r) => r.version === 0x0303));
    }
  });

  test('finds at least the 200 KB exchanged each way in application data records of both sessions', () => {
    for (const protocol of ['TLSv1.2', 'TLSv1.3']) {
      const s = session(protocol);
      for (const records of [s.toServer, s.toClient]) {
        const bytes = records.filter((r) => r.contentType === APPLICATION_DATA).reduce((n, r) => n + r.length, 0);
        assert.ok(bytes >= EXCHANGE_BYTES, `${protocol}: only ${bytes} bytes of application data`);
      }
    }
  });
});

/** Runs every frame through decodeFrame and the FlowTable, collecting record headers per direction. */
function trackRecords(frames: CapturedFrame[]): Map<string, TlsRecordHeader[]> {
  const table = new FlowTable();
  const byDirection = new Map<string, TlsRecordHeader[]>();
  for (const frame of frames) {
    const result = decodeFrame(frame);
    if (!result.ok || !result.packet.tcp) continue;
    const obs = table.observe(result.packet);
    if (!obs || obs.tlsRecords.length === 0) continue;
    const key = `${result.packet.tcp.srcPort}>${result.packet.tcp.dstPort}`;
    const list = byDirection.get(key) ?? [];
    list.push(...obs.tlsRecords.map((r) => ({ ...r })));
    byDirection.set(key, list);
  }
  return byDirection;
}
