// Every documented default, in one place (docs/service.md lists them). The config schema's
// defaults, the CLI options, the pipeline, the judge and the mic code all read these, so a
// default is changed here or nowhere; test/unit/defaults.test.ts reads each back from where it
// is used. Pure: values only, no imports. Sections are in the config's own names.

/** Uploads this long after the Echo stopped listening are expected (the grace period). */
export const GRACE_S = 30;
/** The grace periods the config and --grace accept; the live mic timeline keeps more than the longest. */
export const GRACE_RANGE_S = { min: 0, max: 3600 } as const;

/**
 * With no `device` configured the pipeline elects the busiest local sender as the Echo, after
 * this many packets or this much capture time, whichever comes first.
 */
export const ELECTION = { packets: 5000, window_s: 60 } as const;

/**
 * The Echo of a box whose config lists none, or one (a version 2 config's `device`): its id in
 * events, topics and Home Assistant, and its name. Its alert ids carry no device prefix.
 */
export const DEFAULT_DEVICE_ID = 'echo';
export const DEFAULT_DEVICE_NAME = 'Echo';
/** How many Echos one box watches at most (`devices`): a home's worth, each judged on its own. */
export const MAX_DEVICES = 8;

/** Every box's topics sit under `<base>/<id>/` (service/mqtt-topics.ts). */
export const MQTT_BASE_TOPIC = 'earshot';

/** `queue_limit`: alerts kept while the broker is away. */
export const MQTT_DEFAULTS = { discovery_prefix: 'homeassistant', queue_limit: 1000 } as const;

/**
 * `history`: alerts kept in the state file's ring. `write_interval_s`: at most one write in this
 * long, and only when something changed, for the SD card's sake.
 */
export const STATE_DEFAULTS = { path: '/var/lib/earshot/state.json', history: 200, write_interval_s: 60 } as const;

export const CAPTURE_DEFAULTS = { interface: 'wlan0', pace: 'fast', buffer_mb: 32 } as const;

/** With no ring sensor configured the mic state is unknown and every upload is judged on bytes alone. */
export const MIC_SENSOR = 'none';
/** The ring sensors the config accepts (`mic.sensor`). */
export const MIC_SENSOR_KINDS = ['gpio', 'tcs34725', 'none'] as const;

/** The ring wire's GPIO line, the light sensors' I2C bus, the TCS34725's only address, the LED under /sys/class/leds. */
export const HARDWARE_DEFAULTS = { gpio_line: 'GPIO17', i2c_bus: 1, tcs34725_address: 0x29, led_name: 'earshot' } as const;

export const ENFORCEMENT_DEFAULTS = { mode: 'alert', hold_new_flows: false, block_timeout_s: 3600 } as const;

export const RECORD_DEFAULTS = { enabled: false, dir: '/var/lib/earshot/datasets', max_total_mb: 1024, segment_mb: 64, segment_s: 3600 } as const;

/** The config sections' defaults (service/config-schema.ts adds the status page's). */
export const CONFIG_SECTION_DEFAULTS = {
  capture: CAPTURE_DEFAULTS,
  mic: { sensor: MIC_SENSOR },
  mqtt: MQTT_DEFAULTS,
  state: STATE_DEFAULTS,
  judge: { grace_s: GRACE_S },
  enforcement: ENFORCEMENT_DEFAULTS,
  record: RECORD_DEFAULTS,
} as const;
