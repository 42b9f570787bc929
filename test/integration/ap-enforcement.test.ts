// Enforcement end to end, in three network namespaces: a fake Echo, the box (the rendered
// nftables ruleset with NAT, live capture -> pipeline -> the judge -> the enforcer) and the cloud.
// Real TLS 1.3 carries heartbeats and a voice-paced upload while the ring says muted.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { EnforcementConfig } from '../../appliance/src/ap/config.js';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import type { DecodedPacket } from '../../appliance/src/decode/types.js';
import { renderNftables } from '../../appliance/src/ap/render-nftables.js';
import { createApLab, LAB, Namespaces, type ApLab } from '../support/ap-lab.js';
import { minimalAp } from '../support/ap-configs.js';
import { checkedAp } from '../support/ap-hostapd.js';
import { netnsUnavailableReason, ProcessOutput, runCommand } from '../support/netns.js';

const skip = netnsUnavailableReason();
if (skip) console.log(`# skipping the enforcement end-to-end tests: ${skip}`);

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const support = (name: string): string => join(repoRoot, 'test/support', name);
/** Voice-paced, like a real Echo command: an 8 KB burst, then 1 KB every 20 ms (50 KB/s). */
const UPLOAD = { burst: 8000, chunk: 1000, intervalMs: 20, total: 208_000 };
const GOAL_BYTES = 64 * 1024;

type Json = Record<string, any>;
const event = (name: string, where: (e: Json) => boolean = () => true) => (line: string): Json | undefined => {
  if (!line.startsWith('{')) return undefined;
  const value = JSON.parse(line) as Json;
  return value.event === name && where(value) ? value : undefined;
};
/** Waits for an event printed after `from` lines. */
const eventAfter = (output: ProcessOutput, from: number, name: string, timeoutMs: number, where?: (e: Json) => boolean): Promise<Json> => {
  let index = 0;
  return output.waitFor((line) => (index++ >= from ? event(name, where)(line) : undefined), timeoutMs, name);
};

interface Scene {
  lab: ApLab;
  box: { child: ChildProcess; out: ProcessOutput };
  echo: { child: ChildProcess; out: ProcessOutput };
  cloud: { child: ChildProcess; out: ProcessOutput };
  send(to: { child: ChildProcess }, value: object): void;
  nftSet(name: string): Promise<string[]>;
  counter(pattern: RegExp): Promise<number>;
  cloudReport(): Promise<Json[]>;
  /** Captures on the cloud's side of the box until the returned function is called. */
  captureCloudSide(): Promise<() => Promise<DecodedPacket[]>>;
}

/**
 * TCP payload bytes of the upload that left the box, counted in sequence space on the cloud's
 * side (so retransmissions count once), from the upload's first packet: the first one after the
 * mute that is bigger than a 46-byte heartbeat, on the NATed flow that carried the most.
 */
function uploadBytesOnTheWire(packets: DecodedPacket[], mutedAtUs: number): number {
  const toServer = packets.filter((p) => p.src === LAB.boxUpIp && p.dst === LAB.serverIp && p.tcp?.dstPort === 443 && p.payloadLength > 0);
  const byPort = new Map<number, number>();
  for (const p of toServer) byPort.set(p.tcp!.srcPort, (byPort.get(p.tcp!.srcPort) ?? 0) + p.payloadLength);
  const port = [...byPort].sort((a, b) => b[1] - a[1])[0]?.[0];
  const flow = toServer.filter((p) => p.tcp!.srcPort === port);
  const first = flow.find((p) => p.timeUs > mutedAtUs && p.payloadLength > 46);
  if (!first) return 0;
  let end = 0;
  for (const p of flow) if (p.timeUs >= first.timeUs) end = Math.max(end, ((p.tcp!.seq - first.tcp!.seq) >>> 0) + p.payloadLength);
  return end;
}

