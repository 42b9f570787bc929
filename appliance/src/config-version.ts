// The config file's format version and the migrations from older formats (docs/service.md,
// "Config versions"). A file without `version` is version 1, the format before versions
// existed. Each step turns a file of one version into the next; a file from a newer earshot is
// refused rather than half understood. Pure: values in, values out; nothing is written back, so
// the user's file stays as they wrote it.

export const CONFIG_VERSION = 3;

import { DEFAULT_DEVICE_ID, DEFAULT_DEVICE_NAME } from './defaults.js';

type Json = Record<string, unknown>;

/**
 * One step per version. 1 → 2 renames nothing: version 2 is version 1 with `version` and with
 * every section checked by the schema (unknown keys in `mic`, `led`, `ap`, `enforcement` became
 * errors, which is stricter checking, not a change of meaning).
 */
const MIGRATIONS: Record<number, (config: Json) => Json> = {
  1: (config) => ({ ...config, version: 2 }),
  2: toSeveralDevices,
};

/**
 * 2 → 3: one box, several Echos. The single `device` ({ ip } or { mac }) and the top-level `mic`
 * become the one entry of `devices`, with the id and name a single-device box always had
 * ("echo", "Echo"), so its topics, Home Assistant entities and alert ids stay as they were. A
 * file with neither lists no device: the one Echo is learned from the AP or elected, as before.
 */
function toSeveralDevices(config: Json): Json {
  const { device, mic, ...rest } = config;
  const migrated: Json = { ...rest, version: 3 };
  if (device === undefined && mic === undefined) return migrated;
  const address = typeof device === 'object' && device !== null && !Array.isArray(device) ? (device as Json) : device === undefined ? {} : { ip: device };
  migrated.devices = [{ id: DEFAULT_DEVICE_ID, name: DEFAULT_DEVICE_NAME, ...address, ...(mic === undefined ? {} : { mic }) }];
  return migrated;
}

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
