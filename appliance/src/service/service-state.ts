// What earshot publishes as its retained state: one JSON object every entity reads from. Pure: it
// keeps what only this run knows (mic, Echo, drops, modes) and reads the alerts and counters from
// the state store's data, their one owner; the service publishes `snapshot()` when it changes.

import type { MicState } from '../mic/mic-state.js';
import type { StoredState } from './state-schema.js';

export type EnforcementMode = 'off' | 'alert' | 'block-when-muted';

export interface ServiceState {
  mic: MicState;
  /** ON while an alert has not been acknowledged (the HA problem sensor). */
  problem: 'ON' | 'OFF';
  last_alert: { id: string; severity: string; time: string; start: string; dst: string; reason: string; acknowledged: boolean } | null;
  upstream_bytes: number;
  classes: Record<string, number>;
  capture_dropped: number;
  echo_connected: 'ON' | 'OFF';
  echo: string | null;
  model_version: string;
  enforcement: EnforcementMode;
  /** True while the dataset recorder writes (docs/record.md). */
  recording: boolean;
  alerts_total: number;
  /** Alerts dropped because the broker was away longer than the queue could hold. */
  queue_overflow: number;
}

/** What only this run knows; the rest of the state is read from the state file's data. */
type LiveState = Pick<ServiceState, 'mic' | 'capture_dropped' | 'echo_connected' | 'echo' | 'model_version' | 'enforcement' | 'recording' | 'queue_overflow'>;

export interface ServiceStateInit {
  modelVersion: string;
  enforcement: EnforcementMode;
  /** Every class the classifier can report, so each has a count from the start (0). */
  classes: Record<string, number>;
  /**
   * The state store's data, which owns the alerts, their acknowledgements and the counters
   * (state-store.ts): read at each snapshot, never copied, so the two cannot disagree.
   */
  persisted: () => Readonly<StoredState>;
}

export class ServiceStateModel {
  private readonly live: LiveState;
  private readonly classes: Record<string, number>;

  constructor(private readonly init: ServiceStateInit) {
    this.classes = { ...init.classes };
    this.live = {
      mic: 'unknown',
      capture_dropped: 0,
      echo_connected: 'OFF',
      echo: null,
      model_version: init.modelVersion,
      enforcement: init.enforcement,
      recording: false,
      queue_overflow: 0,
    };
  }

  snapshot(): ServiceState {
    const { alerts, counters } = this.init.persisted();
    const last = alerts.at(-1);
    return {
      mic: this.live.mic,
      problem: alerts.some((alert) => !alert.acknowledged) ? 'ON' : 'OFF',
      last_alert: last ? { id: last.id, severity: last.severity, time: last.time, start: last.start, dst: last.dst, reason: last.reason, acknowledged: last.acknowledged } : null,
      upstream_bytes: counters.upstream_bytes,
      classes: { ...this.classes, ...counters.classes },
      capture_dropped: this.live.capture_dropped,
      echo_connected: this.live.echo_connected,
      echo: this.live.echo,
      model_version: this.live.model_version,
      enforcement: this.live.enforcement,
      recording: this.live.recording,
      alerts_total: counters.alerts_total,
      queue_overflow: this.live.queue_overflow,
    };
  }

  setMic(mic: MicState): void {
    this.live.mic = mic;
  }

  setCaptureDropped(dropped: number): void {
    this.live.capture_dropped = dropped;
  }

  setEcho(address: string | null, connected: boolean): void {
    this.live.echo = address;
    this.live.echo_connected = connected ? 'ON' : 'OFF';
  }

  setEnforcement(mode: EnforcementMode): void {
    this.live.enforcement = mode;
  }

  setRecording(on: boolean): void {
    this.live.recording = on;
  }

  setQueueOverflow(count: number): void {
    this.live.queue_overflow = count;
  }

  /** Unacknowledged alerts of one severity (the LED shows the worst). */
  unacknowledgedCount(severity: 'critical' | 'warning'): number {
    let n = 0;
    for (const alert of this.init.persisted().alerts) if (!alert.acknowledged && alert.severity === severity) n++;
    return n;
  }
}
