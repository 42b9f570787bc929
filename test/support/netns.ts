// Network-namespace lab for live tests: two fresh namespaces joined by one veth pair, addressed
// from 192.0.2.0/24 (TEST-NET-1) with no routes beyond that link, so test traffic can only flow
// between the two namespaces created here. The host's interfaces are never touched.

import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface LabEnd {
  ns: string;
  iface: string;
  ip: string;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const namespaces = new Set<string>();
const processes = new Set<ChildProcess>();
let exitHookInstalled = false;

function uniqueName(suffix: string): string {
  return `es-${process.pid}-${randomBytes(3).toString('hex')}-${suffix}`;
}

function ipSync(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  const output = `${result.stderr ?? ''}${result.error ? result.error.message : ''}`.trim();
  return { ok: !result.error && result.status === 0, output };
}

function cleanupSync(): void {
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  processes.clear();
  for (const ns of namespaces) ipSync(['netns', 'del', ns]);
  namespaces.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test forgot (or never reached) its after() hook.
  process.on('exit', cleanupSync);
}

/** Why namespaces can't be used here, or undefined when they can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const probe = uniqueName('probe');
  const added = ipSync(['netns', 'add', probe]);
  if (!added.ok) return `\`ip netns add\` failed: ${added.output || 'unknown error'}`;
  ipSync(['netns', 'del', probe]);
  return undefined;
}

export function isRootWithNetns(): boolean {
  return netnsUnavailableReason() === undefined;
}

/** Runs a command to completion; rejects when it outlives timeoutMs (and kills it). */
export function runCommand(command: string, args: string[], timeoutMs = 10_000, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // stdin is only a pipe when there is input; a child that exits first makes writes fail with EPIPE.
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    processes.add(child);
    child.stdin?.on('error', () => {});
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took longer than ${timeoutMs} ms; stderr: ${stderr.trim()}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      processes.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      processes.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function mustRun(command: string, args: string[]): Promise<void> {
  const result = await runCommand(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
}

export class VethLab {
  private constructor(
    readonly a: LabEnd,
    readonly b: LabEnd,
    /** What `ethtool -K` refused, per end (features the veth driver cannot change). */
    readonly offloadWarnings: string[],
  ) {}

  /**
   * Creates namespaces A and B joined by a veth pair (A 192.0.2.1/24, B 192.0.2.2/24) with
   * offloads off, so captured frames are wire-sized. Pass node:test's `after` (or `t.after`).
   */
  static async create(registerCleanup: (fn: () => Promise<void>) => void): Promise<VethLab> {
    installExitHook();
    const a: LabEnd = { ns: uniqueName('a'), iface: 'es0', ip: '192.0.2.1' };
    const b: LabEnd = { ns: uniqueName('b'), iface: 'es1', ip: '192.0.2.2' };
    const created: string[] = [];
    registerCleanup(() => VethLab.remove(created));
    const warnings: string[] = [];
    for (const end of [a, b]) {
      await mustRun('ip', ['netns', 'add', end.ns]);
      created.push(end.ns);
      namespaces.add(end.ns);
    }
    // Created inside A with its peer moved straight into B: nothing appears in the host namespace.
    await mustRun('ip', ['-n', a.ns, 'link', 'add', a.iface, 'type', 'veth', 'peer', 'name', b.iface, 'netns', b.ns]);
    for (const end of [a, b]) {
      // IPv6 off keeps router solicitations and MLD reports out of the captures.
      await runCommand('ip', ['netns', 'exec', end.ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      await mustRun('ip', ['-n', end.ns, 'addr', 'add', `${end.ip}/24`, 'dev', end.iface]);
      await mustRun('ip', ['-n', end.ns, 'link', 'set', 'lo', 'up']);
      const offloads = await runCommand('ip', ['netns', 'exec', end.ns, 'ethtool', '-K', end.iface, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off']);
      if (offloads.code !== 0 || offloads.stderr.trim()) warnings.push(`${end.iface}: ${offloads.stderr.trim() || `exit ${offloads.code}`}`);
    }
    for (const end of [a, b]) await mustRun('ip', ['-n', end.ns, 'link', 'set', end.iface, 'up']);
    return new VethLab(a, b, warnings);
  }

  /** Runs `command` inside namespace `ns` to completion. */
  run(ns: string, command: string, args: string[], timeoutMs = 10_000, input?: string): Promise<RunResult> {
    return runCommand('ip', ['netns', 'exec', ns, command, ...args], timeoutMs, input);
  }

  /** Starts a long-running process inside `ns`; cleanup kills it. `ip netns exec` execs, so the pid is the command's. */
  spawn(ns: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    child.stdin?.on('error', () => {}); // a child that already exited cannot be told to stop: not an error
    processes.add(child);
    child.on('exit', () => processes.delete(child));
    return child;
  }

  private static async remove(names: string[]): Promise<void> {
    const running = [...processes];
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(running.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
    for (const ns of names) {
      ipSync(['netns', 'del', ns]);
      namespaces.delete(ns);
    }
  }
}

/** Collects a child's stdout lines so tests can wait for one without losing lines printed together. */
export class ProcessOutput {
  readonly lines: string[] = [];
  stderr = '';
  private pending = '';
  private exited: string | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (data: string) => {
      this.pending += data;
      const parts = this.pending.split('\n');
      this.pending = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    child.stderr?.setEncoding('utf8').on('data', (data: string) => void (this.stderr += data));
    child.on('exit', (code, signal) => {
      this.exited = `exited (${code ?? signal})`;
      this.notify();
    });
  }

  /** Resolves with the first line (seen or future) for which `match` returns a value. */
  waitFor<T>(match: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      let next = 0;
      const check = (): void => {
        for (; next < this.lines.length; next++) {
          const value = match(this.lines[next]);
          if (value !== undefined) return done(() => resolve(value));
        }
        if (this.exited) done(() => reject(new Error(`process ${this.exited} before ${what}; stderr: ${this.stderr.trim()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr.trim()}`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
