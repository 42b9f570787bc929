// The box's live capture, filtered on the Echo's MAC (the BPF that wiring.ts sets when the MAC
// is known), on a veth pair in namespaces: the Echo's frames both ways arrive, the box's own
// broadcasts do not. An unfiltered capture beside it sees those broadcasts, so the filter is
// what keeps them out.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { echoCaptureFilter } from '../../appliance/src/pipeline/device-selector.js';
import { Namespaces } from '../support/ap-lab.js';
import { netnsUnavailableReason, ProcessOutput } from '../support/netns.js';
import { REPO_ROOT } from '../support/shared-data.js';

const skip = netnsUnavailableReason();
if (skip) console.log(`skipping the live capture filter test: ${skip}`);

const ECHO_MAC = '02:00:00:00:0e:01';
const BOX_MAC = '02:00:00:00:0b:01';
const spaces = new Namespaces();
after(() => spaces.cleanup());

test("a live capture filtered on the Echo's MAC sees the Echo's frames both ways and none of the box's broadcasts", { skip }, async () => {
  const echo = await spaces.add('echo');
  const box = await spaces.add('box');
  await spaces.link({ ns: echo, iface: 'eth0', cidr: '192.0.2.10/24', mac: ECHO_MAC }, { ns: box, iface: 'wlan0', cidr: '192.0.2.1/24', mac: BOX_MAC });
  const marker = `earshot-filter-marker-${process.pid}`;
  const start = (filter: string) => {
    const child = spaces.spawn(box, process.execPath, ['--import', 'tsx', 'test/support/filtered-capture-child.ts', 'wlan0', filter, marker], { cwd: REPO_ROOT });
    return { child, output: new ProcessOutput(child) };
  };
  const filtered = start(echoCaptureFilter(ECHO_MAC));
  const everything = start('');
  await Promise.all([filtered, everything].map((c) => c.output.waitFor((l) => (l.includes('"ready"') ? true : undefined), 20_000, 'the capture to open')));

  // The box asks for a host that is not there: ARP broadcasts from the box's own MAC.
  await spaces.run(box, 'socat', ['-u', '-', 'UDP-SENDTO:192.0.2.77:9'], 10_000, 'nobody');
  await spaces.mustRun(box, 'socat', ['-u', '-', 'UDP-SENDTO:192.0.2.10:9'], 'to the echo');
  await spaces.mustRun(echo, 'socat', ['-u', '-', 'UDP-SENDTO:192.0.2.1:9'], marker);
  const exited = (c: { child: ReturnType<typeof spaces.spawn> }) => new Promise((resolve) => (c.child.exitCode !== null ? resolve(c.child.exitCode) : c.child.once('exit', resolve)));
  await Promise.all([filtered, everything].map((c) => c.output.waitFor((l) => (l.includes(`"src":"${ECHO_MAC}"`) ? true : undefined), 20_000, 'the marker frame')));
  await Promise.race([Promise.all([exited(filtered), exited(everything)]), new Promise((_, reject) => setTimeout(() => reject(new Error('captures did not stop at the marker')), 20_000))]);

  const frames = (c: { output: ProcessOutput }) => c.output.lines.filter((l) => l.startsWith('{"src"')).map((l) => JSON.parse(l) as { src: string; dst: string });
  const seenFiltered = frames(filtered);
  const seenAll = frames(everything);
  assert.ok(seenAll.some((f) => f.src === BOX_MAC && f.dst === 'ff:ff:ff:ff:ff:ff'), 'the unfiltered capture sees the box ask for 192.0.2.77');
  assert.ok(seenFiltered.some((f) => f.dst === ECHO_MAC), 'frames to the Echo arrive');
  assert.ok(seenFiltered.some((f) => f.src === ECHO_MAC), 'frames from the Echo arrive');
  assert.deepEqual(seenFiltered.filter((f) => f.src !== ECHO_MAC && f.dst !== ECHO_MAC), [], 'nothing else');
});
