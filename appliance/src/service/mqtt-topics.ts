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

/** Home Assistant announces itself here; `online` means it restarted and wants discovery again. */
export const haStatusTopic = (discoveryPrefix: string): string => `${discoveryPrefix}/status`;

export interface TopicPayloads {
  status: 'online' | 'offline';
  state: ServiceState;
  alert: JudgeEvent;
}
