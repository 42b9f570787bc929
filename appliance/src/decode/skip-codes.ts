import type { DecodeResult, SkipReason } from './types.js';

// Layers report failure as a negative number instead of a result object so that the hot path
// allocates nothing until a packet is known to be good.
export const SKIP = {
  'unsupported-link-type': -1,
  'truncated-link-header': -2,
  'not-ip': -3,
  'truncated-ip-header': -4,
  'bad-ip-header': -5,
  'truncated-transport-header': -6,
  'bad-transport-header': -7,
} as const satisfies Record<SkipReason, number>;

export const SKIP_REASONS: readonly SkipReason[] = Object.freeze(Object.keys(SKIP) as SkipReason[]);

// Skip results are immutable, so one shared object per reason is enough.
const SKIP_RESULTS: readonly DecodeResult[] = SKIP_REASONS.map((reason) => Object.freeze({ ok: false as const, reason }));

export function skipResult(code: number): DecodeResult {
  return SKIP_RESULTS[-code - 1];
}
