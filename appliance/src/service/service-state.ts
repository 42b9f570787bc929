// What earshot publishes as its retained state: one JSON object every entity reads from. Pure: it
// keeps what only this run knows (mic, Echo, drops, modes) and reads the alerts and counters from
// the state store's data, their one owner; the service publishes `snapshot()` when it changes.

import type { MicState } from '../mic/mic-state.js';
import { DEFAULT_DEVICE_ID } from '../defaults.js';
import type { StoredAlert } from '../stored-alert.js';
import type { StoredState } from './state-schema.js';

export type EnforcementMode = 'off' | 'alert' | 'block-when-muted';

type LastAlert = { id: string; severity: string; time: string; start: string; dst: string; reason: string; acknowledged: boolean };

/** One Echo's part of the state: its own entities in Home Assistant read these. */
export interface DeviceState {
  name: string;
  /** Listed in the config; false: an Amazon device the access point found (ring unknown). */
  listed: boolean;
  mic: MicState;
  echo: string | null;
  echo_connected: 'ON' | 'OFF';
  /** ON while one of this Echo's alerts has not been acknowledged. */
  problem: 'ON' | 'OFF';
  last_alert: LastAlert | null;
}

export interface ServiceState {
  /** The one Echo's ring; with several: listening if any listens, else unknown if any cannot tell, else idle if any, else muted. */
  mic: MicState;
  /** ON while an alert has not been acknowledged (the HA problem sensor). */
  problem: 'ON' | 'OFF';
  last_alert: LastAlert | null;
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
  /** Every watched Echo by id, in the config's order, then the ones the AP found. */
  devices: Record<string, DeviceState>;
  /** What the status LED shows, and the Echo whose state set it (worst wins); null: the box itself. */
  led: { pattern: string; device: string | null };
}

/** What this run knows of one Echo; its alerts are read from the store. */
export type DeviceLive = Pick<DeviceState, 'name' | 'listed' | 'mic' | 'echo' | 'echo_connected'>;

const MIC_PRECEDENCE: readonly MicState[] = ['listening', 'unknown', 'idle', 'muted'];

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
  private readonly devices = new Map<string, DeviceLive>();
  private led: ServiceState['led'] = { pattern: 'off', device: null };

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
    const devices: Record<string, DeviceState> = {};
    for (const [id, device] of this.devices) {
      const own = alerts.filter((alert) => (alert.device ?? DEFAULT_DEVICE_ID) === id);
      devices[id] = { ...device, problem: own.some((alert) => !alert.acknowledged) ? 'ON' : 'OFF', last_alert: lastAlert(own.at(-1)) };
    }
    const mics = [...this.devices.values()].map((device) => device.mic);
    const first = this.devices.values().next().value;
    return {
      mic: mics.length === 0 ? this.live.mic : MIC_PRECEDENCE.find((state) => mics.includes(state))!,
      problem: alerts.some((alert) => !alert.acknowledged) ? 'ON' : 'OFF',
      last_alert: lastAlert(last),
      upstream_bytes: counters.upstream_bytes,
      classes: { ...this.classes, ...counters.classes },
      capture_dropped: this.live.capture_dropped,
      echo_connected: first ? first.echo_connected : this.live.echo_connected,
      echo: first ? first.echo : this.live.echo,
      model_version: this.live.model_version,
      enforcement: this.live.enforcement,
      recording: this.live.recording,
      alerts_total: counters.alerts_total,
      queue_overflow: this.live.queue_overflow,
      devices,
      led: { ...this.led },
    };
  }

  /** One Echo's live facts; once any is set, the box-wide `mic` and `echo` fields are read from them. */
  setDevice(id: string, device: DeviceLive): void {
    this.devices.set(id, { ...device });
  }

  setLed(pattern: string, device: string | null): void {
    this.led = { pattern, device };
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

  /** Unacknowledged alerts of one severity, of one Echo or all (the LED shows the worst). */
  unacknowledgedCount(severity: 'critical' | 'warning', device?: string): number {
    let n = 0;
    for (const alert of this.init.persisted().alerts) {
      if (!alert.acknowledged && alert.severity === severity && (device === undefined || (alert.device ?? DEFAULT_DEVICE_ID) === device)) n++;
    }
    return n;
  }
}

function lastAlert(alert: StoredAlert | undefined): LastAlert | null {
  return alert ? { id: alert.id, severity: alert.severity, time: alert.time, start: alert.start, dst: alert.dst, reason: alert.reason, acknowledged: alert.acknowledged } : null;
}
