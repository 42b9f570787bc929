// Issue 18 live: one `earshot run` watches two Echos on one bridge (test/support/two-echo-lab.ts).
// The kitchen streams a download with curl (ring idle); the bedroom, muted, uploads 16 KB/s in
// 20-ms chunks with Python's ssl. The alert must name the bedroom and arrive within a second of
// the sender's own note of its first write, while the kitchen floods.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { liveUnavailableReason } from '../../sim/src/netns-lab.js';
import { ChildLines, inNamespace, stopChild } from '../support/child-lines.js';
import { freePort } from '../support/mosquitto.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { TWO_ECHO, TwoEchoLab } from '../support/two-echo-lab.js';
import { PYTHON_TLS_PACED } from '../support/upload-shapes.js';

const missing = ['mosquitto', 'mosquitto_sub', 'curl', 'python3'].find((c) => spawnSync(c, ['--help']).error);
const skip = liveUnavailableReason() ?? (missing ? `${missing} is not installed` : undefined);
if (skip) console.log(`skipping the two-Echo live test: ${skip}`);
/** bench/two-echo-latency-bench.ts sets it for its rounds with the kitchen silent. */
const kitchenSilent = process.env.EARSHOT_TWO_ECHO_KITCHEN_SILENT === '1';
/**
 * An Echo streams music at 256-320 kbit/s; the kitchen downloads at 40 Mbit/s (about 3,500
 * packets/s), over a hundred times that, and still within what the box captures (50k packets/s,
 * docs/capture.md). Unlimited, curl over veth takes 30k-160k packets/s and both of this
 * machine's cores, so the test would time the machine rather than the box.
 */
const KITCHEN_RATE = process.env.EARSHOT_TWO_ECHO_KITCHEN_RATE ?? '5M';


describe('two Echos on one box, live', { skip, timeout: 180_000 }, () => {
  test("a muted Echo's leak is alerted within a second while another Echo streams a download, and names the device", async () => {
    const lab = await TwoEchoLab.create();
    const children: (ChildLines | undefined)[] = [];
    try {
      const port = await freePort();
      writeFileSync(join(lab.dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\nlog_dest stderr\n`);
      const broker = inNamespace(lab.box, 'mosquitto', ['-c', join(lab.dir, 'mosquitto.conf')]);
      children.push(broker);
      await broker.waitFor((l) => /mosquitto version \S+ running/.test(l), 15_000, 'mosquitto');
      const sub = inNamespace(lab.box, 'mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-F', '%r %t %p', '-t', 'earshot/two-echo/#']);
      children.push(sub);
      const arrived: { atMs: number; line: string }[] = [];
      sub.child.stdout!.on('data', () => void arrived.push(...sub.lines.slice(arrived.length).map((line) => ({ atMs: Date.now(), line }))));
      const mic = (name: string, state: string): string => {
        const file = join(lab.dir, `${name}-mic.csv`);
        writeFileSync(file, `time,state\n${Date.now() - 60_000},${state}\n`);
        return file;
      };
      const config = join(lab.dir, 'earshot.json');
      writeFileSync(config, JSON.stringify({
        version: 3, id: 'two-echo', capture: { interface: 'lan0' },
        devices: [
          { name: 'Kitchen', id: 'kitchen', mac: TWO_ECHO.kitchen.mac, mic: { timeline: mic('kitchen', 'idle') } },
          { name: 'Bedroom', id: 'bedroom', mac: TWO_ECHO.bedroom.mac, mic: { timeline: mic('bedroom', 'muted') } },
        ],
        mqtt: { url: `mqtt://127.0.0.1:${port}` }, state: { path: join(lab.dir, 'state.json') }, status_page: { enabled: false },
      }));
      const service = inNamespace(lab.box, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'appliance/src/cli/bin.ts'), 'run', '--config', config]);
      children.push(service);
      await service.waitFor((l) => l.includes('mqtt: connected'), 30_000, 'earshot run to connect');

      const download = inNamespace(lab.kitchen, kitchenSilent ? 'true' : 'curl', ['-sS', '-k', '--http1.1', '--max-time', '8', '--limit-rate', KITCHEN_RATE, '-o', '/dev/null', '-w', '%{size_download}\n', `https://${TWO_ECHO.musicServer}/bytes?n=100000000000`]);
      children.push(download);
      const before = await lab.portPackets('k0');
      const fromMs = Date.now();
      const upload = inNamespace(lab.bedroom, 'python3', ['-c', PYTHON_TLS_PACED, TWO_ECHO.uploadServer, '8443', '320', '0.02', '4']);
      children.push(upload);
      const firstMs = Number((await upload.waitFor((l) => l.startsWith('first '), 15_000, "the bedroom's first write")).split(' ')[1]);
      await sub.waitFor((l) => l.includes('/alert ') && l.includes('"bedroom"'), 10_000, 'the bedroom alert');
      const kitchenRate = ((await lab.portPackets('k0')) - before) / ((Date.now() - fromMs) / 1000);
      const hit = arrived.find((a) => a.line.includes('/alert ') && a.line.includes('"bedroom"')) ?? { atMs: Date.now(), line: sub.lines.find((l) => l.includes('/alert '))! };
      const alert = JSON.parse(hit.line.split(' ').slice(2).join(' ')) as { type: string; severity: string; device: string; device_name: string; time: string; start: string };
      const deliveredMs = hit.atMs - firstMs;
      console.log(`bedroom alert on MQTT ${deliveredMs} ms after its first write (decided ${Date.parse(alert.time) - Date.parse(alert.start)} ms after the episode's start); kitchen ${Math.round(kitchenRate)} packets/s`);
      assert.equal(alert.type, 'alert');
      assert.equal(alert.severity, 'critical');
      assert.equal(alert.device, 'bedroom');
      assert.equal(alert.device_name, 'Bedroom');
      // Within a second on the capture clock is the promise; on the wall clock delivery also
      // waits for this shared machine's scheduler, so it gets a bound, not the promise
      // (bench/two-echo-latency-bench.ts reports both, busy against silent).
      const decidedMs = Date.parse(alert.time) - Date.parse(alert.start);
      assert.ok(decidedMs < 1000, `decided ${decidedMs} ms after the episode's first packet`);
      assert.ok(deliveredMs < 2000, `delivered ${deliveredMs} ms after the first write`);
      if (!kitchenSilent) assert.ok(kitchenRate > 1000, `the kitchen was streaming (${kitchenRate} packets/s)`);
      if (download.child.exitCode === null && download.child.signalCode === null) await new Promise((resolve) => download.child.once('exit', resolve));
      // The state is published at most once a second: wait for the one that follows the alert.
      type Devices = Record<string, { problem: string }>;
      const devicesOf = (line: string): Devices | undefined => (line.includes('/state ') ? (JSON.parse(line.split(' ').slice(2).join(' ')) as { devices?: Devices }).devices : undefined);
      const stateLine = await sub.waitFor((l) => devicesOf(l)?.bedroom?.problem === 'ON', 10_000, "a state with the bedroom's problem ON");
      const devices = devicesOf(stateLine)!;
      assert.equal(devices.bedroom.problem, 'ON');
      assert.equal(devices.kitchen.problem, 'OFF');
      assert.ok(!sub.lines.some((l) => l.includes('/alert ') && l.includes('"kitchen"')), 'the kitchen raised no alert');
    } finally {
      for (const child of children.reverse()) await stopChild(child, 'SIGKILL');
      await lab.cleanup();
    }
  });
});
