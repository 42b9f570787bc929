// Running external tools (the libgpiod CLI) as two tiny capabilities: run-to-completion and a
// long-lived child. The real ones wrap node:child_process; tests point the argv at scripts that
// behave like the tools, so this adapter runs for real there too.

import { execFile, spawn } from 'node:child_process';

export interface ToolResult {
  /** Exit code; null when killed by a signal or the timeout. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The executable does not exist (ENOENT). */
  missing?: boolean;
}

export type RunTool = (argv: readonly string[], timeoutMs: number) => Promise<ToolResult>;

export interface ToolChild {
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  /** Called once: with the exit code or signal, or with the spawn error (e.g. ENOENT). */
  onExit(callback: (code: number | null, signal: string | null, error?: Error) => void): void;
  kill(): void;
}

export type SpawnTool = (argv: readonly string[]) => ToolChild;

export const runTool: RunTool = (argv, timeoutMs) =>
  new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve({ code: null, stdout, stderr, missing: true });
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr: stderr || error.message });
    });
  });

export const spawnTool: SpawnTool = (argv) => {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    onExit(callback) {
      let done = false;
      const once = (code: number | null, signal: string | null, error?: Error): void => {
        if (done) return;
        done = true;
        callback(code, signal, error);
      };
      child.once('error', (error) => once(null, null, error));
      // 'close' rather than 'exit': stdout has been read to the end by then.
      child.once('close', (code, signal) => once(code, signal));
    },
    kill: () => void child.kill('SIGTERM'),
  };
};
