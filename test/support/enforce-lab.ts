// The enforcement matrix's lab: ap-lab.ts's three namespaces (Echo, box, cloud), the rendered
// nftables ruleset with NAT loaded in the box, the box's capture -> pipeline -> judge -> enforcer
// (ap-box-child.ts, block-when-muted), and a cloud (enforce-cloud.ts) that stamps every piece of
// upload it receives on two server addresses. Real clients (curl, Python, Node's http2) run in
// the Echo's namespace. Everything waits on printed events; cleanup() removes it all.

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnforcementConfig } from '../../appliance/src/ap/config.js';
import { renderNftables } from '../../appliance/src/ap/render-nftables.js';
import { createApLab, LAB, Namespaces, type ApLab } from './ap-lab.js';
import { minimalAp } from './ap-configs.js';
import { checkedAp } from './ap-hostapd.js';
import { ProcessOutput, runCommand } from './netns.js';
import { REPO_ROOT } from './shared-data.js';
import { SERVERS } from './enforce-addresses.js';

export { SERVERS } from './enforce-addresses.js';

export type Json = Record<string, any>;

export interface CloudPiece {
  at: number;
  proto: 'tcp' | 'udp';
  server: string;
  peer: number;
  bytes: number;
}

const parsed = (line: string): Json | undefined => (line.startsWith('{') ? (JSON.parse(line) as Json) : undefined);

/** A child process whose stdout is JSON lines with an `event` field. */
export class EventChild {
  readonly out: ProcessOutput;
  constructor(readonly child: ChildProcess) {
    this.out = new ProcessOutput(child);
  }
  get mark(): number {
    return this.out.lines.length;
  }
  /** The events printed since `from`, optionally only those named `name`. */
  since(from: number, name?: string): Json[] {
    return this.out.lines.slice(from).map(parsed).filter((e): e is Json => !!e && (name === undefined || e.event === name));
  }
  /** Waits for an event printed after `from` lines. */
  waitFor(from: number, name: string, timeoutMs: number, where: (e: Json) => boolean = () => true): Promise<Json> {
    let index = 0;
    return this.out.waitFor(
      (line) => {
        if (index++ < from) return undefined;
        const e = parsed(line);
        return e && e.event === name && where(e) ? e : undefined;
      },
      timeoutMs,
      name,
    );
  }
  send(value: object): void {
    this.child.stdin!.write(`${JSON.stringify(value)}\n`);
  }
}

export class EnforceLab {
  private syncs = 0;
  private constructor(
    readonly spaces: Namespaces,
    readonly lab: ApLab,
    readonly dir: string,
    readonly box: EventChild,
    readonly cloud: EventChild,
  ) {}

  static async create(enforcement: EnforcementConfig): Promise<EnforceLab> {
    const spaces = new Namespaces();
    const dir = await mkdtemp(join(tmpdir(), 'earshot-enforce-matrix-'));
    try {
      const lab = await createApLab(spaces);
      await spaces.mustRun(lab.cloud, 'ip', ['address', 'add', `${SERVERS.second}/32`, 'dev', 'lo']);
      const rules = join(dir, 'earshot.nft');
      await writeFile(rules, renderNftables(checkedAp(minimalAp({ interface: 'ap0', uplink: 'up0' }))));
      await spaces.mustRun(lab.box, 'nft', ['-f', rules]);
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      const openssl = await runCommand('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=cloud.test', '-keyout', key, '-out', cert]);
      if (openssl.code !== 0) throw new Error(`openssl req failed: ${openssl.stderr.trim()}`);
      const node = (ns: string, script: string, ...args: string[]) =>
        new EventChild(spaces.spawn(ns, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/support', script), ...args], { cwd: REPO_ROOT }));
      const cloud = node(lab.cloud, 'enforce-cloud.ts', cert, key, `${SERVERS.first},${SERVERS.second}`);
      const box = node(lab.box, 'ap-box-child.ts', JSON.stringify({ iface: 'ap0', echoIp: LAB.echoIp, enforcement }));
      await cloud.waitFor(0, 'listening', 30_000);
      await box.waitFor(0, 'ready', 30_000);
      return new EnforceLab(spaces, lab, dir, box, cloud);
    } catch (error) {
      await spaces.cleanup();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Sets the ring state on the box; resolves once the enforcer has acted on it. */
  async setMic(state: 'muted' | 'idle'): Promise<void> {
    const from = this.box.mark;
    this.box.send({ cmd: 'mic', state });
    await this.box.waitFor(from, 'mic', 10_000, (e) => e.state === state);
  }

  /** What the cloud received since `from`, complete up to this call. */
  async cloudPieces(from: number): Promise<CloudPiece[]> {
    const id = ++this.syncs;
    const mark = this.cloud.mark;
    this.cloud.send({ cmd: 'sync', id });
    await this.cloud.waitFor(mark, 'synced', 10_000, (e) => e.id === id);
    return this.cloud.since(from, 'rx') as CloudPiece[];
  }

  /** The elements of one of the ruleset's sets, as nft prints them. */
  async nftSet(name: string): Promise<Json[]> {
    const listing = JSON.parse((await this.spaces.mustRun(this.lab.box, 'nft', ['-j', 'list', 'set', 'inet', 'earshot', name])).stdout);
    return listing.nftables.find((o: Json) => o.set)?.set.elem ?? [];
  }

  /** Packet counters of the forward chain's rules, keyed by the rule's text without its counter. */
  async forwardCounters(): Promise<Map<string, number>> {
    const text = (await this.spaces.mustRun(this.lab.box, 'nft', ['list', 'chain', 'inet', 'earshot', 'forward'])).stdout;
    const counters = new Map<string, number>();
    for (const line of text.split('\n')) {
      const match = /^\s*(.*?)\s*counter packets (\d+) bytes \d+\s*(.*)$/.exec(line);
      if (match) counters.set(`${match[1]} ${match[3]}`.trim(), Number(match[2]));
    }
    return counters;
  }

  /** Runs a client to completion in the Echo's namespace; a failing client is a result, not an error. */
  inEcho(command: string, args: string[], timeoutMs: number): ReturnType<Namespaces['run']> {
    return this.spaces.run(this.lab.echo, command, args, timeoutMs);
  }

  spawnInEcho(command: string, args: string[]): ChildProcess {
    return this.spaces.spawn(this.lab.echo, command, args, { cwd: REPO_ROOT });
  }

  async writeBody(bytes: number): Promise<string> {
    const file = join(this.dir, `body-${bytes}.bin`);
    await writeFile(file, randomBytes(bytes));
    return file;
  }

  async cleanup(): Promise<void> {
    await this.spaces.cleanup();
    await rm(this.dir, { recursive: true, force: true });
  }
}
