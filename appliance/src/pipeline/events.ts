// The event objects of the contract (design.md section 4), printed by `--jsonl` and published on MQTT.

import type { DecodedPacket } from '../decode/types.js';
import { paperLabel, type PacketClass } from '../features/packet-class.js';
import type { PaperFeatures } from '../features/paper-features.js';
import { isoTime } from '../time-format.js';

export { isoTime };

export interface PacketEvent {
  type: 'packet';
  time: string;
  src: string;
  dst: string;
  dstport: number;
  length: number;
  payload: number;
  /** The paper's code: 0 TLS, 1 TCP, 2 DATA, 3 HTTP (as in the dataset CSV). */
  highest_layer: number;
  content_type: number | null;
  delta: number;
  ack_flag: 0 | 1;
  /** 1 on, 0 muted, null when the mic state is unknown. */
  microphone: 0 | 1 | null;
  /** The paper's label string (the heartbeat is `syn`). */
  class: string;
}

export interface SummaryEvent {
  type: 'summary';
  capture: string;
  device: string | null;
  frames: number;
  decoded: number;
  skipped: Record<string, number>;
  fragments: number;
  echo_packets: number;
  classes: Record<string, number>;
  alerts: number;
  alerts_by_severity: { critical: number; warning: number };
  upload_episodes: number;
  /** Episodes whose cadence and volume could carry speech, whatever the verdict. */
  voice_like_episodes: number;
  /** Alert time minus episode start, over this run's alerts. */
  alert_latency_ms: { median: number; max: number } | null;
  /** Each watched Echo's share of the run, in the config's order. */
  devices: DeviceSummary[];
  capture_dropped: number;
  capture_seconds: number;
  wall_seconds: number;
  packets_per_second: number;
}

export interface DeviceSummary {
  id: string;
  name: string;
  /** Its address as given or found; null when it was never seen. */
  address: string | null;
  echo_packets: number;
  alerts: number;
  alerts_by_severity: { critical: number; warning: number };
  upload_episodes: number;
  alert_latency_ms: { median: number; max: number } | null;
}

export function packetEvent(packet: DecodedPacket, f: PaperFeatures): PacketEvent {
  return {
    type: 'packet',
    time: isoTime(f.timeUs),
    src: packet.src,
    dst: f.dstip,
    dstport: f.dstport,
    length: f.length,
    payload: f.payload,
    highest_layer: f.highestLayer,
    content_type: f.contentType ?? null,
    delta: f.delta,
    ack_flag: f.ackFlag,
    microphone: f.microphone ?? null,
    class: paperLabel(f.reportedClass),
  };
}

export function classCountsByPaperLabel(byClass: Record<PacketClass, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [c, n] of Object.entries(byClass) as [PacketClass, number][]) out[paperLabel(c)] = n;
  return out;
}
