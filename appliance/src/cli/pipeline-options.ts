// The options `replay` and `features` share, parsed into pipeline options.

import { GRACE_RANGE_S, GRACE_S } from '../defaults.js';
import type { MicTimeline } from '../mic/mic-timeline.js';
import type { PipelineOptions } from '../pipeline/packet-pipeline.js';
import { UsageError } from './cli-io.js';
import { deviceFromOption, loadMicTimeline } from './inputs.js';

export const SHARED_OPTIONS = {
  mic: { type: 'string' },
  device: { type: 'string' },
  grace: { type: 'string' },
} as const;

export interface SharedValues {
  mic?: string;
  device?: string;
  grace?: string;
}

export function captureArgument(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one CAPTURE file (got ${positionals.length}); usage: earshot ${usage}`);
  return positionals[0];
}

export async function pipelineOptions(values: SharedValues): Promise<{ options: PipelineOptions; mic: MicTimeline | undefined }> {
  const mic = values.mic === undefined ? undefined : await loadMicTimeline(values.mic);
  let graceS = GRACE_S;
  if (values.grace !== undefined) {
    graceS = Number(values.grace);
    if (!Number.isFinite(graceS) || graceS < GRACE_RANGE_S.min || graceS > GRACE_RANGE_S.max) {
      throw new UsageError(`--grace: expected seconds between ${GRACE_RANGE_S.min} and ${GRACE_RANGE_S.max} (got '${values.grace}')`);
    }
  }
  return { options: { device: deviceFromOption(values.device), mic, graceS }, mic };
}

export function micNote(mic: MicTimeline | undefined, file: string | undefined): string {
  if (!mic) return 'no timeline given: state unknown (app data labelled as if idle: justified)';
  return `${file}: ${mic.length} state change${mic.length === 1 ? '' : 's'}`;
}
