// The service on the box: the access point tells it when the Echo is connected, and a critical
// alert under block-when-muted becomes an nftables block that acknowledging lifts. The nft runner
// records the commands (the access point's own namespace test runs them against real nftables).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EchoFinder } from '../../appliance/src/ap/echo-finder.js';
import { Enforcer, type EnforcementEvent } from '../../appliance/src/ap/enforcer.js';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { MicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import type { BoxCommand, StatePublisher } from '../../appliance/src/service/mqtt-publisher.js';
import { EarshotService } from '../../appliance/src/service/earshot-service.js';
import { resolveConfig } from '../../appliance/src/service/load-config.js';
import { createNotifier } from '../../appliance/src/service/sd-notify.js';
import type { ServiceState } from '../../appliance/src/service/service-state.js';
import { StateStore } from '../../appliance/src/service/state-store.js';
import { ECHO, writeUploadsCapture } from '../support/service-captures.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0) * 1000;
const dir = mkdtempSync(join(tmpdir(), 'earshot-enforcement-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const capture = join(dir, 'uploads.pcap');
writeUploadsCapture(capture, { uploads: 1, spacingS: 3.5, startUs: T0 });

/** Records what would go to the broker, and lets the test press Home Assistant's buttons. */
class RecordingPublisher implements StatePublisher {
  states: ServiceState[] = [];
  events: Record<string, unknown>[] = [];
  private handler: (command: BoxCommand) => void = () => {};
  overflow = 0;
  start(): void {}
  setDevices(): void {}
  publishState(state: ServiceState): void {
    this.states.push(state);
  }
  publishAlert(): void {}
  publishEvent(event: Record<string, unknown>): void {
    this.events.push(event);
  }
  onCommand(handler: (command: BoxCommand) => void): void {
    this.handler = handler;
  }
  press(command: BoxCommand): void {
    this.handler(command);
  }
  drain = async (): Promise<boolean> => true;
  stop = async (): Promise<void> => undefined;
}

test('on the box, a critical alert under block-when-muted blocks the flow and cuts the episode until it ends, Home Assistant sees the Echo connected, and acknowledging lifts the block', async () => {
  const nftCommands: string[][] = [];
  const config = resolveConfig(
    { id: 'box', capture: { file: capture }, device: { ip: ECHO.ip }, state: { path: join(dir, 'state.json') }, enforcement: { mode: 'block-when-muted' } },
    'test',
    {},
    'box',
  );
  const enforcer = new Enforcer(config.enforcement, { apply: async (commands) => void nftCommands.push([...commands]) });
  const finder = new EchoFinder({ echoMac: ECHO.mac });
  const enforcement: EnforcementEvent[] = [];
  enforcer.on('event', (e) => enforcement.push(e));
  const publisher = new RecordingPublisher();
  const store = new StateStore({ path: config.state.path, history: 10, log: () => {} });
  const service = new EarshotService({
    config,
    source: new FileSource(capture),
    devices: [{ config: config.devices[0], mic: new MicTimeline([{ timeUs: T0 - 60_000_000, state: 'muted' }]) }],
    publisher,
    store,
    notifier: createNotifier({}),
    log: () => {},
    modelVersion: 'test',
    accessPoint: {
      enforcer,
      finder,
      start: async () => {
        await enforcer.start();
        // hostapd reports the Echo associated, and dnsmasq's lease gives its address.
        finder.setStations([ECHO.mac]);
        finder.setLeases([{ expiry: Infinity, mac: ECHO.mac, ip: ECHO.ip }]);
      },
      stop: () => enforcer.stop(),
    },
  });
  await service.run();
  await new Promise((resolve) => setImmediate(resolve));
  const blocks = enforcement.filter((e) => e.action === 'block');
  assert.equal(blocks.length, 1, JSON.stringify(enforcement));
  const block = blocks[0];
  assert.ok('flow' in block);
  assert.deepEqual([block.flow.src, block.flow.dst, block.flow.dstPort], [ECHO.ip, '198.51.100.20', 443]);
  assert.ok(nftCommands.some((c) => c.some((line) => line.startsWith('add element') && line.includes(ECHO.ip))), JSON.stringify(nftCommands));
  assert.ok(publisher.events.some((e) => e.action === 'block'), 'the block is an event on MQTT');
  // The capture ends, so the episode does: its alert_end reaches the enforcer, which stops refusing new connections.
  const cuts = enforcement.filter((e) => e.action === 'cut' || e.action === 'uncut').map((e) => `${e.action}: ${'reason' in e ? e.reason : ''}`);
  assert.deepEqual(cuts, ['cut: new connections of the Echo are refused until the episode ends', 'uncut: episode over']);
  assert.equal(publisher.states.at(-1)?.echo_connected, 'ON');
  assert.equal(store.data.alerts.find((a) => a.id === block.alert_id)?.enforcement, 'blocked', 'the alert history says it was blocked (the status page shows it)');

  publisher.press({ type: 'acknowledge' });
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(enforcement.some((e) => e.action === 'unblock' && e.reason === 'acknowledged'), JSON.stringify(enforcement.map((e) => e.action)));
});

test('a bad ap section in the service config is refused with the field, as earshot ap would', () => {
  assert.throws(() => resolveConfig({ ap: { ssid: '' } }, 'box.yaml', {}, 'box'), /box\.yaml: ap\./);
  assert.throws(() => resolveConfig({ enforcement: { block_timeout_s: -1 } }, 'box.yaml', {}, 'box'), /box\.yaml: enforcement\.block_timeout_s: /);
});

test('on the box, an Amazon station the config does not list is watched too, with no ring, while a phone is not', async () => {
  const found = '00:71:47:aa:bb:cc';
  const phone = '02:00:00:00:00:99';
  const config = resolveConfig({ id: 'box', capture: { file: capture }, device: { mac: ECHO.mac }, state: { path: join(dir, 'found.json') } }, 'test', {}, 'box');
  const enforcer = new Enforcer(config.enforcement, { apply: async () => undefined });
  const finder = new EchoFinder({ echoMac: ECHO.mac, listedMacs: [ECHO.mac] });
  const publisher = new RecordingPublisher();
  const logs: string[] = [];
  const service = new EarshotService({
    config,
    source: new FileSource(capture),
    devices: [{ config: config.devices[0], mic: new MicTimeline([{ timeUs: T0 - 60_000_000, state: 'muted' }]) }],
    publisher,
    store: new StateStore({ path: config.state.path, history: 10, log: () => {} }),
    notifier: createNotifier({}),
    log: (level, line) => void logs.push(`${level} ${line}`),
    modelVersion: 'test',
    accessPoint: {
      enforcer,
      finder,
      start: async () => {
        finder.setStations([ECHO.mac, found, phone]);
        finder.setLeases([
          { expiry: Infinity, mac: ECHO.mac, ip: ECHO.ip },
          { expiry: Infinity, mac: found, ip: '192.0.2.77' },
          { expiry: Infinity, mac: phone, ip: '192.0.2.78' },
        ]);
      },
      stop: () => enforcer.stop(),
    },
  });
  await service.run();
  const devices = publisher.states.at(-1)?.devices ?? {};
  assert.deepEqual(Object.keys(devices), ['echo', 'echo-aabbcc'], JSON.stringify(devices));
  assert.equal(devices['echo-aabbcc'].listed, false);
  assert.equal(devices['echo-aabbcc'].echo, '192.0.2.77');
  assert.equal(devices['echo-aabbcc'].mic, 'unknown', 'no ring sensor: its uploads can only be warnings');
  assert.equal(devices.echo.echo, ECHO.ip);
  assert.ok(logs.some((l) => l.startsWith('warning echo: 00:71:47:aa:bb:cc') && l.includes('does not list')), logs.join('\n'));
  assert.equal(service.echoIdentities().length, 2);
});
