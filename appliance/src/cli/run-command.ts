// `earshot run [--config FILE]`: the appliance service. Refuses to start on a bad config, with one
// line that names the field and the value; stops cleanly on SIGINT/SIGTERM.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Json } from '../service/load-config.js';
import { idFromMac, parseConfigText, resolveConfig } from '../service/load-config.js';
import { createLogger } from '../service/service-log.js';
import { boxMac, createService } from '../service/wiring.js';
import { EXIT_OK, UsageError, type CliIo } from './cli-io.js';
import { describeFsError } from './inputs.js';

export const RUN_USAGE = 'run [--config FILE]';

export async function runServiceCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  return runService(values.config, io);
}

/**
 * Loads the config (file, then EARSHOT_* variables), lets a command adjust it (`earshot record`
 * turns recording on), and runs the service until SIGINT/SIGTERM or the end of a capture file.
 */
export async function runService(file: string | undefined, io: CliIo, adjust: (raw: Json) => void = () => {}): Promise<number> {
  let text = '{}';
  if (file !== undefined) {
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`${file}: cannot read config: ${describeFsError(error)}`);
    }
  }
  const configFile = file ?? '(defaults and EARSHOT_* environment)';
  const raw = parseConfigText(text, file ?? 'defaults.json');
  adjust(raw);
  const config = resolveConfig(raw, configFile, process.env, idFromMac(boxMac()));
  const service = await createService({ config, configFile, log: createLogger(io.stdout) });
  const stop = (): void => service.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await service.run();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return EXIT_OK;
}
