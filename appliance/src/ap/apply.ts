// `earshot ap apply`: render, write what changed atomically (after the real binaries have checked
// the new files), then reload the services through systemd. The config was checked before this
// runs, so nothing here is the user's fault: failures are internal errors naming the command.

import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checksFor, reloadCommands, type Command } from './apply-plan.js';
import { commitTemp, writeTemp } from './atomic-write.js';
import { showCommand, type CommandRunner } from './command-runner.js';
import type { ApConfig } from './config.js';
import { renderAll } from './render.js';

export interface ApplyOptions {
  outDir: string;
  runner: CommandRunner;
  /** Restart every service even if its file did not change. */
  force?: boolean;
  /** Only say what would happen. */
  dryRun?: boolean;
}

export interface ApplyResult {
  written: string[];
  unchanged: string[];
  commands: Command[];
}

export class ApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyError';
  }
}

export async function applyAp(ap: ApConfig, options: ApplyOptions): Promise<ApplyResult> {
  const files = renderAll(ap);
  const changed = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const old = await readFile(join(options.outDir, file.name), 'utf8').catch(() => undefined);
    if (old === file.content) unchanged.push(file.name);
    else changed.push(file);
  }
  const commands = reloadCommands(ap, new Set(changed.map((f) => f.name)), options.force);
  const result: ApplyResult = { written: changed.map((f) => f.name), unchanged, commands };
  if (options.dryRun) return result;

  await mkdir(options.outDir, { recursive: true, mode: 0o755 });
  const temps = new Map<string, string>();
  try {
    for (const file of changed) temps.set(file.name, await writeTemp(join(options.outDir, file.name), file.content, file.mode));
    for (const check of checksFor(temps)) await run(options.runner, check, 'rejected the new file');
    for (const [name, temp] of temps) await commitTemp(temp, join(options.outDir, name));
    temps.clear();
  } finally {
    for (const temp of temps.values()) await rm(temp, { force: true });
  }
  for (const command of commands) await run(options.runner, command, 'failed');
  return result;
}

async function run(runner: CommandRunner, [command, ...args]: Command, what: string): Promise<void> {
  const result = await runner.run(command, args);
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(0, 2).join(' / ');
    throw new ApplyError(`${showCommand(command, args)} ${what} (exit ${result.code})${detail ? `: ${detail}` : ''}`);
  }
}
