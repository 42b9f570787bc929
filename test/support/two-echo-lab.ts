// Two fake Echos on one box, live: "kitchen" and "bedroom" namespaces each joined by a veth to a
// bridge lan0 in the box namespace (as two stations on one wlan0), which routes to a cloud
// namespace serving upload-cloud.ts on 203.0.113.20 and .30. The service captures on lan0.
//
//   kitchen eth0 192.0.2.11 --\                                   cloud wan1 198.51.100.2
//                              lan0 192.0.2.1 [box] wan0 198.51.100.1 ----  lo 203.0.113.20, .30
//   bedroom eth0 192.0.2.12 --/
//
// Only documentation addresses; nothing routes beyond these namespaces.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Namespaces } from './ap-lab.js';
import { ProcessOutput } from './netns.js';
import { REPO_ROOT } from './shared-data.js';

export const TWO_ECHO = {
  kitchen: { ip: '192.0.2.11', mac: '44:65:0d:00:00:01' },
  bedroom: { ip: '192.0.2.12', mac: '44:65:0d:00:00:02' },
  boxLan: '192.0.2.1',
  musicServer: '203.0.113.20',
  uploadServer: '203.0.113.30',
} as const;

export class TwoEchoLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'earshot-two-echo-'));
  private constructor(
    readonly spaces: Namespaces,
    readonly kitchen: string,
    readonly bedroom: string,
    readonly box: string,
    readonly cloud: string,
  ) {}

  static async create(): Promise<TwoEchoLab> {
    const spaces = new Namespaces();
    try {
      const lab = new TwoEchoLab(spaces, await spaces.add('kitchen'), await spaces.add('bedroom'), await spaces.add('box'), await spaces.add('cloud'));
      await lab.wire();
      return lab;
    } catch (error) {
      await spaces.cleanup();
      throw error;
    }
  }

  private async wire(): Promise<void> {
    const { spaces, box, cloud } = this;
    await spaces.mustRun(box, 'ip', ['link', 'add', 'lan0', 'type', 'bridge']);
    for (const [ns, port, echo] of [[this.kitchen, 'k0', TWO_ECHO.kitchen], [this.bedroom, 'b0', TWO_ECHO.bedroom]] as const) {
      await spaces.link({ ns, iface: 'eth0', mac: echo.mac, cidr: `${echo.ip}/24` }, { ns: box, iface: port });
      await spaces.mustRun(box, 'ip', ['link', 'set', port, 'master', 'lan0']);
      await spaces.mustRun(ns, 'ip', ['route', 'add', 'default', 'via', TWO_ECHO.boxLan]);
    }
    await spaces.mustRun(box, 'ip', ['address', 'add', `${TWO_ECHO.boxLan}/24`, 'dev', 'lan0']);
    await spaces.mustRun(box, 'ip', ['link', 'set', 'lan0', 'up']);
    await spaces.link({ ns: box, iface: 'wan0', cidr: '198.51.100.1/24' }, { ns: cloud, iface: 'wan1', cidr: '198.51.100.2/24' });
    await spaces.mustRun(box, 'ip', ['route', 'add', '203.0.113.0/24', 'via', '198.51.100.2']);
    await spaces.mustRun(box, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    for (const server of [TWO_ECHO.musicServer, TWO_ECHO.uploadServer]) await spaces.mustRun(cloud, 'ip', ['address', 'add', `${server}/32`, 'dev', 'lo']);
    await spaces.mustRun(cloud, 'ip', ['route', 'add', '192.0.2.0/24', 'via', '198.51.100.1']);
    const key = join(this.dir, 'cloud.key');
    const cert = join(this.dir, 'cloud.crt');
    await spaces.mustRun(cloud, 'openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=cloud.two-echo.example', '-keyout', key, '-out', cert]);
    const servers = spaces.spawn(cloud, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/support/upload-cloud.ts'), cert, key, `${TWO_ECHO.musicServer},${TWO_ECHO.uploadServer}`], { cwd: REPO_ROOT });
    await new ProcessOutput(servers).waitFor((line) => (line === 'ready' ? true : undefined), 30_000, 'the cloud servers to listen');
  }

  /** Packets through the box's port of one Echo so far (both directions): its packet rate's counter. */
  async portPackets(port: 'k0' | 'b0'): Promise<number> {
    const { stdout } = await this.spaces.mustRun(this.box, 'ip', ['-s', '-j', 'link', 'show', port]);
    const stats = (JSON.parse(stdout) as { stats64: { rx: { packets: number }; tx: { packets: number } } }[])[0].stats64;
    return stats.rx.packets + stats.tx.packets;
  }

  async cleanup(): Promise<void> {
    await this.spaces.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