async function scene(spaces: Namespaces, dir: string, enforcement: EnforcementConfig): Promise<Scene> {
  const lab = await createApLab(spaces);
  const ap = checkedAp(minimalAp({ interface: 'ap0', uplink: 'up0' }));
  const rules = join(dir, `earshot-${enforcement.mode}.nft`);
  await writeFile(rules, renderNftables(ap));
  await spaces.mustRun(lab.box, 'nft', ['-f', rules]);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const openssl = await runCommand('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test', '-keyout', key, '-out', cert]);
  assert.equal(openssl.code, 0, openssl.stderr);
  const node = (ns: string, script: string, ...args: string[]) => {
    const child = spaces.spawn(ns, process.execPath, ['--import', 'tsx', support(script), ...args], { cwd: repoRoot });
    return { child, out: new ProcessOutput(child) };
  };
  const cloud = node(lab.cloud, 'ap-echo-peers.ts', 'cloud', LAB.serverIp, '443', cert, key);
  const box = node(lab.box, 'ap-box-child.ts', JSON.stringify({ iface: 'ap0', echoIp: LAB.echoIp, enforcement }));
  const echo = node(lab.echo, 'ap-echo-peers.ts', 'echo', LAB.serverIp, '443', cert);
  await cloud.out.waitFor(event('listening'), 20_000, 'the cloud to listen');
  await box.out.waitFor(event('ready'), 20_000, 'the box to capture');
  const send = (to: { child: ChildProcess }, value: object): void => void to.child.stdin!.write(`${JSON.stringify(value)}\n`);
  return {
    lab,
    box,
    echo,
    cloud,
    send,
    async nftSet(name) {
      const listing = JSON.parse((await spaces.mustRun(lab.box, 'nft', ['-j', 'list', 'set', 'inet', 'earshot', name])).stdout);
      return (listing.nftables.find((o: Json) => o.set)?.set.elem ?? []).map((e: unknown) => JSON.stringify(e));
    },
    async counter(pattern) {
      const text = (await spaces.mustRun(lab.box, 'nft', ['list', 'chain', 'inet', 'earshot', 'forward'])).stdout;
      const line = text.split('\n').find((l) => pattern.test(l));
      assert.ok(line, `no rule matching ${pattern}`);
      return Number(/counter packets (\d+)/.exec(line)![1]);
    },
    async captureCloudSide() {
      const pcap = join(dir, `cloud-${enforcement.mode}.pcap`);
      const marker = randomBytes(16).toString('hex');
      const capture = node(lab.cloud, 'live-capture-child.ts', 'up1', pcap, marker, '60000');
      await capture.out.waitFor(event('ready'), 20_000, 'the cloud-side capture to start');
      return async () => {
        // Frames arrive in order: once the capture sees this datagram it has seen everything before it.
        const sent = await spaces.run(lab.cloud, process.execPath, ['--import', 'tsx', support('tls-peer.ts'), 'udp', LAB.boxUpIp, '9', marker], 20_000);
        assert.equal(sent.code, 0, sent.stderr);
        const done = await capture.out.waitFor(event('done'), 20_000, 'the cloud-side capture to finish');
        assert.equal(done.stopReason, 'marker');
        const packets: DecodedPacket[] = [];
        await new FileSource(pcap).run((frame) => {
          const decoded = decodeFrame(frame);
          if (decoded.ok) packets.push(decoded.packet);
        });
        return packets;
      };
    },
    async cloudReport() {
      const from = cloud.out.lines.length;
      send(cloud, { cmd: 'report' });
      return (await eventAfter(cloud.out, from, 'report', 5000)).connections;
    },
  };
}

/** Connects the Echo and proves the path works: TLS through the box's NAT, one heartbeat answered. */
async function connectEcho(s: Scene): Promise<number> {
  const from = s.echo.out.lines.length;
  s.send(s.echo, { cmd: 'connect' });
  const secure = await eventAfter(s.echo.out, from, 'secure', 15_000);
  s.send(s.echo, { cmd: 'heartbeat' });
  await eventAfter(s.echo.out, from, 'heartbeat-ok', 10_000);
  return secure.localPort as number;
}

/** Sets the ring state on the box; resolves with the capture-clock time of the change. */
async function setMic(s: Scene, state: string): Promise<number> {
  const from = s.box.out.lines.length;
  s.send(s.box, { cmd: 'mic', state });
  return (await eventAfter(s.box.out, from, 'mic', 10_000, (e) => e.state === state)).timeUs as number;
}

