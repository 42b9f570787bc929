// Parses, overrides, validates and completes the service config. Pure apart from the caller
// handing in the file's text and the environment. A box with no screen must refuse to start on a
// bad config and say why in one line, so every error names the field and the value given.

import { isIP } from 'node:net';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { CONFIG_VERSION, migrateConfig } from '../config-version.js';
import { ConfigError } from '../input-error.js';
import { checkApSection, checkEnforcementSection } from '../ap/config.js';
import { DEFAULT_DEVICE_ID, DEFAULT_DEVICE_NAME } from '../defaults.js';
import { CONFIG_DEFAULTS, CONFIG_SCHEMA, DEVICE_ID_PATTERN, type DeviceConfig, type RecordConfig, type ServiceConfig } from './config-schema.js';
import { checkStatusPageBind, type StatusPageConfig } from '../status-page/status-page-config.js';

// Defined below service/ and gpio/ both, so the sensor code reports config problems without importing the service.
export { ConfigError };

export type Json = Record<string, unknown>;
interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  'x-expected'?: string;
  'x-secret'?: boolean;
  items?: SchemaNode;
}

// Union types: mic.line is a name or an offset, an I2C address a number or "0x29".
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addVocabulary(['x-expected', 'x-secret']);
ajv.addFormat('ip', { type: 'string', validate: (text: string) => isIP(text) !== 0 });
const validate = ajv.compile(CONFIG_SCHEMA);

