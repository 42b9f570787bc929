// Two Echos behind one box, real nftables in the box's namespace: muting the kitchen Echo and
// cutting its upload never cuts the bedroom Echo. The enforcer runs in the test process and
// applies its commands with `nft` inside the box's namespace; the traffic is real TCP.
//
//   kitchen ns eth0 192.0.2.10 --\                                    internet ns
//                                 ap0 (bridge) 192.0.2.1 [nft, NAT] up0  <-->  up1, lo 203.0.113.5 (sink)
//   bedroom ns eth0 192.0.2.20 --/

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandRunner } from '../../appliance/src/ap/command-runner.js';
import { Enforcer, type EnforcementEvent } from '../../appliance/src/ap/enforcer.js';
import { commandNftRunner } from '../../appliance/src/ap/nft-runner.js';
import { renderNftables } from '../../appliance/src/ap/render-nftables.js';
import type { AlertEvent, FlowTuple } from '../../appliance/src/judge/judge-events.js';
import { Namespaces } from '../support/ap-lab.js';
import { minimalAp } from '../support/ap-configs.js';
import { checkedAp } from '../support/ap-hostapd.js';
import { EventChild } from '../support/enforce-lab.js';
import { netnsUnavailableReason } from '../support/netns.js';
import { REPO_ROOT } from '../support/shared-data.js';

const skip = netnsUnavailableReason();
if (skip) console.log(`# skipping the two-Echo enforcement test: ${skip}`);

const BOX = { apIp: '192.0.2.1', upIp: '198.51.100.1', linkIp: '198.51.100.2' } as const;
const SINK = { ip: '203.0.113.5', port: 9000 } as const;
const ECHOS = { kitchen: { ip: '192.0.2.10', mac: '44:65:0d:00:00:10' }, bedroom: { ip: '192.0.2.20', mac: '44:65:0d:00:00:20' } } as const;
type Room = keyof typeof ECHOS;

function alertAbout(device: Room, flow: FlowTuple): AlertEvent {
  return {
    type: 'alert',
    id: `${device}-1`,
    severity: 'critical',
    time: new Date().toISOString(),
    start: new Date().toISOString(),
    mic: 'muted',
    dst: `${flow.dst}:${flow.dstPort}`,
    bytes: 16000,
    packets: 20,
    reason: 'uploaded 16 KB while the microphone was muted',
    flow,
    flows: [flow],
    evidence: { rule: 'volume', peak_bytes_per_s: 16000, mean_bytes_per_s: 16000, downstream_ratio: 0, connections: 1, threshold_factor: 1 },
    device,
  };
}

