// A child process's output as lines (stderr prefixed), with waits on them: events, never sleeps.
// For the live tests that run the service, brokers and browsers inside their own namespaces.

import { spawn, type ChildProcess } from 'node:child_process';

export type JsonLine = Record<string, unknown> & { event?: string };

export class ChildLines {
  readonly lines: string[] = [];
  private pending = '';
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    const take = (prefix: string) => (data: string) => {
      const parts = (this.pending + data).split('\n');
      this.pending = parts.pop() ?? '';
      this.lines.push(...parts.map((l) => prefix + l));
      this.notify();
    };
    child.stdout!.setEncoding('utf8').on('data', take(''));
    child.stderr!.setEncoding('utf8').on('data', take('stderr: '));
    child.once('exit', () => {
      this.lines.push(`(exited ${child.exitCode ?? child.signalCode})`);
      this.notify();
    });
  }

  /** The lines that are JSON objects (the service's events), parsed. */
  get events(): JsonLine[] {
    return this.lines.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as JsonLine] : []));
  }

  /** Resolves with the first line that matches; rejects after `timeoutMs`, showing the last lines. */
  waitFor(match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.lines.find(match);
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got:\n${this.lines.slice(-15).join('\n')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export function inNamespace(ns: string, command: string, args: string[]): ChildLines {
  return new ChildLines(spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Signals the child and waits for it to exit, with SIGKILL after 10 s. */
export async function stopChild(output: ChildLines | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const child = output?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
