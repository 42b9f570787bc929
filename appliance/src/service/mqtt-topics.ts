// Every MQTT topic earshot uses, with the payload each carries (zigbee2mqtt's typed topic map).

import { MQTT_BASE_TOPIC } from '../defaults.js';
import type { JudgeEvent } from '../judge/judge-events.js';
import type { ServiceState } from './service-state.js';

export interface BoxTopics {
  base: string;
  /** `online` / `offline`, retained; also the last will. */
  status: string;
  /** The whole ServiceState as JSON, retained. */
  state: string;
  /** alert and alert_end events, not retained. */
  alert: string;
  /** Enforcement blocks and other notable events, not retained. */
  event: string;
  /** Button: any payload acknowledges the current alerts. */
  acknowledge: string;
  /** Switch: ON = block-when-muted, OFF = alert. */
  enforcementSet: string;
  /** The dataset recorder's switch (docs/record.md). */
  recordSet: string;
}

export function topicsFor(id: string): BoxTopics {
  const base = `${MQTT_BASE_TOPIC}/${id}`;
  return {
    base,
    status: `${base}/status`,
    state: `${base}/state`,
    alert: `${base}/alert`,
    event: `${base}/event`,
    acknowledge: `${base}/acknowledge`,
    enforcementSet: `${base}/enforcement/set`,
    recordSet: `${base}/record/set`,
  };
}

/** The topics Home Assistant's buttons and switches write to (their entities' command_topic). */
export type CommandTopic = 'acknowledge' | 'enforcementSet' | 'recordSet';
export const COMMAND_TOPICS: readonly CommandTopic[] = ['acknowledge', 'enforcementSet', 'recordSet'];

/** Home Assistant's side: its own status, and where this box's entity configs are retained. */
export interface DiscoveryTopics {
  /** Home Assistant announces itself here; `online` means it restarted and wants discovery again. */
  haStatus: string;
  /** One entity's retained config: `<prefix>/<component>/earshot_<id>/<object>/config`. */
  config(component: string, object: string): string;
  /** Every config earshot could have published for this box (MQTT wildcard). */
  configWildcard: string;
  /** Whether a topic the wildcard delivered is such a config. */
  isConfig(topic: string): boolean;
}

/**
 * The box's node id in discovery topics, also its HA device identifier. Fixed, not derived from
 * the base topic: Home Assistant keys entity history on it.
 */
export const discoveryNodeId = (id: string): string => `earshot_${id}`;

export function discoveryTopicsFor(discoveryPrefix: string, id: string): DiscoveryTopics {
  const node = discoveryNodeId(id);
  return {
    haStatus: `${discoveryPrefix}/status`,
    config: (component, object) => `${discoveryPrefix}/${component}/${node}/${object}/config`,
    configWildcard: `${discoveryPrefix}/+/${node}/+/config`,
    isConfig: (topic) => topic.startsWith(`${discoveryPrefix}/`) && topic.endsWith('/config') && topic.split('/').at(-3) === node,
  };
}

export interface TopicPayloads {
  status: 'online' | 'offline';
  state: ServiceState;
  alert: JudgeEvent;
}
