// Building blocks of the config's JSON schemas (service/config-schema.ts, the status page's
// section), so each field is one line saying its range, and every mapping refuses keys it does
// not know. `x-expected` is the phrase an error uses: "expected <x-expected> (got <value>)".
// Pure: schema objects only.

export interface FieldSchema {
  [keyword: string]: unknown;
  'x-expected': string;
}

/** A mapping of known settings: any other key is an error naming it. */
export function section(properties: Record<string, object>, expected = 'a mapping of settings'): { type: 'object'; additionalProperties: false; 'x-expected': string; properties: Record<string, object> } {
  return { type: 'object', additionalProperties: false, 'x-expected': expected, properties };
}

export function wholeNumber(minimum: number, maximum: number, expected = `a whole number between ${minimum} and ${maximum}`): FieldSchema {
  return { type: 'integer', minimum, maximum, 'x-expected': expected };
}

export function number(minimum: number, maximum: number, expected: string): FieldSchema {
  return { type: 'number', minimum, maximum, 'x-expected': expected };
}

/** Seconds or milliseconds, fractions allowed. */
export function duration(minimum: number, maximum: number, unit: 's' | 'ms'): FieldSchema {
  return number(minimum, maximum, `${unit === 's' ? 'seconds' : 'milliseconds'} between ${minimum} and ${maximum}`);
}

/** A non-empty string: a path, a name. */
export function text(expected: string): FieldSchema {
  return { type: 'string', minLength: 1, 'x-expected': expected };
}

export const BOOLEAN: FieldSchema = { type: 'boolean', 'x-expected': 'true or false' };

/** One of a few words: `expected "a", "b" or "c"`. */
export function oneOf(values: readonly (string | number)[]): FieldSchema {
  const quoted = values.map((v) => JSON.stringify(v));
  return { enum: [...values], 'x-expected': quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0] };
}
