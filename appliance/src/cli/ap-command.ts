// `earshot ap render|apply`: the access point's files from the config, and putting them live.
//   earshot ap render --config FILE --out DIR
//   earshot ap apply --config FILE [--out DIR] [--force] [--dry-run]
// A bad config exits 2 with one line naming the file, the field and the value, before anything
// is written.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyAp, ApplyError } from '../ap/apply.js';
import { writeFileAtomic } from '../ap/atomic-write.js';
import { showCommand, spawnRunner, type CommandRunner } from '../ap/command-runner.js';
import { ConfigError } from '../ap/config-errors.js';
import { loadApConfigFile } from '../ap/config-file.js';
import type { ApConfig } from '../ap/config.js';
import { renderAll } from '../ap/render.js';
import { EXIT_INTERNAL, EXIT_OK, UsageError, type CliIo } from './cli-io.js';

export const AP_USAGE = 'ap render --config FILE --out DIR | ap apply --config FILE [--out DIR] [--force] [--dry-run]';
/** Where the earshot OS image's units read the AP's files from. */
export const DEFAULT_AP_DIR = '/etc/earshot/ap';

export interface ApCommandDeps {
  runner: CommandRunner;
}

export function createApCommand(deps: ApCommandDeps): (args: string[], io: CliIo) => Promise<number> {
  return async (args, io) => {
    const [sub, ...rest] = args;
    if (sub === 'render') return render(rest, io);
    if (sub === 'apply') return apply(rest, io, deps);
    throw new UsageError(`expected "render" or "apply" after "ap" (got ${sub === undefined ? 'nothing' : JSON.stringify(sub)}); usage: earshot ${AP_USAGE}`);
  };
}

export const apCommand = createApCommand({ runner: spawnRunner() });

async function render(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, out: { type: 'string' } }, strict: true, allowPositionals: false });
  if (!values.config) throw new UsageError('ap render: --config FILE is required');
  if (!values.out) throw new UsageError('ap render: --out DIR is required');
  const { ap } = await loadConfig(values.config);
  await mkdir(values.out, { recursive: true });
  for (const file of renderAll(ap)) {
    const path = join(values.out, file.name);
    await writeFileAtomic(path, file.content, file.mode);
    io.stdout(`wrote ${path}\n`);
  }
  return EXIT_OK;
}

async function apply(args: string[], io: CliIo, deps: ApCommandDeps): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if (!values.config) throw new UsageError('ap apply: --config FILE is required');
  const { ap } = await loadConfig(values.config);
  const outDir = values.out ?? DEFAULT_AP_DIR;
  const dryRun = values['dry-run'] ?? false;
  try {
    const result = await applyAp(ap, { outDir, runner: deps.runner, force: values.force, dryRun });
    const verb = dryRun ? 'would ' : '';
    for (const name of result.written) io.stdout(`${verb}write ${join(outDir, name)}\n`);
    for (const name of result.unchanged) io.stdout(`unchanged ${join(outDir, name)}\n`);
    for (const [command, ...rest] of result.commands) io.stdout(`${dryRun ? 'would run' : 'ran'} ${showCommand(command, rest)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ApplyError)) throw error;
    io.stderr(`earshot ap apply: ${error.message}\n`);
    return EXIT_INTERNAL;
  }
}

async function loadConfig(file: string): Promise<{ ap: ApConfig }> {
  try {
    return await loadApConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
