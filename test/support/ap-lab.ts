// Network namespaces for the access-point tests. Nothing here touches the host's own interfaces,
// routes or nftables: every command runs inside a namespace created here, and every address comes
// from the documentation ranges.
//
//   echo ns                 box ns                                  cloud ns
//   eth0 192.0.2.10  <-->   ap0 192.0.2.1  [nft, NAT]  up0 198.51.100.1  <-->  up1 198.51.100.2
//   default via .1                          203.0.113.0/24 via .2          lo 203.0.113.5 (server)
//
// The cloud has no route back to 192.0.2.0/24, so the Echo reaches it only through the box's NAT.

import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { runCommand, type RunResult } from './netns.js';

export const ECHO_MAC = '44:65:0d:12:34:56'; // an Amazon Technologies OUI
export const LAB = {
  echoIp: '192.0.2.10',
  boxApIp: '192.0.2.1',
  boxUpIp: '198.51.100.1',
  cloudLinkIp: '198.51.100.2',
  serverIp: '203.0.113.5',
} as const;

const created = new Set<string>();
const children = new Set<ChildProcess>();
let hooked = false;

function removeAllSync(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const ns of created) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  created.clear();
}

async function must(command: string, args: string[]): Promise<void> {
  const result = await runCommand(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
}

/** Namespaces made by one test file; `cleanup()` kills their processes and deletes them. */
export class Namespaces {
  private readonly mine: string[] = [];
  private readonly procs = new Set<ChildProcess>();

  constructor() {
    if (!hooked) {
      hooked = true;
      // The last resort when a test dies before its after() hook.
      process.on('exit', removeAllSync);
    }
  }

  async add(suffix: string): Promise<string> {
    const ns = `es-ap-${process.pid}-${randomBytes(3).toString('hex')}-${suffix}`;
    await must('ip', ['netns', 'add', ns]);
    created.add(ns);
    this.mine.push(ns);
    // IPv6 off keeps router solicitations and MLD out of the captures; loopback up for local use.
    await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces, addressed, with offloads off so frames are MTU-sized. */
  async link(a: { ns: string; iface: string; cidr?: string; mac?: string }, b: { ns: string; iface: string; cidr?: string; mac?: string }): Promise<void> {
    await must('ip', ['-n', a.ns, 'link', 'add', a.iface, 'type', 'veth', 'peer', 'name', b.iface, 'netns', b.ns]);
    for (const end of [a, b]) {
      if (end.mac) await must('ip', ['-n', end.ns, 'link', 'set', end.iface, 'address', end.mac]);
      if (end.cidr) await must('ip', ['-n', end.ns, 'address', 'add', end.cidr, 'dev', end.iface]);
      await runCommand('ip', ['netns', 'exec', end.ns, 'ethtool', '-K', end.iface, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off']);
      await must('ip', ['-n', end.ns, 'link', 'set', end.iface, 'up']);
    }
  }

  run(ns: string, command: string, args: string[], timeoutMs = 10_000, input?: string): Promise<RunResult> {
    return runCommand('ip', ['netns', 'exec', ns, command, ...args], timeoutMs, input);
  }

  async mustRun(ns: string, command: string, args: string[], input?: string): Promise<RunResult> {
    const result = await this.run(ns, command, args, 10_000, input);
    if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} in ${ns} failed (${result.code}): ${result.stderr.trim()}`);
    return result;
  }

  /** A long-running process in `ns`; cleanup kills it. `ip netns exec` execs, so the pid is the command's. */
  spawn(ns: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    child.stdin?.on('error', () => {});
    this.procs.add(child);
    children.add(child);
    child.on('exit', () => {
      this.procs.delete(child);
      children.delete(child);
    });
    return child;
  }

  async cleanup(): Promise<void> {
    const running = [...this.procs].filter((c) => c.exitCode === null && c.signalCode === null);
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map((c) => new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve(undefined) : c.once('exit', resolve)))));
    for (const ns of this.mine.splice(0)) {
      spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
      created.delete(ns);
    }
  }
}

export interface ApLab {
  spaces: Namespaces;
  echo: string;
  box: string;
  cloud: string;
}

/**
 * The three namespaces above. The Echo gets its address statically unless `echoDhcp` is set, in
 * which case eth0 stays unaddressed for a DHCP client.
 */
export async function createApLab(spaces: Namespaces, options: { echoDhcp?: boolean } = {}): Promise<ApLab> {
  const echo = await spaces.add('echo');
  const box = await spaces.add('box');
  const cloud = await spaces.add('cloud');
  await spaces.link({ ns: echo, iface: 'eth0', mac: ECHO_MAC, cidr: options.echoDhcp ? undefined : `${LAB.echoIp}/24` }, { ns: box, iface: 'ap0', cidr: `${LAB.boxApIp}/24` });
  await spaces.link({ ns: box, iface: 'up0', cidr: `${LAB.boxUpIp}/24` }, { ns: cloud, iface: 'up1', cidr: `${LAB.cloudLinkIp}/24` });
  if (!options.echoDhcp) await spaces.mustRun(echo, 'ip', ['route', 'add', 'default', 'via', LAB.boxApIp]);
  await spaces.mustRun(box, 'ip', ['route', 'add', '203.0.113.0/24', 'via', LAB.cloudLinkIp]);
  await spaces.mustRun(box, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  await spaces.mustRun(cloud, 'ip', ['address', 'add', `${LAB.serverIp}/32`, 'dev', 'lo']);
  return { spaces, echo, box, cloud };
}
