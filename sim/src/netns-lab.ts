// Three network namespaces for live simulation, made and removed by `earshot-sim simulate --live`:
//
//   echo ns              box ns                              cloud ns
//   eth0 192.0.2.10 ---- lan0 192.0.2.1 | wan0 198.51.100.1 ---- eth0 198.51.100.2
//                        (captures on lan0, forwards)            + the servers' /32s in
//                                                                198.51.100.0/24, 203.0.113.0/24
//
// Only documentation addresses, no default routes: traffic can only flow between these
// namespaces. Offloads are off on every veth, so frames are MTU-sized and checksums are real.
// Everything made here is recorded and removed on exit, on SIGINT/SIGTERM and on failure.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const LAB_PREFIX = 'esim';

export const LAB_ADDRESSES = {
  echo: '192.0.2.10',
  boxLan: '192.0.2.1',
  boxWan: '198.51.100.1',
  cloud: '198.51.100.2',
} as const;

export interface LabNamespaces {
  echo: string;
  box: string;
  cloud: string;
}

function ip(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: !result.error && result.status === 0, output: `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim() };
}

function mustIp(args: string[]): void {
  const result = ip(args);
  if (!result.ok) throw new Error(`ip ${args.join(' ')} failed: ${result.output}`);
}

function inNamespace(ns: string, command: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('ip', ['netns', 'exec', ns, command, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { ok: !result.error && result.status === 0, output: `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim() };
}

/** Why live mode cannot run here, or undefined when it can. */
export function liveUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const probe = `${LAB_PREFIX}-probe-${randomBytes(3).toString('hex')}`;
  const added = ip(['netns', 'add', probe]);
  if (!added.ok) return `\`ip netns add\` failed: ${added.output || 'unknown error'}`;
  ip(['netns', 'del', probe]);
  return undefined;
}

/** Namespaces left by a run that was killed outright (SIGKILL): named after a pid that is gone. */
export function removeStaleNamespaces(): string[] {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const removed: string[] = [];
  for (const line of listed.split('\n')) {
    const name = line.split(' ')[0];
    const match = new RegExp(`^${LAB_PREFIX}-(\\d+)-[0-9a-f]+-(echo|box|cloud)$`).exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    ip(['netns', 'del', name]);
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class NetnsLab {
  readonly namespaces: LabNamespaces;
  private readonly created: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private removed = false;

  constructor() {
    const tag = `${LAB_PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.namespaces = { echo: `${tag}-echo`, box: `${tag}-box`, cloud: `${tag}-cloud` };
  }

  /** Builds the three namespaces; `serverAddresses` are added to the cloud as /32s. */
  create(serverAddresses: readonly string[], macs: { echo: string; boxLan: string }): void {
    const { echo, box, cloud } = this.namespaces;
    for (const ns of [echo, box, cloud]) {
      mustIp(['netns', 'add', ns]);
      this.created.push(ns);
    }
    // Each pair is made inside one namespace with its peer moved straight into the other, so
    // nothing ever appears in the host's namespace.
    mustIp(['-n', box, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', echo]);
    mustIp(['-n', box, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', cloud]);
    const ends: [string, string][] = [
      [echo, 'eth0'],
      [box, 'lan0'],
      [box, 'wan0'],
      [cloud, 'eth0'],
    ];
    for (const ns of [echo, box, cloud]) {
      inNamespace(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      inNamespace(ns, 'sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
      mustIp(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    mustIp(['-n', echo, 'link', 'set', 'eth0', 'address', macs.echo]);
    mustIp(['-n', box, 'link', 'set', 'lan0', 'address', macs.boxLan]);
    mustIp(['-n', echo, 'addr', 'add', `${LAB_ADDRESSES.echo}/24`, 'dev', 'eth0']);
    mustIp(['-n', box, 'addr', 'add', `${LAB_ADDRESSES.boxLan}/24`, 'dev', 'lan0']);
    mustIp(['-n', box, 'addr', 'add', `${LAB_ADDRESSES.boxWan}/24`, 'dev', 'wan0']);
    mustIp(['-n', cloud, 'addr', 'add', `${LAB_ADDRESSES.cloud}/24`, 'dev', 'eth0']);
    for (const address of serverAddresses) mustIp(['-n', cloud, 'addr', 'add', `${address}/32`, 'dev', 'eth0']);
    for (const [ns, iface] of ends) {
      // Wire-sized frames with real checksums, as on the AP's Wi-Fi; some veth features cannot change.
      inNamespace(ns, 'ethtool', ['-K', iface, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off']);
      mustIp(['-n', ns, 'link', 'set', iface, 'up']);
    }
    const forwarding = inNamespace(box, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    if (!forwarding.ok) throw new Error(`cannot enable forwarding in ${box}: ${forwarding.output}`);
    mustIp(['-n', echo, 'route', 'add', '198.51.100.0/24', 'via', LAB_ADDRESSES.boxLan]);
    mustIp(['-n', echo, 'route', 'add', '203.0.113.0/24', 'via', LAB_ADDRESSES.boxLan]);
    mustIp(['-n', box, 'route', 'add', '203.0.113.0/24', 'via', LAB_ADDRESSES.cloud]);
    mustIp(['-n', cloud, 'route', 'add', '192.0.2.0/24', 'via', LAB_ADDRESSES.boxWan]);
  }

  /** Starts `command` in a namespace; `ip netns exec` execs it, so the child's pid is the command's. */
  spawn(ns: string, command: string, args: string[], cwd?: string): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd });
    child.stdin?.on('error', () => {});
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  get childPids(): number[] {
    return [...this.children].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Stops every child (SIGTERM, then SIGKILL after `graceMs`) and removes the namespaces. */
  async remove(graceMs = 2000): Promise<void> {
    if (this.removed) return;
    const running = [...this.children].filter((c) => c.exitCode === null && c.signalCode === null);
    for (const child of running) child.kill('SIGTERM');
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    this.removeSync();
  }

  /** The last resort on process exit: no waiting, so SIGKILL and delete. */
  removeSync(): void {
    if (this.removed) return;
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.children.clear();
    for (const ns of this.created.splice(0).reverse()) ip(['netns', 'del', ns]);
    this.removed = true;
  }
}
