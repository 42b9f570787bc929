// The service config's JSON schema (design.md section 4, "Config file"). Each field carries an
// `x-expected` phrase so a validation error can say what was wanted in words, with the value
// that was given: "mqtt.url: expected an mqtt:// or mqtts:// URL (got 'htp://x')".

import type { ApConfig, EnforcementConfig } from '../ap/config.js';
import { AP_SCHEMA, ENFORCEMENT_SCHEMA } from '../ap/config-schema.js';
import { BOOLEAN, duration, number, oneOf, section, text, wholeNumber } from '../config-fields.js';
import { CONFIG_VERSION } from '../config-version.js';
import { CONFIG_SECTION_DEFAULTS, GRACE_RANGE_S, MAX_DEVICES, MIC_SENSOR_KINDS } from '../defaults.js';
import { STATUS_PAGE_DEFAULTS, STATUS_PAGE_SCHEMA, type StatusPageConfig } from '../status-page/status-page-config.js';

export { MIC_SENSOR_KINDS };

export const DEVICE_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,31}$';

const I2C_BUS = wholeNumber(0, 31, 'an I2C bus number between 0 and 31');
/** A number or "0x29"; which addresses a chip answers on is checked with the sensor. */
const I2C_ADDRESS = { type: ['integer', 'string'], minimum: 0x03, maximum: 0x77, pattern: '^0x[0-9a-fA-F]{1,2}$', 'x-expected': 'an I2C address between 0x03 and 0x77, such as 0x29' };

/** Each field of `mic:`; which of them a sensor takes is checked in gpio/sensor-config.ts. */
export const MIC_SCHEMA = section(
  {
    timeline: text('a path to a mic timeline CSV'),
    sensor: oneOf(MIC_SENSOR_KINDS),
    // The ring wire (sensor: gpio).
    line: { type: ['string', 'integer'], minLength: 1, minimum: 0, 'x-expected': 'a line name such as "GPIO17", or an offset with mic.chip' },
    chip: text('a GPIO chip such as "gpiochip0"'),
    active_low: BOOLEAN,
    bias: oneOf(['pull-up', 'pull-down', 'disabled']),
    backend: oneOf(['auto', 'gpiod', 'sysfs']),
    debounce_ms: duration(0, 1000, 'ms'),
    pulse_hold_ms: duration(0, 60000, 'ms'),
    max_silence_s: duration(0, 604800, 's'),
    light: section({
      sensor: oneOf(['bh1750']),
      bus: I2C_BUS,
      address: I2C_ADDRESS,
      on_lux: number(0.5, 50000, 'lux between 0.5 and 50000'),
      off_lux: number(0, 50000, 'lux between 0 and 50000'),
      hold_ms: duration(0, 60000, 'ms'),
      poll_ms: duration(180, 5000, 'ms'),
    }),
    // The ring's colour (sensor: tcs34725).
    bus: I2C_BUS,
    address: I2C_ADDRESS,
    calibration: text('a path to a calibration file (earshot calibrate --out FILE)'),
    poll_ms: duration(20, 5000, 'ms'),
    enter_ms: duration(0, 10000, 'ms'),
    hold_ms: duration(0, 60000, 'ms'),
    record: text('a path to record the sensor readings to'),
  },
  '{ timeline } or { sensor, ... }',
);