/** Parses JSON or YAML (YAML is a superset, but JSON gets JSON's error positions). */
export function parseConfigText(text: string, file: string): Json {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, 'file', `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${syntaxDetail(error as Error, text)}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(file, 'file', 'expected a mapping of settings at the top level');
  return value as Json;
}

/**
 * Where the parser stopped, without quoting the file: a config holds a password, and Node's
 * JSON errors quote the text around the mistake.
 */
function syntaxDetail(error: Error, text: string): string {
  const first = error.message.split('\n')[0].replace(/:\s*$/, '');
  const position = /at position (\d+)/.exec(first);
  if (position) {
    const before = text.slice(0, Number(position[1])).split('\n');
    return `syntax error at line ${before.length}, column ${before[before.length - 1].length + 1}`;
  }
  if (/ at line \d+, column \d+/.test(first)) return first; // yaml's messages carry no source text
  // Node's other JSON messages quote the text near the mistake, even a token: say only what.
  return /end of JSON input/.test(first) ? 'unexpected end of file' : 'syntax error';
}

/**
 * EARSHOT_<PATH> variables override the file. The path is matched against the schema's field
 * names, so EARSHOT_MQTT_DISCOVERY_PREFIX is mqtt.discovery_prefix and EARSHOT_JUDGE_GRACE_S is
 * judge.grace_s; numbers are converted where the schema wants them. Returns the fields set.
 */
export function applyEnvironment(config: Json, env: Record<string, string | undefined>): Map<string, string> {
  const applied = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('EARSHOT_') || value === undefined || value === '') continue;
    const path = schemaPath(name.slice('EARSHOT_'.length).toLowerCase(), CONFIG_SCHEMA as SchemaNode);
    if (!path) continue; // EARSHOT_DEBUG and the like are not settings
    let target = config;
    for (const key of path.slice(0, -1)) {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      target = target[key] as Json;
    }
    const leaf = nodeAt(path);
    target[path[path.length - 1]] = leaf?.type === 'number' || leaf?.type === 'integer' ? numberOrText(value) : leaf?.type === 'boolean' ? booleanOrText(value) : value;
    applied.set(path.join('.'), name);
  }
  return applied;
}

function schemaPath(rest: string, node: SchemaNode): string[] | undefined {
  for (const key of Object.keys(node.properties ?? {})) {
    // Only single settings, never a whole group: EARSHOT_MQTT must not replace mqtt's mapping.
    if (rest === key) return node.properties![key].properties ? undefined : [key];
    if (rest.startsWith(`${key}_`)) {
      const deeper = schemaPath(rest.slice(key.length + 1), node.properties![key]);
      if (deeper) return [key, ...deeper];
    }
  }
  return undefined;
}

function nodeAt(path: string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = CONFIG_SCHEMA as SchemaNode;
  // devices.0.mic: an index steps into the list's items.
  for (const key of path) node = node?.type === 'array' && /^\d+$/.test(key) ? node.items : node?.properties?.[key];
  return node;
}

const booleanOrText = (text: string): boolean | string => (text === 'true' ? true : text === 'false' ? false : text);

const numberOrText = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

function describe(error: ErrorObject, config: Json): { field: string; problem: string } {
  const segments = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty: string }).additionalProperty);
    const field = [...segments, extra].join('.');
    const known = Object.keys(nodeAt(segments)?.properties ?? {});
    return { field, problem: `unknown setting (known here: ${known.join(', ')})` };
  }
  const field = segments.join('.') || 'config';
  const node = nodeAt(segments);
  let value: unknown = config;
  for (const key of segments) value = (value as Json | undefined)?.[key];
  const got = node?.['x-secret'] ? `${String(value).length} characters` : JSON.stringify(typeof value === 'string' ? hideUrlPassword(value) : value);
  const expected = node?.['x-expected'] ?? error.message ?? 'a valid value';
  if (error.keyword === 'maxProperties') return { field, problem: `expected only one of ${expected}` };
  return { field, problem: `expected ${expected} (got ${got?.replaceAll('"', "'") ?? 'nothing'})` };
}

/** The whole chain: migration, env overrides, validation, defaults. Throws ConfigError with the first problem. */
export function resolveConfig(raw: Json, file: string, env: Record<string, string | undefined>, defaultId: string): ServiceConfig {
  const migrated = migrateConfig(raw);
  if (!migrated.ok) throw new ConfigError(file, 'version', migrated.problem);
  if (migrated.from < 3) checkSingleDevice(raw.device, file);
  const config = structuredClone(migrated.config);
  const fromEnvironment = applyEnvironment(config, env);
  const errors = validate(config) ? [] : (validate.errors ?? []);
  // What is inside a mapping `ap:` is reported by the AP's own checker (the same schema, then the
  // checks a schema cannot express), so one run lists every problem there, semantic ones too.
  const insideAp = (error: ErrorObject): boolean => error.instancePath.startsWith('/ap/') || (error.instancePath === '/ap' && error.keyword !== 'type');
  const problems = errors.filter((error) => !insideAp(error)).map((error) => describe(error, config));
  const apIsMapping = typeof config.ap === 'object' && config.ap !== null && !Array.isArray(config.ap);
  const ap = apIsMapping ? checkApSection(config.ap) : undefined;
  if (ap && !ap.ok) problems.push(...ap.issues.map((issue) => ({ field: issue.path, problem: issue.message })));
  const enforcement = checkEnforcementSection(config.enforcement);
  if (problems.length === 0 && !enforcement.ok) problems.push(...enforcement.issues.map((issue) => ({ field: issue.path, problem: issue.message })));
  if (problems.length > 0) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    // A bad value from EARSHOT_* is the variable's fault, not the file's.
    const variable = fromEnvironment.get(first.field);
    throw new ConfigError(variable ? `environment ${variable}` : file, asWritten(first.field, migrated.from), first.problem + more);
  }
  const devices = resolveDevices(config.devices as Json[] | undefined, file, migrated.from);
  checkBrokerHost((config.mqtt as Json | undefined)?.url, file);
  const capture = { ...(config.capture as Json | undefined) };
  if (capture.file !== undefined && capture.interface !== undefined) {
    throw new ConfigError(file, 'capture', 'expected either interface (live) or file (replay), not both');
  }
  if (capture.file === undefined && capture.interface === undefined) capture.interface = CONFIG_DEFAULTS.capture.interface;
  const statusPage = { ...CONFIG_DEFAULTS.status_page, ...(config.status_page as Json | undefined) } as StatusPageConfig;
  const bindIssue = checkStatusPageBind(statusPage, ap?.ok ? ap.value.lan.subnet : undefined);
  if (bindIssue) throw new ConfigError(fromEnvironment.get(bindIssue.field) ? `environment ${fromEnvironment.get(bindIssue.field)}` : file, bindIssue.field, bindIssue.problem);
  return {
    ...config,
    version: CONFIG_VERSION,
    written_version: migrated.from,
    id: (config.id as string | undefined) ?? defaultId,
    capture: { pace: CONFIG_DEFAULTS.capture.pace, buffer_mb: CONFIG_DEFAULTS.capture.buffer_mb, ...capture },
    devices,
    mqtt: { ...CONFIG_DEFAULTS.mqtt, ...(config.mqtt as Json | undefined) },
    state: { ...CONFIG_DEFAULTS.state, ...(config.state as Json | undefined) },
    judge: { ...CONFIG_DEFAULTS.judge, ...(config.judge as Json | undefined) },
    record: checkRecordSection({ ...CONFIG_DEFAULTS.record, ...(config.record as Json | undefined) }, file),
    enforcement: enforcement.ok ? enforcement.value : undefined,
    status_page: statusPage,
    ...(ap?.ok ? { ap: ap.value } : {}),
  } as ServiceConfig;
}

/**
 * A file written before version 3 has no `devices`: its problems are named as the user wrote
 * them, `mic.line` and `device.ip`, not as the migration moved them.
 */
function asWritten(field: string, fromVersion: number): string {
  if (fromVersion >= 3) return field;
  if (field.startsWith('devices.0.mic')) return field.slice('devices.0.'.length);
  if (field === 'devices.0') return 'device';
  if (/^devices\.0\.(ip|mac)/.test(field)) return `device.${field.slice('devices.0.'.length)}`;
  return field;
}

/** A version 2 file's `device` is { ip } or { mac } and nothing else: the migration keeps only those. */
function checkSingleDevice(device: unknown, file: string): void {
  if (device === undefined) return;
  if (typeof device !== 'object' || device === null || Array.isArray(device)) {
    throw new ConfigError(file, 'device', `expected { ip } or { mac } (got ${JSON.stringify(device)?.replaceAll('"', "'")})`);
  }
  const extra = Object.keys(device).find((key) => key !== 'ip' && key !== 'mac');
  if (extra !== undefined) throw new ConfigError(file, `device.${extra}`, 'unknown setting (known here: ip, mac)');
}

/** Each Echo with its id, its ring's defaults, and the checks a schema cannot make. */
function resolveDevices(listed: Json[] | undefined, file: string, fromVersion: number): DeviceConfig[] {
  const entries = listed ?? [];
  if (entries.length === 0) return [{ id: DEFAULT_DEVICE_ID, name: DEFAULT_DEVICE_NAME, mic: { ...CONFIG_DEFAULTS.mic } }];
  const devices = entries.map((entry, index): DeviceConfig => {
    const name = (entry.name as string | undefined) ?? (entries.length === 1 ? DEFAULT_DEVICE_NAME : undefined);
    if (name === undefined) throw new ConfigError(file, `devices.${index}.name`, 'expected a name for each Echo when the box watches several, such as "Kitchen"');
    const id = (entry.id as string | undefined) ?? deviceIdFromName(name);
    if (!new RegExp(DEVICE_ID_PATTERN).test(id)) throw new ConfigError(file, `devices.${index}.id`, `expected an id of lowercase letters, digits, "-" or "_" (the name '${name}' gives none; set id)`);
    if (entry.ip !== undefined && entry.mac !== undefined) throw new ConfigError(file, asWritten(`devices.${index}`, fromVersion), 'expected only one of ip or mac');
    const mac = typeof entry.mac === 'string' ? entry.mac.toLowerCase().replaceAll('-', ':') : undefined;
    return { id, name, ...(entry.ip !== undefined ? { ip: entry.ip as string } : {}), ...(mac ? { mac } : {}), mic: { ...CONFIG_DEFAULTS.mic, ...(entry.mic as Json | undefined) } };
  });
  const seen = new Map<string, number>();
  devices.forEach((device, index) => {
    for (const key of [`id ${device.id}`, device.ip && `ip ${device.ip}`, device.mac && `mac ${device.mac}`].filter(Boolean) as string[]) {
      const first = seen.get(key);
      if (first !== undefined) throw new ConfigError(file, `devices.${index}`, `the same ${key.split(' ')[0]} as devices.${first} ('${key.slice(key.indexOf(' ') + 1)}'): each Echo once`);
      seen.set(key, index);
    }
    if (devices.length > 1 && !device.ip && !device.mac) throw new ConfigError(file, `devices.${index}`, 'expected a mac or ip for each Echo when the box watches several (only a sole Echo can be found by itself)');
  });
  return devices;
}

/** "Living room" -> "living-room": an id for topics and Home Assistant from the name. */
export function deviceIdFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replaceAll(/[^a-z0-9]+/g, '-')
    .replaceAll(/^-+|-+$/g, '')
    .slice(0, 32);
}

/**
 * The schema's pattern checks the scheme only; a URL with no host (`mqtt://:1883`,
 * `mqtt://user@`) would make mqtt.js connect to localhost without a word, so it is refused here.
 */
function checkBrokerHost(url: unknown, file: string): void {
  if (typeof url !== 'string') return;
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    // unparsable: no host to connect to either
  }
  if (host === '') throw new ConfigError(file, 'mqtt.url', `expected a broker host, as in mqtt://192.0.2.5:1883 (got '${hideUrlPassword(url)}')`);
}

/** Segments must be small against the budget, or trimming old ones could not keep it. */
function checkRecordSection(section: Json, file: string): RecordConfig {
  const record = section as unknown as RecordConfig;
  const total = record.max_total_mb;
  if (record.segment_mb * 4 > total) {
    throw new ConfigError(file, 'record.segment_mb', `expected at most a quarter of record.max_total_mb (${Math.floor(total / 4)}; got ${String(record.segment_mb)})`);
  }
  return record;
}

/** Shows a URL without its password: "mqtt://user:***@host". */
function hideUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@');
}

/** A box id from its MAC ("b8:27:eb:12:34:56" → "b827eb123456"), the design's default. */
export function idFromMac(mac: string | undefined): string {
  return mac ? mac.toLowerCase().replaceAll(/[^0-9a-f]/g, '') : 'earshot';
}
