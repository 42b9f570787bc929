// What the judge emits (design.md section 4, "Events"): an alert when an upload episode becomes
// voice-like under a mic state that does not allow it, and alert_end with totals when the
// episode is over. The same objects are printed by `replay --jsonl` and published on MQTT.

import type { MicContext } from '../mic/mic-state.js';

export type Severity = 'critical' | 'warning';

/** The TCP/UDP flow an alert is about, so enforcement can block exactly it. */
export interface FlowTuple {
  protocol: 'tcp' | 'udp';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}

export interface AlertEvent {
  type: 'alert';
  id: string;
  severity: Severity;
  /** When the alert was raised: the capture time of the packet that tipped it (ISO-8601). */
  time: string;
  /** The episode's first packet (ISO-8601). */
  start: string;
  mic: MicContext;
  /** "ip:port" of the episode's busiest destination. */
  dst: string;
  bytes: number;
  packets: number;
  reason: string;
  /** earshot's addition to the contract: the flow that carried most of the episode. */
  flow: FlowTuple;
}

export interface AlertEndEvent {
  type: 'alert_end';
  id: string;
  end: string;
  bytes: number;
  packets: number;
}

export type JudgeEvent = AlertEvent | AlertEndEvent;
