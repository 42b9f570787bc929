// The state file's schema, checked part by part with ajv (the tooling the config uses), so one bad
// entry costs that entry and not the file: an alert that is `null` is dropped, a counter that is
// "lots" goes back to 0, and everything valid is kept. Pure: text in, state and problems out.

import { Ajv } from 'ajv';
import type { StoredAlert } from '../stored-alert.js';

export type { StoredAlert } from '../stored-alert.js';

export interface StoredState {
  version: 1;
  alerts: StoredAlert[];
  counters: { upstream_bytes: number; classes: Record<string, number>; alerts_total: number };
}

export const emptyState = (): StoredState => ({ version: 1, alerts: [], counters: { upstream_bytes: 0, classes: {}, alerts_total: 0 } });

const COUNT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const TEXT = { type: 'string', maxLength: 1000 } as const;

const ALERT_SCHEMA = {
  type: 'object',
  required: ['id', 'severity', 'time', 'start', 'dst', 'reason', 'bytes', 'packets', 'acknowledged'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    severity: { enum: ['critical', 'warning'] },
    time: TEXT,
    start: TEXT,
    dst: TEXT,
    reason: TEXT,
    bytes: COUNT,
    packets: COUNT,
    acknowledged: { type: 'boolean' },
    enforcement: { enum: ['blocked', 'would-block'] },
    device: { type: 'string', minLength: 1, maxLength: 32 },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: true });
const validAlert = ajv.compile(ALERT_SCHEMA);
const validCount = ajv.compile(COUNT);

export interface StateProblem {
  /** The field, as a path: `alerts[0]`, `counters.upstream_bytes`, `counters.classes.syn`. */
  field: string;
  problem: string;
}

export type ParsedState = { ok: true; state: StoredState; problems: StateProblem[] } | { ok: false; problem: string };

/**
 * Parses a state file. The whole file is refused only when it is not an earshot state file at all
 * (not JSON, not an object, another version); otherwise each invalid part is replaced by its
 * default and named in `problems`.
 */
export function parseStoredState(text: string): ParsedState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message.split('\n')[0]})` };
  }
  if (value === null) return { ok: false, problem: 'holds null' };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'not an earshot state file' };
  const raw = value as Record<string, unknown>;
  if (raw.version !== 1) return { ok: false, problem: `not an earshot state file (version ${describe(raw.version)})` };
  const problems: StateProblem[] = [];
  const state = emptyState();

  if (Array.isArray(raw.alerts)) {
    raw.alerts.forEach((entry, index) => {
      if (validAlert(entry)) state.alerts.push(entry as StoredAlert);
      else problems.push({ field: `alerts[${index}]`, problem: `expected an alert (${alertProblem(entry)}); dropped it` });
    });
  } else if (raw.alerts !== undefined) problems.push({ field: 'alerts', problem: `expected a list of alerts (got ${describe(raw.alerts)}); started an empty history` });

  const counters = raw.counters;
  if (typeof counters === 'object' && counters !== null && !Array.isArray(counters)) {
    const c = counters as Record<string, unknown>;
    for (const name of ['upstream_bytes', 'alerts_total'] as const) {
      if (validCount(c[name])) state.counters[name] = c[name] as number;
      else problems.push({ field: `counters.${name}`, problem: `expected a whole number of at least 0 (got ${describe(c[name])}); reset it to 0` });
    }
    const classes = c.classes;
    if (typeof classes === 'object' && classes !== null && !Array.isArray(classes)) {
      for (const [name, count] of Object.entries(classes as Record<string, unknown>)) {
        if (validCount(count)) state.counters.classes[name] = count as number;
        else problems.push({ field: `counters.classes.${name}`, problem: `expected a whole number of at least 0 (got ${describe(count)}); reset it to 0` });
      }
    } else problems.push({ field: 'counters.classes', problem: `expected packets per class (got ${describe(classes)}); reset them to 0` });
  } else problems.push({ field: 'counters', problem: `expected the counters (got ${describe(counters)}); reset them to 0` });

  // The total counts every alert ever raised, so it is never below the history it keeps.
  if (state.counters.alerts_total < state.alerts.length) state.counters.alerts_total = state.alerts.length;
  return { ok: true, state, problems };
}

function alertProblem(entry: unknown): string {
  const error = validAlert.errors?.[0];
  if (!error || error.instancePath === '') {
    if (error?.keyword === 'required') return `${String((error.params as { missingProperty: string }).missingProperty)} is missing`;
    return `got ${describe(entry)}`;
  }
  return `${error.instancePath.slice(1).replaceAll('/', '.')} ${error.message ?? 'is invalid'}`;
}

/** A short description of a value for a log line: never a whole object, never a long string. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return String(value);
}
