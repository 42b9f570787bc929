// Reads a child process's stdout as JSON lines, so live mode can wait on its roles' events
// (never on fixed sleeps) and keep everything they reported.

import type { ChildProcess } from 'node:child_process';

export class JsonLines {
  readonly events: Record<string, unknown>[] = [];
  /** Called with each event as it arrives (the live end-to-end test follows the Echo's mic). */
  onEvent: (event: Record<string, unknown>) => void = () => {};
  stderr = '';
  private pending = '';
  private exited: string | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    child: ChildProcess,
    readonly name: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (data: string) => {
      const parts = (this.pending + data).split('\n');
      this.pending = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.startsWith('{')) continue;
        try {
          const event = JSON.parse(line) as Record<string, unknown>;
          this.events.push(event);
          this.onEvent(event);
        } catch {
          // a line cut by a crash: the exit reports the problem
        }
      }
      this.notify();
    });
    child.stderr?.setEncoding('utf8').on('data', (data: string) => void (this.stderr = (this.stderr + data).slice(-4000)));
    child.on('exit', (code, signal) => {
      this.exited = `exited (${code ?? signal})`;
      this.notify();
    });
  }

  /** Resolves with the first event (seen or future) named `event`; rejects on exit or timeout. */
  waitFor(event: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find((e) => e.event === event);
        if (found) return done(() => resolve(found));
        if (this.exited) done(() => reject(new Error(`live ${this.name} ${this.exited} before '${event}': ${this.problem()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`live ${this.name}: no '${event}' within ${Math.round(timeoutMs / 1000)} s`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The error line of what the child printed on stderr (a stack trace's first line), else its last line. */
  problem(): string {
    const lines = this.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    return lines.find((l) => /^(live \w+: )?\w*Error\b/.test(l)) ?? lines[lines.length - 1] ?? 'no message';
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
