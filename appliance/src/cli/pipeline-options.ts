// The options `replay` and `features` share, parsed into pipeline options.

import { GRACE_RANGE_S, GRACE_S } from '../defaults.js';
import type { MicTimeline } from '../mic/mic-timeline.js';
import type { PipelineOptions, WatchedDevice } from '../pipeline/packet-pipeline.js';
import { deviceIdFromName } from '../service/load-config.js';
import { UsageError } from './cli-io.js';
import { deviceFromOption, loadMicTimeline } from './inputs.js';

// --device and --mic may be given once per Echo: the n-th --mic is the n-th Echo's ring.
export const SHARED_OPTIONS = {
  mic: { type: 'string', multiple: true },
  device: { type: 'string', multiple: true },
  grace: { type: 'string' },
} as const;

export interface SharedValues {
  mic?: string[];
  device?: string[];
  grace?: string;
}

export function captureArgument(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one CAPTURE file (got ${positionals.length}); usage: earshot ${usage}`);
  return positionals[0];
}

export async function pipelineOptions(values: SharedValues): Promise<{ options: PipelineOptions; mic: MicTimeline | undefined }> {
  const devices = values.device ?? [];
  const mics = values.mic ?? [];
  if (devices.length > 1 && mics.length !== 0 && mics.length !== devices.length) {
    throw new UsageError(`--mic: expected one per --device, in the same order (got ${mics.length} for ${devices.length} Echos)`);
  }
  if (devices.length <= 1 && mics.length > 1) throw new UsageError(`--mic: expected one timeline for one Echo (got ${mics.length}); name each Echo with --device`);
  const timelines = await Promise.all(mics.map((file) => loadMicTimeline(file)));
  const mic = timelines[0];
  let graceS = GRACE_S;
  if (values.grace !== undefined) {
    graceS = Number(values.grace);
    if (!Number.isFinite(graceS) || graceS < GRACE_RANGE_S.min || graceS > GRACE_RANGE_S.max) {
      throw new UsageError(`--grace: expected seconds between ${GRACE_RANGE_S.min} and ${GRACE_RANGE_S.max} (got '${values.grace}')`);
    }
  }
  if (devices.length <= 1) return { options: { device: deviceFromOption(devices[0]), mic, graceS }, mic };
  return { options: { devices: devices.map((text, index) => watchedDevice(text, timelines[index])), graceS }, mic };
}

/** `--device [NAME=]ADDRESS`: "kitchen=192.0.2.10", or the address alone, which also names it. */
function watchedDevice(text: string, mic: MicTimeline | undefined): WatchedDevice {
  const split = text.lastIndexOf('=');
  const name = split > 0 ? text.slice(0, split) : text;
  const spec = deviceFromOption(split > 0 ? text.slice(split + 1) : text)!;
  const id = deviceIdFromName(name);
  if (id === '') throw new UsageError(`--device: expected NAME=ADDRESS with a name of letters or digits (got '${text}')`);
  return { id, name, spec, mic };
}

export function micNote(mic: MicTimeline | undefined, files: readonly string[] | undefined): string {
  const file = files?.[0];
  if (files && files.length > 1) return `${files.length} timelines, one per Echo`;
  if (!mic) return 'no timeline given: state unknown (app data labelled as if idle: justified)';
  return `${file}: ${mic.length} state change${mic.length === 1 ? '' : 's'}`;
}
