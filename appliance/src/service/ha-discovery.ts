// Home Assistant MQTT discovery: a declarative table of earshot's entities and one pure function
// from an entity to its retained config message. unique_ids come from the box id, never a name,
// so renaming in HA keeps history. Golden files in test/fixtures/ha-discovery pin every payload.

import { PACKET_CLASSES, paperLabel } from '../features/packet-class.js';
import { discoveryNodeId, discoveryTopicsFor, topicsFor, type CommandTopic } from './mqtt-topics.js';

export interface EntitySpec {
  component: 'sensor' | 'binary_sensor' | 'button' | 'switch';
  object: string;
  name: string;
  /** Read from the retained state JSON. */
  value_template?: string;
  device_class?: string;
  state_class?: 'measurement' | 'total_increasing';
  unit_of_measurement?: string;
  entity_category?: 'diagnostic' | 'config';
  icon?: string;
  options?: string[];
  json_attributes_template?: string;
  /** Buttons and switches write here (service/mqtt-topics.ts). */
  command?: CommandTopic;
  payload_press?: string;
  payload_on?: string;
  payload_off?: string;
  state_on?: string;
  state_off?: string;
}

const classEntities: EntitySpec[] = PACKET_CLASSES.map((c) => ({
  component: 'sensor',
  object: `packets_${c}`,
  name: `Packets: ${c.replaceAll('_', ' ')}`,
  value_template: `{{ value_json.classes.${paperLabel(c)} }}`,
  state_class: 'total_increasing',
  unit_of_measurement: 'packets',
  entity_category: 'diagnostic',
  icon: 'mdi:counter',
}));

export const ENTITIES: readonly EntitySpec[] = [
  {
    component: 'sensor',
    object: 'microphone',
    name: 'Microphone',
    value_template: '{{ value_json.mic }}',
    device_class: 'enum',
    options: ['muted', 'idle', 'listening', 'unknown'],
    icon: 'mdi:microphone',
  },
  {
    component: 'binary_sensor',
    object: 'unexpected_upload',
    name: 'Unexpected upload',
    value_template: '{{ value_json.problem }}',
    device_class: 'problem',
    payload_on: 'ON',
    payload_off: 'OFF',
  },
  {
    component: 'sensor',
    object: 'last_alert',
    name: 'Last alert',
    value_template: "{{ value_json.last_alert.reason[:255] if value_json.last_alert else 'none' }}",
    // HA wants a dictionary for attributes, also before the first alert.
    json_attributes_template: '{{ (value_json.last_alert or {}) | tojson }}',
    icon: 'mdi:alert-octagon',
  },
  {
    component: 'sensor',
    object: 'upstream_bytes',
    name: 'Upstream bytes',
    value_template: '{{ value_json.upstream_bytes }}',
    device_class: 'data_size',
    unit_of_measurement: 'B',
    state_class: 'total_increasing',
  },
  ...classEntities,
  {
    component: 'sensor',
    object: 'capture_drops',
    name: 'Capture drops',
    value_template: '{{ value_json.capture_dropped }}',
    state_class: 'total_increasing',
    unit_of_measurement: 'packets',
    entity_category: 'diagnostic',
    icon: 'mdi:package-variant-remove',
  },
  {
    component: 'sensor',
    object: 'alert_queue_overflow',
    name: 'Alerts dropped while offline',
    value_template: '{{ value_json.queue_overflow }}',
    state_class: 'total_increasing',
    entity_category: 'diagnostic',
    icon: 'mdi:tray-remove',
  },
  {
    component: 'binary_sensor',
    object: 'echo_connected',
    name: 'Echo connected',
    value_template: '{{ value_json.echo_connected }}',
    device_class: 'connectivity',
    payload_on: 'ON',
    payload_off: 'OFF',
  },
  {
    component: 'sensor',
    object: 'model_version',
    name: 'Model version',
    value_template: '{{ value_json.model_version }}',
    entity_category: 'diagnostic',
    icon: 'mdi:forest',
  },
  {
    component: 'button',
    object: 'acknowledge',
    name: 'Acknowledge alert',
    command: 'acknowledge',
    payload_press: 'PRESS',
    icon: 'mdi:check-circle',
  },
  {
    component: 'switch',
    object: 'enforcement',
    name: 'Block uploads while muted',
    value_template: "{{ 'ON' if value_json.enforcement == 'block-when-muted' else 'OFF' }}",
    command: 'enforcementSet',
    payload_on: 'ON',
    payload_off: 'OFF',
    state_on: 'ON',
    state_off: 'OFF',
    entity_category: 'config',
    icon: 'mdi:shield-lock',
  },
  {
    component: 'switch',
    object: 'recording',
    name: 'Record dataset',
    value_template: "{{ 'ON' if value_json.recording else 'OFF' }}",
    command: 'recordSet',
    payload_on: 'ON',
    payload_off: 'OFF',
    state_on: 'ON',
    state_off: 'OFF',
    entity_category: 'config',
    icon: 'mdi:record-rec',
  },
];

