// What the judge emits (design.md section 4, "Events"): an alert when the Echo's upload episode
// shows audio (or, while muted, anything above its background) under a mic state that does not
// allow it, and alert_end with totals when the episode is over. The same objects are printed by `replay --jsonl` and published on MQTT.

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

/** Which Echo an event is about: the config's devices[].id and its name ("Kitchen"). */
export interface EventDevice {
  /** The id of the Echo the alert is about (config devices[].id); "echo" for a single-device box. */
  device?: string;
  device_name?: string;
}

export interface AlertEvent extends EventDevice {
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
  /** Every connection of the episode so far, busiest first (at most 16): enforcement cuts them all. */
  flows: FlowTuple[];
  evidence: AlertEvidence;
}

/**
 * Why the judge decided, in numbers. `rule`: `volume` (a second's worth of PCM inside a second),
 * `sustained` (audio rate for a second or more), `above-background` (muted, more than heartbeats
 * and telemetry, not shaped like audio), `continued-after-mute` (an expected upload that went on
 * after the ring turned red).
 */
export interface AlertEvidence {
  rule: 'volume' | 'sustained' | 'above-background' | 'continued-after-mute';
  /** The most bytes the episode sent inside about one second so far. */
  peak_bytes_per_s: number;
  mean_bytes_per_s: number;
  /** Downstream bytes over upstream bytes in the episode: high for a download, low for speech. */
  downstream_ratio: number;
  connections: number;
  /** How much the byte thresholds were raised because a download dominated (1 = not raised). */
  threshold_factor: number;
}

export interface AlertEndEvent extends EventDevice {
  type: 'alert_end';
  id: string;
  end: string;
  bytes: number;
  packets: number;
}

export type JudgeEvent = AlertEvent | AlertEndEvent;
