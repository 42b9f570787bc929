// The config file's format version and the migrations from older formats (docs/service.md,
// "Config versions"). A file without `version` is version 1, the format before versions
// existed. Each step turns a file of one version into the next; a file from a newer earshot is
// refused rather than half understood. Pure: values in, values out; nothing is written back, so
// the user's file stays as they wrote it.

export const CONFIG_VERSION = 2;

type Json = Record<string, unknown>;

/**
 * One step per version. 1 → 2 renames nothing: version 2 is version 1 with `version` and with
 * every section checked by the schema (unknown keys in `mic`, `led`, `ap`, `enforcement` became
 * errors, which is stricter checking, not a change of meaning).
 */
const MIGRATIONS: Record<number, (config: Json) => Json> = {
  1: (config) => ({ ...config, version: 2 }),
};

export type Migrated = { ok: true; config: Json; from: number } | { ok: false; problem: string };

/** The config in the current format, or why it cannot be read. The input is not changed. */
export function migrateConfig(raw: Json): Migrated {
  const given = raw.version === undefined ? 1 : raw.version;
  if (typeof given !== 'number' || !Number.isInteger(given) || given < 1) {
    return { ok: false, problem: `expected a config format version: a whole number, ${CONFIG_VERSION} for this earshot (got ${JSON.stringify(given)?.replaceAll('"', "'")})` };
  }
  if (given > CONFIG_VERSION) {
    return { ok: false, problem: `written by a newer earshot (version ${given}; this earshot reads versions 1 to ${CONFIG_VERSION}): update earshot, or write the file in version ${CONFIG_VERSION}'s format` };
  }
  let config: Json = { ...raw, version: given };
  for (let version = given; version < CONFIG_VERSION; version++) config = MIGRATIONS[version](config);
  return { ok: true, config, from: given };
}