export const CONFIG_SCHEMA = section({
  version: wholeNumber(1, Number.MAX_SAFE_INTEGER, `a config format version: a whole number, ${CONFIG_VERSION} for this earshot`),
  id: {
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
    'x-expected': '1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit',
  },
  // Each Echo the box watches (version 3); a version 2 file's `device` and `mic` become the one entry.
  devices: {
    type: 'array',
    maxItems: MAX_DEVICES,
    'x-expected': `a list of up to ${MAX_DEVICES} Echos, each { name, mac or ip, mic }`,
    items: section(
      {
        name: { type: 'string', minLength: 1, maxLength: 40, 'x-expected': 'a name of 1-40 characters, such as "Kitchen"' },
        id: { type: 'string', pattern: DEVICE_ID_PATTERN, 'x-expected': '1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit' },
        ip: { type: 'string', format: 'ip', 'x-expected': 'an IPv4 or IPv6 address' },
        mac: { type: 'string', pattern: '^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$', 'x-expected': 'a MAC address like 44:65:0d:12:34:56' },
        mic: MIC_SCHEMA,
      },
      '{ name, mac or ip, mic }',
    ),
  },
  capture: section(
    {
      interface: { type: 'string', minLength: 1, maxLength: 15, 'x-expected': 'a network interface name such as wlan0' },
      file: text('a path to a pcap or pcapng file'),
      pace: oneOf(['recorded', 'fast']),
      speed: { type: 'number', exclusiveMinimum: 0, maximum: 100000, 'x-expected': 'a replay speed-up factor above 0 (1 = as recorded)' },
      buffer_mb: wholeNumber(2, 256, 'a whole number of MiB between 2 and 256'),
    },
    '{ interface } or { file, pace }',
  ),
  mqtt: section({
    url: { type: 'string', pattern: '^mqtts?://[^\\s/]+', 'x-expected': 'an mqtt:// or mqtts:// URL' },
    username: { type: 'string', 'x-expected': 'a string' },
    password: { type: 'string', 'x-expected': 'a string', 'x-secret': true },
    discovery_prefix: { type: 'string', pattern: '^[A-Za-z0-9_/-]+$', 'x-expected': 'a topic prefix such as homeassistant' },
    queue_limit: wholeNumber(10, 100000),
  }),
  state: section({
    path: text('a file path'),
    history: wholeNumber(1, 10000, 'a whole number of alerts between 1 and 10000'),
    write_interval_s: duration(1, 86400, 's'),
  }),
  judge: section({ grace_s: duration(GRACE_RANGE_S.min, GRACE_RANGE_S.max, 's') }),
  // The access point's own schemas; config-semantics.ts adds what a schema cannot say.
  enforcement: ENFORCEMENT_SCHEMA,
  record: section({
    enabled: BOOLEAN,
    dir: text('a folder path'),
    max_total_mb: wholeNumber(4, 1000000, 'a whole number of MB between 4 and 1000000'),
    segment_mb: wholeNumber(1, 10000, 'a whole number of MB between 1 and 10000'),
    segment_s: wholeNumber(10, 604800, 'whole seconds between 10 and 604800 (a week)'),
  }),
  // The local status page (docs/status-page.md).
  status_page: STATUS_PAGE_SCHEMA,
  model: text('a path to an earshot forest model, or "none" for the labelling rules'),
  led: section(
    {
      enabled: BOOLEAN,
      name: { type: 'string', pattern: '^[^/.][^/]*$', 'x-expected': 'a name under /sys/class/leds, such as "earshot" or "ACT"' },
    },
    'LED settings',
  ),
  ap: AP_SCHEMA,
});

/** The config after defaults: what the service runs with. */
export interface ServiceConfig {
  /** The config format's version after migration (config-version.ts). */
  version: number;
  /** The version the file was written in: errors name its fields as the user wrote them. */
  written_version: number;
  id: string;
  /** Never empty: a box that lists none watches one Echo, learned from the AP or elected. */
  devices: DeviceConfig[];
  capture: { interface?: string; file?: string; pace: 'recorded' | 'fast'; speed?: number; buffer_mb: number };
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
  led?: { enabled?: boolean; name?: string };
  /** The access point, on the box; absent when replaying or capturing elsewhere. */
  ap?: ApConfig;
}

/** The sensor's own fields are read by gpio/sensor-config.ts. */
export interface MicConfig {
  timeline?: string;
  sensor?: 'gpio' | 'tcs34725' | 'none';
  [key: string]: unknown;
}

export interface DeviceConfig {
  /** Topics, Home Assistant's unique ids and alert ids use it; a slug of the name by default. */
  id: string;
  name: string;
  ip?: string;
  mac?: string;
  mic: MicConfig;
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
