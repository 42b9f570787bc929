// The rendered dnsmasq.conf, served by the real dnsmasq in the box's namespace to a DHCP client in
// the Echo's namespace, and the Echo finder following the Echo's address through the leases file.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { EchoFinder, type EchoState } from '../../appliance/src/ap/echo-finder.js';
import { LeaseWatcher } from '../../appliance/src/ap/lease-watcher.js';
import { renderDnsmasqConf } from '../../appliance/src/ap/render-dnsmasq.js';
import { createApLab, ECHO_MAC, Namespaces, type ApLab } from '../support/ap-lab.js';
import { minimalAp, type ApInput } from '../support/ap-configs.js';
import { checkedAp } from '../support/ap-hostapd.js';
import { Seen } from '../support/ap-waiting.js';
import { netnsUnavailableReason } from '../support/netns.js';

const skip = netnsUnavailableReason();
if (skip) console.log(`# skipping the DHCP tests with the real dnsmasq: ${skip}`);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('the real dnsmasq serving the rendered config, and the Echo finder reading its leases', { skip, timeout: 90_000 }, () => {
  const spaces = new Namespaces();
  let dir = '';
  let lab: ApLab;
  let dnsmasq: ChildProcess | undefined;
  const watchers: LeaseWatcher[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-dhcp-'));
    lab = await createApLab(spaces, { echoDhcp: true });
    // The Echo has no address yet; this link route lets its DHCP broadcasts leave eth0.
    await spaces.mustRun(lab.echo, 'ip', ['route', 'add', '255.255.255.255', 'dev', 'eth0']);
  });
  after(async () => {
    for (const watcher of watchers) watcher.stop();
    await spaces.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * Starts dnsmasq on the rendered file (DNS off, root kept so it can write the test's lease
   * file). Both tests share one leases file, as a box keeps its leases across config changes.
   */
  async function serve(input: ApInput, name: string): Promise<string> {
    if (dnsmasq && dnsmasq.exitCode === null) {
      const exited = new Promise((resolve) => dnsmasq!.once('exit', resolve));
      dnsmasq.kill('SIGTERM');
      await exited;
    }
    const leases = join(dir, 'dnsmasq.leases');
    const conf = join(dir, `${name}.conf`);
    await writeFile(conf, renderDnsmasqConf(checkedAp({ ...input, interface: 'ap0', lan: { ...(input.lan as object), lease_file: leases } })));
    dnsmasq = spaces.spawn(lab.box, 'dnsmasq', ['--keep-in-foreground', '--log-facility=-', '--port=0', '--pid-file=', '--user=root', '-C', conf]);
    // dnsmasq logs to stderr with --log-facility=-.
    const log = new Seen<string>();
    createInterface({ input: dnsmasq.stderr! }).on('line', log.push);
    await log.waitFor((l) => l.includes('DHCP, sockets bound exclusively to interface ap0'), 10_000, 'dnsmasq to bind ap0');
    return leases;
  }

  async function dhcp(): Promise<{ ip: string; server: string; lease_s: number }> {
    const result = await spaces.run(lab.echo, process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/ap-dhcp-client.ts'), ECHO_MAC, '10000'], 20_000);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout.trim());
  }

  let followed: { finder: EchoFinder; states: Seen<EchoState> } | undefined;
  function follow(leases: string): { finder: EchoFinder; states: Seen<EchoState> } {
    if (followed) return followed;
    const finder = new EchoFinder();
    const states = new Seen<EchoState>();
    finder.on('change', states.push);
    finder.setStations([ECHO_MAC]);
    const watcher = new LeaseWatcher(leases, (list) => finder.setLeases(list), 100);
    watchers.push(watcher);
    watcher.start();
    followed = { finder, states };
    return followed;
  }

  test('gives the Echo its static lease, which the finder then reports as its address', async () => {
    const leases = await serve(minimalAp({ echo: { mac: ECHO_MAC, ip: '192.0.2.10' }, lan: { subnet: '192.0.2.0/24', lease_time: '1h' } }), 'static');
    const { states } = follow(leases);
    const lease = await dhcp();
    assert.deepEqual(lease, { ip: '192.0.2.10', server: '192.0.2.1', lease_s: 3600 });
    const state = await states.waitFor((s) => s.ip !== undefined, 10_000, 'the finder to read the lease');
    assert.deepEqual([state.connected, state.mac, state.ip], [true, ECHO_MAC, '192.0.2.10']);
  });

  test("moves the Echo to a lease from the range once its static lease is gone, and the finder follows it", async () => {
    const leases = await serve(minimalAp({ lan: { subnet: '192.0.2.0/24', dhcp_range: { start: '192.0.2.100', end: '192.0.2.110' } } }), 'dynamic');
    const { finder, states } = follow(leases);
    assert.equal(finder.state.ip, '192.0.2.10', 'the finder did not start from the static lease');
    const mark = states.items.length;
    const lease = await dhcp();
    const last = Number(lease.ip.split('.')[3]);
    assert.ok(lease.ip.startsWith('192.0.2.') && last >= 100 && last <= 110, `leased ${lease.ip}, outside the range`);
    const state = await states.waitFor((s) => s.ip === lease.ip, 10_000, 'the finder to follow the new lease', mark);
    assert.deepEqual([state.connected, state.mac], [true, ECHO_MAC]);
  });
});
