// earshot's hostapd control-interface client, through the python3 relay, against a fake hostapd
// that speaks the real protocol (a unix datagram server) and against the real hostapd with
// driver=none, which has a real control interface without a radio.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { openPythonBridge } from '../../appliance/src/ap/ctrl-bridge.js';
import { EchoFinder, type EchoState } from '../../appliance/src/ap/echo-finder.js';
import { HostapdClient, HostapdMonitor } from '../../appliance/src/ap/hostapd-ctrl.js';
import type { CtrlEvent } from '../../appliance/src/ap/hostapd-events.js';
import { ECHO_MAC, Namespaces } from '../support/ap-lab.js';
import { FakeHostapd } from '../support/ap-fake-hostapd.js';
import { waitForPath } from '../support/ap-hostapd.js';
import { Seen } from '../support/ap-waiting.js';
import { netnsUnavailableReason } from '../support/netns.js';

const python = spawnSync('python3', ['-c', 'import socket'], { timeout: 10_000 }).status === 0 ? undefined : 'python3 is not available (the control-interface relay and the fake hostapd need it)';
if (python) console.log(`# skipping the hostapd control-interface tests: ${python}`);

const recorded = readFileSync(new URL('../fixtures/ap/hostapd-events.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('recorded\t'))
  .map((l) => l.slice('recorded\t'.length));

type MonitorNote = { type: 'attached'; stations: string[] } | { type: 'detached'; reason: string } | { type: 'event'; event: CtrlEvent };

function watch(monitor: HostapdMonitor): Seen<MonitorNote> {
  const seen = new Seen<MonitorNote>();
  monitor.on('attached', (stations) => seen.push({ type: 'attached', stations }));
  monitor.on('detached', (reason) => seen.push({ type: 'detached', reason }));
  monitor.on('event', (event) => seen.push({ type: 'event', event }));
  return seen;
}

describe('the control-interface client against a fake hostapd', { skip: python, timeout: 60_000 }, () => {
  let dir = '';
  let fake: FakeHostapd | undefined;
  let monitor: HostapdMonitor | undefined;
  const clients: HostapdClient[] = [];
  before(async () => void (dir = await mkdtemp(join(tmpdir(), 'earshot-ctrl-'))));
  afterEach(async () => {
    // Each client's relay is a child process: closing it lets the test process end.
    for (const client of clients.splice(0)) client.close();
    monitor?.stop();
    await fake?.stop();
  });
  const connect = async (path: string, onEvent: ConstructorParameters<typeof HostapdClient>[1] = () => {}): Promise<HostapdClient> => {
    const client = new HostapdClient(await openPythonBridge(path), onEvent);
    clients.push(client);
    return client;
  };
  after(async () => void (dir && (await rm(dir, { recursive: true, force: true }))));

  const socketPath = (name: string): string => join(dir, name);

  test('pings, attaches and then receives every recorded event in order', async () => {
    fake = await FakeHostapd.start(socketPath('events'));
    const events = new Seen<CtrlEvent>();
    const client = await connect(fake.path, events.push);
    assert.equal(await client.ping(), true);
    await client.attach();
    for (const line of recorded) await fake.sendEvent(line);
    await events.waitFor(() => events.items.length === recorded.length, 5000, 'all recorded events');
    assert.deepEqual(events.items.map((e) => e.event.kind), ['station-connected', 'station-connected', 'station-disconnected', 'station-disconnected', 'ap-disabled', 'ap-enabled', 'terminating', 'station-connected', 'station-disconnected']);
    assert.deepEqual(fake.received, ['PING', 'ATTACH']);
  });

  test('takes an event that arrives before a reply as an event, and the reply as the reply', async () => {
    fake = await FakeHostapd.start(socketPath('interleaved'));
    const events = new Seen<CtrlEvent>();
    const client = await connect(fake.path, events.push);
    await client.attach();
    await fake.sendEventBeforeNextReply(`<3>AP-STA-CONNECTED ${ECHO_MAC}`);
    assert.equal((await client.request('PING')).trim(), 'PONG');
    assert.deepEqual(events.items.map((e) => e.event), [{ kind: 'station-connected', mac: ECHO_MAC, params: {} }]);
  });

  test('refuses a command with a line break rather than sending two', async () => {
    fake = await FakeHostapd.start(socketPath('newline'));
    const client = await connect(fake.path);
    await assert.rejects(client.request('PING\nDETACH'), /line break/);
  });

  test('lists the stations associated before it attached, so an Echo already there is found', async () => {
    fake = await FakeHostapd.start(socketPath('stations'));
    await fake.setStations(['b8:27:eb:01:02:03', ECHO_MAC]);
    monitor = new HostapdMonitor({ open: () => openPythonBridge(fake!.path), pingIntervalMs: 60_000 });
    const finder = new EchoFinder();
    monitor.on('attached', (stations) => finder.setStations(stations));
    const seen = watch(monitor);
    monitor.start();
    const attached = await seen.waitFor((n) => n.type === 'attached', 10_000, 'attach');
    assert.deepEqual(attached, { type: 'attached', stations: ['b8:27:eb:01:02:03', ECHO_MAC] });
    // The fake reports what it got on its stdout, which may reach us after its reply did.
    await fake.waitForCommand(`STA-NEXT ${ECHO_MAC}`);
    assert.deepEqual(fake.received, ['ATTACH', 'STA-FIRST', 'STA-NEXT b8:27:eb:01:02:03', `STA-NEXT ${ECHO_MAC}`]);
    assert.equal(finder.state.connected, true);
  });

  test('reattaches to a hostapd that restarted, and sees events from the new one', async () => {
    const path = socketPath('restart');
    fake = await FakeHostapd.start(path);
    monitor = new HostapdMonitor({ open: () => openPythonBridge(path), pingIntervalMs: 200, retryMinMs: 50, retryMaxMs: 200 });
    const seen = watch(monitor);
    monitor.start();
    await seen.waitFor((n) => n.type === 'attached', 10_000, 'the first attach');
    await fake.sendEvent('<3>CTRL-EVENT-TERMINATING ');
    await fake.stop();
    await seen.waitFor((n) => n.type === 'detached', 5000, 'the monitor to notice hostapd left');
    fake = await FakeHostapd.start(path);
    const again = seen.items.length;
    await seen.waitFor((n) => n.type === 'attached', 10_000, 'the second attach', again);
    await fake.sendEvent(`<3>AP-STA-CONNECTED ${ECHO_MAC}`);
    await seen.waitFor((n) => n.type === 'event' && n.event.event.kind === 'station-connected', 5000, 'an event from the new hostapd', again);
  });

  test('notices a hostapd that stopped answering, by PING', async () => {
    fake = await FakeHostapd.start(socketPath('hung'));
    monitor = new HostapdMonitor({ open: () => openPythonBridge(fake!.path), pingIntervalMs: 100, requestTimeoutMs: 300, retryMinMs: 5000 });
    const seen = watch(monitor);
    monitor.start();
    await seen.waitFor((n) => n.type === 'attached', 10_000, 'attach');
    await fake.waitForCommand('PING');
    await fake.setSilent(true);
    const detached = await seen.waitFor((n) => n.type === 'detached', 5000, 'the monitor to give up on the silent hostapd');
    assert.match((detached as { reason: string }).reason, /no reply to PING within 300 ms/);
  });

  test('says why when there is no control socket at all', async () => {
    await assert.rejects(openPythonBridge(socketPath('nobody-home')), /nobody-home: (No such file or directory|Connection refused)/);
  });
});

const skipReal = python ?? netnsUnavailableReason();
describe('the control-interface client against the real hostapd (driver=none, in a namespace)', { skip: skipReal, timeout: 60_000 }, () => {
  const spaces = new Namespaces();
  let ns = '';
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-ctrl-real-'));
    ns = await spaces.add('hostapd');
  });
  after(async () => {
    await spaces.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('turns real AP-STA-CONNECTED and AP-STA-DISCONNECTED events into "Echo connected", across a hostapd restart', async () => {
    const ctrl = join(dir, 'ctrl');
    const socket = join(ctrl, 'esap0');
    const conf = join(dir, 'hostapd.conf');
    // An open BSS: only then does NEW_STA authorise a station at once and hostapd report it.
    await writeFile(conf, `interface=esap0\ndriver=none\nctrl_interface=${ctrl}\nssid=earshot-test\n`);
    let hostapd = spaces.spawn(ns, 'hostapd', [conf]);
    await waitForPath(socket, 10_000, () => hostapd.exitCode === null);

    const monitor = new HostapdMonitor({ open: () => openPythonBridge(socket), pingIntervalMs: 500, retryMinMs: 50, retryMaxMs: 200 });
    const finder = new EchoFinder();
    const states = new Seen<EchoState>();
    finder.on('change', states.push);
    monitor.on('attached', (stations) => finder.setStations(stations));
    monitor.on('event', (event) => finder.handleEvent(event));
    const seen = watch(monitor);
    try {
      monitor.start();
      await seen.waitFor((n) => n.type === 'attached', 10_000, 'attach');
      assert.equal((await monitor.request(`NEW_STA ${ECHO_MAC}`)).trim(), 'OK');
      await states.waitFor((s) => s.connected, 5000, 'the Echo to connect');
      assert.deepEqual({ ...finder.state, since: undefined }, { connected: true, mac: ECHO_MAC, recognisedBy: 'Amazon OUI', since: undefined });
      assert.equal((await monitor.request(`DEAUTHENTICATE ${ECHO_MAC}`)).trim(), 'OK');
      await states.waitFor((s) => !s.connected, 5000, 'the Echo to disconnect');

      // The real hostapd says goodbye; the monitor reattaches to the next one and finds the
      // Echo that is already associated there.
      await monitor.request(`NEW_STA ${ECHO_MAC}`);
      await states.waitFor((s) => s.connected, 5000, 'the Echo to connect again');
      const exited = new Promise((resolve) => hostapd.once('exit', resolve));
      hostapd.kill('SIGTERM');
      await seen.waitFor((n) => n.type === 'event' && n.event.event.kind === 'terminating', 5000, 'CTRL-EVENT-TERMINATING');
      await exited;
      await states.waitFor((s) => !s.connected, 5000, 'the Echo to be gone with the AP');
      const mark = seen.items.length;
      hostapd = spaces.spawn(ns, 'hostapd', [conf]);
      await waitForPath(socket, 10_000, () => hostapd.exitCode === null);
      await seen.waitFor((n) => n.type === 'attached', 10_000, 'the monitor to reattach', mark);
      assert.deepEqual(seen.items.slice(mark).filter((n) => n.type === 'attached'), [{ type: 'attached', stations: [] }]);
    } finally {
      monitor.stop();
    }
  });
});
