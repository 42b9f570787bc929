// The service config's JSON schema (design.md section 4, "Config file"). Each field carries an
// `x-expected` phrase so a validation error can say what was wanted in words, with the value
// that was given: "mqtt.url: expected an mqtt:// or mqtts:// URL (got 'htp://x')".

import type { ApConfig, EnforcementConfig } from '../ap/config.js';
import { CONFIG_SECTION_DEFAULTS } from '../defaults.js';
import { STATUS_PAGE_DEFAULTS, STATUS_PAGE_SCHEMA, type StatusPageConfig } from '../status-page/status-page-config.js';

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
      'x-expected': '1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit',
    },
    device: {
      type: 'object',
      additionalProperties: false,
      'x-expected': '{ ip } or { mac }',
      properties: {
        ip: { type: 'string', format: 'ip', 'x-expected': 'an IPv4 or IPv6 address' },
        mac: { type: 'string', pattern: '^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$', 'x-expected': 'a MAC address like 44:65:0d:12:34:56' },
      },
      maxProperties: 1,
    },
    capture: {
      type: 'object',
      additionalProperties: false,
      'x-expected': '{ interface } or { file, pace }',
      properties: {
        interface: { type: 'string', minLength: 1, maxLength: 15, 'x-expected': 'a network interface name such as wlan0' },
        file: { type: 'string', minLength: 1, 'x-expected': 'a path to a pcap or pcapng file' },
        pace: { enum: ['recorded', 'fast'], 'x-expected': '"recorded" or "fast"' },
        speed: { type: 'number', exclusiveMinimum: 0, maximum: 100000, 'x-expected': 'a replay speed-up factor above 0 (1 = as recorded)' },
        buffer_mb: { type: 'integer', minimum: 2, maximum: 256, 'x-expected': 'a whole number of MiB between 2 and 256' },
      },
    },
    mic: {
      type: 'object',
      additionalProperties: true,
      'x-expected': '{ timeline } or { sensor, ... }',
      properties: {
        timeline: { type: 'string', minLength: 1, 'x-expected': 'a path to a mic timeline CSV' },
        sensor: { enum: ['gpio', 'tcs34725', 'none'], 'x-expected': '"gpio", "tcs34725" or "none"' },
      },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      'x-expected': 'a mapping of settings',
      properties: {
        url: { type: 'string', pattern: '^mqtts?://[^\\s/]+', 'x-expected': 'an mqtt:// or mqtts:// URL' },
        username: { type: 'string', 'x-expected': 'a string' },
        password: { type: 'string', 'x-expected': 'a string', 'x-secret': true },
        discovery_prefix: { type: 'string', pattern: '^[A-Za-z0-9_/-]+$', 'x-expected': 'a topic prefix such as homeassistant' },
        queue_limit: { type: 'integer', minimum: 10, maximum: 100000, 'x-expected': 'a whole number between 10 and 100000' },
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      'x-expected': 'a mapping of settings',
      properties: {
        path: { type: 'string', minLength: 1, 'x-expected': 'a file path' },
        history: { type: 'integer', minimum: 1, maximum: 10000, 'x-expected': 'a whole number of alerts between 1 and 10000' },
        write_interval_s: { type: 'number', minimum: 1, maximum: 86400, 'x-expected': 'seconds between 1 and 86400' },
      },
    },
    judge: {
      type: 'object',
      additionalProperties: false,
      'x-expected': 'a mapping of settings',
      properties: {
        grace_s: { type: 'number', minimum: 0, maximum: 3600, 'x-expected': 'seconds between 0 and 3600' },
      },
    },
    // The access point's own checks cover the rest of this section and `ap` (appliance/src/ap/config.ts).
    enforcement: {
      type: 'object',
      additionalProperties: true,
      'x-expected': 'a mapping of settings',
      properties: {
        mode: { enum: ['off', 'alert', 'block-when-muted'], 'x-expected': '"off", "alert" or "block-when-muted"' },
      },
    },
    record: {
      type: 'object',
      additionalProperties: false,
      'x-expected': 'a mapping of settings',
      properties: {
        enabled: { type: 'boolean', 'x-expected': 'true or false' },
        dir: { type: 'string', minLength: 1, 'x-expected': 'a folder path' },
        max_total_mb: { type: 'integer', minimum: 4, maximum: 1000000, 'x-expected': 'a whole number of MB between 4 and 1000000' },
        segment_mb: { type: 'integer', minimum: 1, maximum: 10000, 'x-expected': 'a whole number of MB between 1 and 10000' },
        segment_s: { type: 'integer', minimum: 10, maximum: 604800, 'x-expected': 'whole seconds between 10 and 604800 (a week)' },
      },
    },
    // The local status page (docs/status-page.md).
    status_page: STATUS_PAGE_SCHEMA,
    model: {
      type: 'string',
      minLength: 1,
      'x-expected': 'a path to an earshot forest model, or "none" for the labelling rules',
    },
    led: {
      type: 'object',
      additionalProperties: true,
      'x-expected': 'LED settings',
    },
    ap: {
      type: 'object',
      additionalProperties: true,
      'x-expected': 'access-point settings',
    },
  },
} as const;

/** The config after defaults: what the service runs with. */
export interface ServiceConfig {
  id: string;
  device?: { ip?: string; mac?: string };
  capture: { interface?: string; file?: string; pace: 'recorded' | 'fast'; speed?: number; buffer_mb: number };
  mic: { timeline?: string; sensor?: 'gpio' | 'tcs34725' | 'none'; [key: string]: unknown };
  mqtt: { url?: string; username?: string; password?: string; discovery_prefix: string; queue_limit: number };
  state: { path: string; history: number; write_interval_s: number };
  judge: { grace_s: number };
  enforcement: EnforcementConfig;
  /** The live dataset recorder (docs/record.md); `earshot record` turns it on. */
  record: RecordConfig;
  /** The local status page (docs/status-page.md). */
  status_page: StatusPageConfig;
  /** A model file; absent: the shipped model; "none": the labelling rules. */
  model?: string;
  led?: Record<string, unknown>;
  /** The access point, on the box; absent when replaying or capturing elsewhere. */
  ap?: ApConfig;
}

export interface RecordConfig {
  enabled: boolean;
  dir: string;
  max_total_mb: number;
  segment_mb: number;
  segment_s: number;
}

/** Documented defaults (docs/service.md), from defaults.ts. `id` defaults to one derived from the box's MAC. */
export const CONFIG_DEFAULTS = { ...CONFIG_SECTION_DEFAULTS, status_page: STATUS_PAGE_DEFAULTS } as const;
