// Turns ajv's errors into the one-line messages earshot prints: the field as a dotted path, what
// was expected, and the value that was there. Secrets are described by type and length only.

import type { ErrorObject } from 'ajv';

export interface ConfigIssue {
  /** Dotted path from the config's top, e.g. "ap.lan.subnet". */
  path: string;
  message: string;
}

/** A config that must not be used. The message is one line: file, then every issue. */
export class ConfigError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly issues: ConfigIssue[],
  ) {
    super(`${file ? `${file}: ` : ''}${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Fields whose value must never appear in an error or a log line. */
export const SECRET_FIELDS = new Set(['wpa_passphrase']);

const REQUIRED_HINTS: Record<string, string> = {
  country_code: 'required: the regulatory domain, an ISO 3166-1 alpha-2 code such as DE or US',
  ssid: 'required: the network name the Echo joins, 1–32 bytes of UTF-8',
  wpa_passphrase: 'required: 8–63 printable ASCII characters, or 64 hex digits',
};

export function describeValue(value: unknown, secret = false): string {
  if (secret) {
    if (typeof value === 'string') return `${value.length} characters`;
    return `${kindOf(value)}${typeof value === 'number' || typeof value === 'boolean' ? '; quote it in YAML' : ''}`;
  }
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

const TYPE_PHRASES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

export function joinPath(prefix: string, instancePath: string, property?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (property !== undefined) parts.push(property);
  return [prefix, ...parts].filter((p) => p !== '').join('.');
}

/** One issue per ajv error. Needs ajv's `verbose` option, which puts the value on `data`. */
export function issueFromAjv(error: ErrorObject, prefix: string): ConfigIssue {
  const params = error.params as Record<string, unknown>;
  const field = error.instancePath.split('/').at(-1) ?? '';
  const secret = SECRET_FIELDS.has(field);
  const got = `(got ${describeValue(error.data, secret)})`;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return { path: joinPath(prefix, error.instancePath, missing), message: REQUIRED_HINTS[missing] ?? 'required' };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = closest(extra, known);
      const hint = near ? ` (did you mean ${near}?)` : known.length ? ` (known fields: ${known.join(', ')})` : '';
      return { path: joinPath(prefix, error.instancePath, extra), message: `unknown field${hint}` };
    }
    case 'type': {
      const secretType = secret ? `(got ${describeValue(error.data, true)})` : got;
      return { path: joinPath(prefix, error.instancePath), message: `expected ${TYPE_PHRASES[String(params.type)] ?? params.type} ${secretType}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path: joinPath(prefix, error.instancePath), message: `expected one of ${allowed} ${got}` };
    }
    case 'pattern': {
      const expected = (error.parentSchema as Record<string, unknown> | undefined)?.['x-expected'] ?? `text matching ${params.pattern}`;
      return { path: joinPath(prefix, error.instancePath), message: `expected ${expected} ${got}` };
    }
    case 'minimum':
    case 'maximum':
      return { path: joinPath(prefix, error.instancePath), message: `expected ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${params.limit} ${got}` };
    default:
      return { path: joinPath(prefix, error.instancePath), message: `${error.message ?? 'invalid'} ${got}` };
  }
}

/** The known name within edit distance 2, for "did you mean". */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}