describe('enforcement in block-when-muted mode, with new flows held while muted', { skip, timeout: 120_000 }, () => {
  const spaces = new Namespaces();
  let dir = '';
  let s: Scene;
  let uploadPort = 0;
  let alert: Json;
  let uploadBytesCrossed = 0;
  let mutedAtUs = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-enforce-'));
    s = await scene(spaces, dir, { mode: 'block-when-muted', hold_new_flows: true, block_timeout_s: 3600 });
  });
  after(async () => {
    await spaces.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the Echo reaches the cloud through the box's NAT, which the cloud cannot route back to without", async () => {
    uploadPort = await connectEcho(s);
    const [connection] = (await s.cloudReport()).filter((c) => c.open);
    assert.ok(connection);
    const seen = s.cloud.out.lines.map((l) => event('connection')(l)).find(Boolean)!;
    assert.equal(seen.remoteAddress, LAB.boxUpIp, 'the cloud saw the Echo itself, not the NATed box');
  });

  test('holds the muted Echo in muted_echo, while heartbeats on its open connection still pass', async () => {
    mutedAtUs = await setMic(s, 'muted');
    const held = (await s.nftSet('muted_echo')).map((e) => JSON.parse(e).elem);
    assert.deepEqual(held.map((e: Json) => [e.val, e.timeout]), [[LAB.echoIp, 600]]);
    const from = s.echo.out.lines.length;
    s.send(s.echo, { cmd: 'heartbeat' });
    await eventAfter(s.echo.out, from, 'heartbeat-ok', 10_000);
  });

  test('cuts a muted voice upload after at most 64 KB have crossed the box, by resetting its flow', async () => {
    const stopCapture = await s.captureCloudSide();
    const from = s.echo.out.lines.length;
    const boxFrom = s.box.out.lines.length;
    s.send(s.echo, { cmd: 'upload', ...UPLOAD });
    alert = await eventAfter(s.box.out, boxFrom, 'alert', 10_000);
    assert.equal(alert.severity, 'critical');
    assert.deepEqual(alert.flow, { protocol: 'tcp', src: LAB.echoIp, srcPort: uploadPort, dst: LAB.serverIp, dstPort: 443 });
    const block = await eventAfter(s.box.out, boxFrom, 'enforcement', 10_000, (e) => e.action === 'block');
    assert.equal(block.alert_id, alert.id);
    const closed = await eventAfter(s.echo.out, from, 'closed', 10_000);
    assert.equal(closed.error, 'ECONNRESET', 'the Echo was not reset');
    const [upload] = (await s.cloudReport()).filter((c) => c.uploadBytes > 0);
    uploadBytesCrossed = uploadBytesOnTheWire(await stopCapture(), mutedAtUs);
    const latencyMs = Date.parse(block.time) - Date.parse(alert.start);
    console.log(
      `# muted upload: ${uploadBytesCrossed} bytes of TCP payload crossed the box after its first packet (goal <= ${GOAL_BYTES}; ` +
        `the cloud read ${upload?.uploadBytes ?? 0} of the ${UPLOAD.total} upload bytes); alert after ${alert.bytes} bytes and ` +
        `${Date.parse(alert.time) - Date.parse(alert.start)} ms of capture time; block in place ${latencyMs} ms after the first packet`,
    );
    assert.ok(uploadBytesCrossed > 0, 'none of the upload crossed: the test did not measure anything');
    assert.ok(uploadBytesCrossed <= GOAL_BYTES, `${uploadBytesCrossed} bytes crossed`);
    assert.ok(!s.echo.out.lines.some((l) => event('upload-done')(l)), 'the upload ran to its end');
    assert.deepEqual((await s.nftSet('blocked_flows')).length, 1);
  });

  test('refuses a connection the Echo opens while the episode is being cut: it would be part of that upload', async () => {
    const from = s.echo.out.lines.length;
    const boxFrom = s.box.out.lines.length;
    s.send(s.echo, { cmd: 'connect' });
    const refused = await eventAfter(s.echo.out, from, 'closed', 10_000);
    assert.equal(refused.error, 'ECONNREFUSED', 'the SYN was not answered with a reset');
    assert.ok(!s.echo.out.lines.slice(from).some((l) => event('tcp-connected')(l)), 'TCP connected during the cut');
    // The episode ends after its quiet gap (longer while muted); the cut goes with it, the hold stays.
    const uncut = await eventAfter(s.box.out, boxFrom, 'enforcement', 20_000, (e) => e.action === 'uncut');
    assert.deepEqual([uncut.alert_id, uncut.reason], [alert.id, 'episode over']);
    assert.deepEqual(await s.nftSet('cutting_echo'), []);
  });

  test('holds a TLS connection the Echo opens while muted once the episode is over: TCP connects, the ClientHello is dropped', async () => {
    const from = s.echo.out.lines.length;
    const held = await s.counter(/ct mark & 0x00000100 == 0x00000100 meta length > 160/);
    s.send(s.echo, { cmd: 'connect' });
    await eventAfter(s.echo.out, from, 'tcp-connected', 10_000);
    // Wait until the ClientHello and one retransmission of it have been dropped by the hold rule.
    const deadline = Date.now() + 10_000;
    while ((await s.counter(/ct mark & 0x00000100 == 0x00000100 meta length > 160/)) < held + 2) {
      assert.ok(Date.now() < deadline, 'the hold rule did not drop the ClientHello');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(!s.echo.out.lines.slice(from).some((l) => event('secure')(l)), 'TLS completed while muted');
  });

  test('after unmute the blocks and the hold are lifted and the Echo\'s heartbeat connection works again', async () => {
    const from = s.echo.out.lines.length;
    const boxFrom = s.box.out.lines.length;
    await setMic(s, 'idle');
    const actions = s.box.out.lines.slice(boxFrom).map((l) => event('enforcement')(l)).filter(Boolean).map((e) => `${e!.action}${e!.reason ? `: ${e!.reason}` : ''}`);
    assert.deepEqual(actions, ['unblock: unmuted', 'uncap: unmuted', 'release: unmuted']);
    assert.deepEqual(await s.nftSet('blocked_flows'), []);
    assert.deepEqual(await s.nftSet('muted_echo'), []);
    assert.deepEqual(await s.nftSet('capped_echo'), []);
    await eventAfter(s.echo.out, from, 'secure', 20_000);
    s.send(s.echo, { cmd: 'heartbeat' });
    const ok = await eventAfter(s.echo.out, from, 'heartbeat-ok', 10_000);
    assert.notEqual(ok.localPort, uploadPort, 'the heartbeat went over the reset connection');
  });
});

