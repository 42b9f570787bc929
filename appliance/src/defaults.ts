// Every documented default, in one place (docs/service.md lists them). The config schema's
// defaults, the CLI options, the pipeline, the judge and the mic code all read these, so a
// default is changed here or nowhere; test/unit/defaults.test.ts checks the config's defaults
// against this module. Pure: values only, no imports.

/** Uploads this long after the Echo stopped listening are expected (the grace period). */
export const GRACE_S = 30;

/**
 * With no `device` configured the pipeline elects the busiest local sender as the Echo, after
 * this many packets or this much capture time, whichever comes first.
 */
export const ELECTION_PACKETS = 5000;
export const ELECTION_WINDOW_S = 60;

/** Every box's topics sit under `<base>/<id>/` (service/mqtt-topics.ts). */
export const MQTT_BASE_TOPIC = 'earshot';
export const MQTT_DISCOVERY_PREFIX = 'homeassistant';
/** Alerts kept while the broker is away. */
export const MQTT_QUEUE_LIMIT = 1000;

export const STATE_PATH = '/var/lib/earshot/state.json';
/** Alerts kept in the state file's ring. */
export const STATE_HISTORY = 200;
/** At most one state-file write in this long: the SD card is written only when something changed. */
export const STATE_WRITE_INTERVAL_S = 60;

export const CAPTURE_INTERFACE = 'wlan0';
export const CAPTURE_PACE = 'fast';
export const CAPTURE_BUFFER_MB = 32;

/** With no ring sensor configured the mic state is unknown and every upload is judged on bytes alone. */
export const MIC_SENSOR = 'none';
/** The ring wire's GPIO line, the I2C bus of the light sensors, and the TCS34725's only address. */
export const MIC_GPIO_LINE = 'GPIO17';
export const MIC_I2C_BUS = 1;
export const TCS34725_ADDRESS = 0x29;
/** The status LED's name under /sys/class/leds. */
export const LED_NAME = 'earshot';

export const ENFORCEMENT_MODE = 'alert';
export const ENFORCEMENT_HOLD_NEW_FLOWS = false;
export const ENFORCEMENT_BLOCK_TIMEOUT_S = 3600;

export const RECORD_DEFAULTS = { enabled: false, dir: '/var/lib/earshot/datasets', max_total_mb: 1024, segment_mb: 64, segment_s: 3600 } as const;

/** The config sections' defaults, in the config's own names (service/config-schema.ts). */
export const CONFIG_SECTION_DEFAULTS = {
  capture: { interface: CAPTURE_INTERFACE, pace: CAPTURE_PACE, buffer_mb: CAPTURE_BUFFER_MB },
  mic: { sensor: MIC_SENSOR },
  mqtt: { discovery_prefix: MQTT_DISCOVERY_PREFIX, queue_limit: MQTT_QUEUE_LIMIT },
  state: { path: STATE_PATH, history: STATE_HISTORY, write_interval_s: STATE_WRITE_INTERVAL_S },
  judge: { grace_s: GRACE_S },
  enforcement: { mode: ENFORCEMENT_MODE, hold_new_flows: ENFORCEMENT_HOLD_NEW_FLOWS, block_timeout_s: ENFORCEMENT_BLOCK_TIMEOUT_S },
  record: RECORD_DEFAULTS,
} as const;
