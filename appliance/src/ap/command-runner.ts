// How earshot runs system commands (systemctl, nft, dnsmasq). Injected, so tests can check the
// exact commands without running them and the device runs them for real.

import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(command: string, args: string[], input?: string): Promise<CommandResult>;
}

/** Runs commands with no shell; rejects only when the command cannot be started or times out. */
export function spawnRunner(timeoutMs = 30_000): CommandRunner {
  return {
    run: (command, args, input) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.stdin?.on('error', () => {});
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${command} did not finish within ${timeoutMs} ms`));
        }, timeoutMs);
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
        if (input !== undefined) child.stdin!.end(input);
      }),
  };
}

/** "cmd arg 'arg with space'": how a command is shown to people. */
export function showCommand(command: string, args: string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}
