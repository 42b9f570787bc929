// `earshot record`: the service with the dataset recorder on. Everything `earshot run` does
// (alerts, MQTT, enforcement) goes on as configured; the options override the config's `record`
// section (docs/record.md).

import { parseArgs } from 'node:util';
import type { Json } from '../service/load-config.js';
import { UsageError, type CliIo } from './cli-io.js';
import { runService } from './run-command.js';

export const RECORD_USAGE = 'record [--config FILE] [-o DIR] [--max-mb MB] [--segment-mb MB] [--segment-s SECONDS]';

const NUMBER_OPTIONS = { 'max-mb': 'max_total_mb', 'segment-mb': 'segment_mb', 'segment-s': 'segment_s' } as const;

export async function recordCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
      'max-mb': { type: 'string' },
      'segment-mb': { type: 'string' },
      'segment-s': { type: 'string' },
    },
  });
  const overrides: Json = { enabled: true };
  if (values.output !== undefined) overrides.dir = values.output;
  for (const [option, key] of Object.entries(NUMBER_OPTIONS) as Array<[keyof typeof NUMBER_OPTIONS, string]>) {
    const text = values[option];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) throw new UsageError(`--${option}: expected a whole number (got '${text}')`);
    overrides[key] = Number(text);
  }
  return runService(values.config, io, (raw) => {
    raw.record = { ...(raw.record as Json | undefined), ...overrides };
  });
}