export interface DiscoveryContext {
  id: string;
  discoveryPrefix: string;
  swVersion: string;
  /**
   * The Echos the box watches. With more than one, each gets a Home Assistant device of its own
   * (via the box) with its microphone, problem, last alert and connection; the box's entities
   * stay as they were, box-wide. A one-Echo box publishes the box's entities only: they are its Echo's.
   */
  devices?: readonly { id: string; name: string }[];
}

/** One Echo's own entities, read from `devices.<id>` of the box's state. */
export function echoEntities(echo: { id: string }): EntitySpec[] {
  const at = `value_json.devices['${echo.id}']`;
  return [
    { ...ENTITY_BY_OBJECT.microphone, object: `${echo.id}_microphone`, value_template: `{{ ${at}.mic if ${at} is defined else 'unknown' }}` },
    { ...ENTITY_BY_OBJECT.unexpected_upload, object: `${echo.id}_unexpected_upload`, value_template: `{{ ${at}.problem if ${at} is defined else 'OFF' }}` },
    {
      ...ENTITY_BY_OBJECT.last_alert,
      object: `${echo.id}_last_alert`,
      value_template: `{{ ${at}.last_alert.reason[:255] if ${at} is defined and ${at}.last_alert else 'none' }}`,
      json_attributes_template: `{{ (${at}.last_alert if ${at} is defined and ${at}.last_alert else {}) | tojson }}`,
    },
    { ...ENTITY_BY_OBJECT.echo_connected, object: `${echo.id}_echo_connected`, name: 'Connected', value_template: `{{ ${at}.echo_connected if ${at} is defined else 'OFF' }}` },
  ];
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

const ENTITY_BY_OBJECT = Object.fromEntries(ENTITIES.map((entity) => [entity.object, entity])) as Record<string, EntitySpec>;

export function discoveryMessage(entity: EntitySpec, ctx: DiscoveryContext, echo?: { id: string; name: string }): DiscoveryMessage {
  const topics = topicsFor(ctx.id);
  const { component, object, command, ...fields } = entity;
  const payload: Record<string, unknown> = {
    ...fields,
    unique_id: `${discoveryNodeId(ctx.id)}_${object}`,
    availability_topic: topics.status,
    payload_available: 'online',
    payload_not_available: 'offline',
    device: echo
      ? { identifiers: [`${discoveryNodeId(ctx.id)}_${echo.id}`], name: echo.name, manufacturer: 'Amazon', model: 'Echo (watched by earshot)', via_device: discoveryNodeId(ctx.id) }
      : {
          identifiers: [discoveryNodeId(ctx.id)],
          name: `earshot ${ctx.id}`,
          manufacturer: 'earshot',
          model: 'Echo privacy box',
          sw_version: ctx.swVersion,
        },
    origin: { name: 'earshot', sw_version: ctx.swVersion },
  };
  if (entity.value_template !== undefined || entity.component === 'switch') payload.state_topic = topics.state;
  if (entity.json_attributes_template !== undefined) payload.json_attributes_topic = topics.state;
  if (command !== undefined) payload.command_topic = topics[command];
  return { topic: discoveryTopicsFor(ctx.discoveryPrefix, ctx.id).config(component, object), payload };
}

export function discoveryMessages(ctx: DiscoveryContext): DiscoveryMessage[] {
  const box = ENTITIES.map((entity) => discoveryMessage(entity, ctx));
  const devices = ctx.devices ?? [];
  if (devices.length < 2) return box;
  return [...box, ...devices.flatMap((echo) => echoEntities(echo).map((entity) => discoveryMessage(entity, ctx, echo)))];
}

/** The pattern that matches every config earshot could have published for this box. */
export const discoveryWildcard = (ctx: DiscoveryContext): string => discoveryTopicsFor(ctx.discoveryPrefix, ctx.id).configWildcard;