describe('enforcement in alert mode', { skip, timeout: 120_000 }, () => {
  const spaces = new Namespaces();
  let dir = '';
  let s: Scene;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-alert-'));
    s = await scene(spaces, dir, { mode: 'alert', hold_new_flows: true, block_timeout_s: 3600 });
  });
  after(async () => {
    await spaces.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('alerts on the muted upload, says what it would block, and blocks nothing: the whole upload arrives', async () => {
    await connectEcho(s);
    const mutedAt = await setMic(s, 'muted');
    const stopCapture = await s.captureCloudSide();
    const from = s.echo.out.lines.length;
    const boxFrom = s.box.out.lines.length;
    s.send(s.echo, { cmd: 'upload', ...UPLOAD });
    const alert = await eventAfter(s.box.out, boxFrom, 'alert', 10_000);
    assert.equal(alert.severity, 'critical');
    const wouldBlock = await eventAfter(s.box.out, boxFrom, 'enforcement', 10_000);
    assert.equal(wouldBlock.action, 'would-block');
    await eventAfter(s.echo.out, from, 'upload-done', 20_000);
    s.send(s.echo, { cmd: 'heartbeat' });
    await eventAfter(s.echo.out, from, 'heartbeat-ok', 10_000);
    const [connection] = await s.cloudReport();
    assert.equal(connection.uploadBytes, UPLOAD.total);
    assert.ok(uploadBytesOnTheWire(await stopCapture(), mutedAt) >= UPLOAD.total, 'the wire count missed part of the upload');
    assert.deepEqual(await s.nftSet('blocked_flows'), []);
    assert.deepEqual(await s.nftSet('muted_echo'), []);
    assert.ok(!s.echo.out.lines.some((l) => event('closed')(l)));
  });
});
