// Reading the CLI's input files into the pure stages' types, with errors that name the file.

import { readFile } from 'node:fs/promises';
import { parseMicTimeline, type MicTimeline } from '../mic/mic-timeline.js';
import { parseDeviceSpec, type DeviceSpec } from '../pipeline/device-selector.js';
import { UsageError } from './cli-io.js';

export async function loadMicTimeline(file: string): Promise<MicTimeline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read mic timeline: ${describeFsError(error)}`);
  }
  return parseMicTimeline(text, file);
}

export function deviceFromOption(text: string | undefined): DeviceSpec | undefined {
  if (text === undefined) return undefined;
  const spec = parseDeviceSpec(text);
  if (!spec) throw new UsageError(`--device: expected an IP address or a MAC address (got '${text}')`);
  return spec;
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
