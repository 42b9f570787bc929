// What earshot publishes as its retained state: one JSON object every entity reads from.
// Pure: the service feeds it events and publishes `snapshot()` when it changes.

import type { AlertEvent, JudgeEvent } from '../judge/judge-events.js';
import type { MicState } from '../mic/mic-state.js';

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

export class ServiceStateModel {
  private readonly state: ServiceState;
  /** Unacknowledged alert ids and their severity (the LED shows the worst). */
  private readonly unacknowledged = new Map<string, string>();

  constructor(init: { modelVersion: string; enforcement: EnforcementMode; classes: Record<string, number> }) {
    this.state = {
      mic: 'unknown',
      problem: 'OFF',
      last_alert: null,
      upstream_bytes: 0,
      classes: { ...init.classes },
      capture_dropped: 0,
      echo_connected: 'OFF',
      echo: null,
      model_version: init.modelVersion,
      enforcement: init.enforcement,
      recording: false,
      alerts_total: 0,
      queue_overflow: 0,
    };
  }

  snapshot(): ServiceState {
    return structuredClone(this.state);
  }

  onJudgeEvent(event: JudgeEvent): void {
    if (event.type !== 'alert') return;
    this.onAlert(event);
  }

  private onAlert(alert: AlertEvent): void {
    this.unacknowledged.set(alert.id, alert.severity);
    this.state.alerts_total++;
    this.state.problem = 'ON';
    this.state.last_alert = { id: alert.id, severity: alert.severity, time: alert.time, start: alert.start, dst: alert.dst, reason: alert.reason, acknowledged: false };
  }

  /** The HA button: every alert so far is seen; the status page may name some. Returns the ids acknowledged. */
  acknowledge(only?: string[]): string[] {
    const ids = only ? only.filter((id) => this.unacknowledged.has(id)) : [...this.unacknowledged.keys()];
    for (const id of ids) this.unacknowledged.delete(id);
    if (this.unacknowledged.size === 0) this.state.problem = 'OFF';
    if (this.state.last_alert && (!only || ids.includes(this.state.last_alert.id))) this.state.last_alert.acknowledged = true;
    return ids;
  }

  setMic(mic: MicState): void {
    this.state.mic = mic;
  }

  countEchoPacket(paperClass: string, upstreamBytes: number): void {
    this.state.classes[paperClass] = (this.state.classes[paperClass] ?? 0) + 1;
    this.state.upstream_bytes += upstreamBytes;
  }

  setCaptureDropped(dropped: number): void {
    this.state.capture_dropped = dropped;
  }

  setEcho(address: string | null, connected: boolean): void {
    this.state.echo = address;
    this.state.echo_connected = connected ? 'ON' : 'OFF';
  }

  setEnforcement(mode: EnforcementMode): void {
    this.state.enforcement = mode;
  }

  setRecording(on: boolean): void {
    this.state.recording = on;
  }

  setQueueOverflow(count: number): void {
    this.state.queue_overflow = count;
  }

  /** Restores counters from the state file so totals keep increasing across restarts. */
  restore(saved: {
    upstream_bytes?: number;
    classes?: Record<string, number>;
    alerts_total?: number;
    unacknowledged?: { id: string; severity: string }[];
    lastAlert?: ServiceState['last_alert'];
  }): void {
    if (saved.lastAlert) this.state.last_alert = { ...saved.lastAlert };
    if (saved.upstream_bytes) this.state.upstream_bytes = saved.upstream_bytes;
    if (saved.classes) for (const [c, n] of Object.entries(saved.classes)) this.state.classes[c] = n;
    if (saved.alerts_total) this.state.alerts_total = saved.alerts_total;
    for (const { id, severity } of saved.unacknowledged ?? []) this.unacknowledged.set(id, severity);
    if (this.unacknowledged.size > 0) this.state.problem = 'ON';
  }

  get unacknowledgedIds(): string[] {
    return [...this.unacknowledged.keys()];
  }

  unacknowledgedCount(severity: 'critical' | 'warning'): number {
    let n = 0;
    for (const s of this.unacknowledged.values()) if (s === severity) n++;
    return n;
  }
}