describe('two Echos on one box: blocking one never cuts the other', { skip, timeout: 60_000 }, () => {
  const spaces = new Namespaces();
  let dir = '';
  let box = '';
  let sink: EventChild;
  const clients = {} as Record<Room, EventChild>;
  const ports = {} as Record<Room, number>;
  let enforcer: Enforcer;
  const events: EnforcementEvent[] = [];

  const peer = (ns: string, ...args: string[]): EventChild =>
    new EventChild(spaces.spawn(ns, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/support/tcp-peers.ts'), ...args], { cwd: REPO_ROOT }));
  const nftSet = async (name: string): Promise<unknown[]> => {
    const listing = JSON.parse((await spaces.mustRun(box, 'nft', ['-j', 'list', 'set', 'inet', 'earshot', name])).stdout);
    // Elements with a timeout are printed as {"elem": {"val": ..., "timeout": ...}}.
    const elements: Array<{ elem?: { val: unknown } }> = listing.nftables.find((o: { set?: unknown }) => o.set)?.set.elem ?? [];
    return elements.map((e) => (e.elem ? e.elem.val : e));
  };
  /** Opens a connection from `room`'s Echo to the sink; resolves with its local port. */
  const connect = async (room: Room): Promise<number> => {
    const from = clients[room].mark;
    clients[room].send({ cmd: 'connect' });
    return (await clients[room].waitFor(from, 'connected', 10_000)).localPort as number;
  };
  /** Sends `bytes` from `room` and waits until the sink has `total` bytes from it. */
  const sendAndArrive = async (room: Room, bytes: number, total: number): Promise<void> => {
    const from = sink.mark;
    clients[room].send({ cmd: 'send', bytes });
    await sink.waitFor(from, 'rx', 10_000, (e) => e.from === room && e.bytes >= total);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-two-echos-'));
    box = await spaces.add('box');
    const internet = await spaces.add('net');
    await spaces.mustRun(box, 'ip', ['link', 'add', 'ap0', 'type', 'bridge']);
    await spaces.mustRun(box, 'ip', ['address', 'add', `${BOX.apIp}/24`, 'dev', 'ap0']);
    await spaces.mustRun(box, 'ip', ['link', 'set', 'ap0', 'up']);
    for (const [room, echo] of Object.entries(ECHOS) as [Room, (typeof ECHOS)[Room]][]) {
      const ns = await spaces.add(room);
      const port = `ap-${room}`;
      await spaces.link({ ns, iface: 'eth0', mac: echo.mac, cidr: `${echo.ip}/24` }, { ns: box, iface: port });
      await spaces.mustRun(box, 'ip', ['link', 'set', port, 'master', 'ap0']);
      await spaces.mustRun(ns, 'ip', ['route', 'add', 'default', 'via', BOX.apIp]);
      clients[room] = peer(ns, 'client', SINK.ip, String(SINK.port), room);
    }
    await spaces.link({ ns: box, iface: 'up0', cidr: `${BOX.upIp}/24` }, { ns: internet, iface: 'up1', cidr: `${BOX.linkIp}/24` });
    await spaces.mustRun(box, 'ip', ['route', 'add', '203.0.113.0/24', 'via', BOX.linkIp]);
    await spaces.mustRun(box, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await spaces.mustRun(internet, 'ip', ['address', 'add', `${SINK.ip}/32`, 'dev', 'lo']);
    const rules = join(dir, 'earshot.nft');
    await writeFile(rules, renderNftables(checkedAp(minimalAp({ interface: 'ap0', uplink: 'up0' }))));
    await spaces.mustRun(box, 'nft', ['-f', rules]);
    sink = peer(internet, 'sink', SINK.ip, String(SINK.port));
    await sink.waitFor(0, 'listening', 20_000);

    // The service's nft runner, pointed into the box's namespace.
    const inBox: CommandRunner = { run: async (command, args, input) => spaces.run(box, command, args, 10_000, input) };
    enforcer = new Enforcer({ mode: 'block-when-muted', hold_new_flows: true, block_timeout_s: 600 }, commandNftRunner(inBox));
    enforcer.on('event', (e) => events.push(e));
    await enforcer.start();
    for (const room of Object.keys(ECHOS) as Room[]) await enforcer.setEchoAddress(ECHOS[room].ip, room);
  });
  after(async () => {
    enforcer?.stop();
    await spaces.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('both Echos reach the sink through the NAT', async () => {
    for (const room of Object.keys(ECHOS) as Room[]) {
      ports[room] = await connect(room);
      await sendAndArrive(room, 1000, 1000);
    }
  });

  test("muting and cutting the kitchen Echo puts only its flow and address into the sets", async () => {
    await enforcer.onMicState('idle', 'bedroom');
    await enforcer.onMicState('muted', 'kitchen');
    const flow: FlowTuple = { protocol: 'tcp', src: ECHOS.kitchen.ip, srcPort: ports.kitchen, dst: SINK.ip, dstPort: SINK.port };
    await enforcer.onAlert(alertAbout('kitchen', flow));
    assert.deepEqual(events.filter((e) => e.action === 'error'), []);
    const blocked = await nftSet('blocked_flows');
    assert.deepEqual(blocked.map((e) => JSON.stringify(e)), [JSON.stringify({ concat: ['tcp', ECHOS.kitchen.ip, ports.kitchen, SINK.ip, SINK.port] })]);
    for (const set of ['cutting_echo', 'capped_echo', 'muted_echo']) assert.deepEqual(await nftSet(set), [ECHOS.kitchen.ip], set);
  });

  test("the kitchen Echo's connection is reset and its new ones refused", async () => {
    let from = clients.kitchen.mark;
    clients.kitchen.send({ cmd: 'send', bytes: 1000 });
    assert.equal((await clients.kitchen.waitFor(from, 'closed', 10_000)).error, 'ECONNRESET');
    from = clients.kitchen.mark;
    clients.kitchen.send({ cmd: 'connect' });
    assert.equal((await clients.kitchen.waitFor(from, 'closed', 10_000)).error, 'ECONNREFUSED');
  });

  test("the bedroom Echo's open connection still carries 256 KB uncapped, and it can open new ones", async () => {
    const started = Date.now();
    await sendAndArrive('bedroom', 256 * 1024, 1000 + 256 * 1024);
    // Capped at 32 KiB/s it would take about 7 s.
    assert.ok(Date.now() - started < 3000, `256 KB took ${Date.now() - started} ms: the bedroom Echo is capped`);
    const from = clients.bedroom.mark;
    await connect('bedroom');
    assert.ok(!clients.bedroom.since(from, 'closed').length, 'a bedroom connection was closed');
  });

  test('unmuting the kitchen Echo empties the sets and lets it connect again', async () => {
    await enforcer.onMicState('idle', 'kitchen');
    for (const set of ['blocked_flows', 'cutting_echo', 'capped_echo', 'muted_echo']) assert.deepEqual(await nftSet(set), [], set);
    ports.kitchen = await connect('kitchen');
    await sendAndArrive('kitchen', 1000, 2000);
    assert.ok(events.filter((e) => 'device' in e).every((e) => 'device' in e && e.device === 'kitchen'), 'an event named the bedroom Echo');
  });
});
