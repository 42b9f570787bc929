// One Echo as the service watches it: its ring (a timeline or a live sensor), what the access
// point or its traffic say of it, and the LED pattern its own alerts and faults call for. The
// service keeps one per Echo, so a box with several shows, mutes and enforces each on its own.

import type { MicReading, MicSensor } from '../../../gpio/mic-sensor.js';
import { ledPatternFor, type LedPattern } from '../../../gpio/led/led-patterns.js';
import type { MicContext, MicState, MicStateSource } from '../mic/mic-state.js';
import type { DeviceSpec } from '../pipeline/device-selector.js';
import type { WatchedDevice } from '../pipeline/packet-pipeline.js';
import type { DeviceConfig } from './config-schema.js';
import type { DeviceLive } from './service-state.js';

/** What the wiring point hands the service for one Echo. */
export interface ServiceDevice {
  config: DeviceConfig;
  mic?: MicStateSource;
  /** A live ring sensor, started and stopped with the service; its readings feed `mic`. */
  micSensor?: { sensor: MicSensor; onReading: (reading: MicReading) => void };
  /** False for an Amazon device the access point found that the config does not list. */
  listed?: boolean;
}

/** The Echo counts as connected while it sent something in this long. */
const ECHO_SILENCE_US = 120_000_000;

/** Worst first: the LED shows the worst pattern of any Echo (led-patterns.ts explains the order). */
export const LED_SEVERITY: readonly LedPattern[] = ['critical', 'fault', 'warning', 'monitoring', 'off'];

export class WatchedEcho {
  /** Why this Echo's ring cannot be read, e.g. its sensor's reason; undefined while it reads. */
  micFault: string | undefined;
  lastMic: MicState = 'unknown';
  lastPacketUs = 0;
  /** Its MAC as its first packet showed it, for the status page off the box. */
  seenMac: string | undefined;
  /** What the access point knows of it; traffic stands in for it off the box. */
  onAp: { mac?: string; ip?: string; connected: boolean } | undefined;

  constructor(
    readonly device: ServiceDevice,
    private readonly graceUs: number,
  ) {}

  get id(): string {
    return this.device.config.id;
  }

  get name(): string {
    return this.device.config.name;
  }

  get listed(): boolean {
    return this.device.listed ?? true;
  }

  /** For the pipeline: its address as configured (absent: to be learned or elected). */
  watched(): WatchedDevice {
    const { id, name, ip, mac } = this.device.config;
    const spec: DeviceSpec | undefined = ip ? { ip } : mac ? { mac } : undefined;
    return { id, name, spec, mic: this.device.mic };
  }

  micContext(nowUs: number): MicContext {
    const mic = this.device.mic;
    return mic && nowUs > 0 ? mic.contextAt(nowUs, this.graceUs) : 'unknown';
  }

  micState(nowUs: number): MicState {
    const context = this.micContext(nowUs);
    return context === 'grace' ? 'idle' : context;
  }

  /** The ring between two capture times, for the chart's bands: listening if it listened at all, else as at `toUs`. */
  ringBetween(fromUs: number, toUs: number): MicState {
    const mic = this.device.mic;
    if (!mic || toUs <= 0) return 'unknown';
    const state = this.micState(toUs);
    return state !== 'muted' && fromUs > 0 && mic.listeningBetween(fromUs, toUs) ? 'listening' : state;
  }

  /** Where its ring state comes from and, when it cannot tell, why. */
  micHealth(): { source: string; fault: string | undefined } {
    const { micSensor, mic, config } = this.device;
    const source = micSensor?.sensor.description ?? (config.mic.timeline ? `timeline ${config.mic.timeline}` : mic ? 'timeline' : 'none');
    const unlisted = this.listed ? 'no ring sensor configured' : 'found by the access point, not in the config: no ring sensor, so its uploads can only be warnings';
    return { source, fault: this.micFault ?? (mic ? undefined : unlisted) };
  }

  /** `label` names the Echo in log lines on a box with several ("Kitchen: "). Its sensor's readings feed its timeline; a sensor that cannot tell is a fault, never a silent idle. */
  async startSensor(log: (level: 'info' | 'warning', line: string) => void, label: string): Promise<void> {
    const micSensor = this.device.micSensor;
    if (!micSensor) return;
    await micSensor.sensor.start((reading) => {
      micSensor.onReading(reading);
      const fault = reading.state === 'unknown' ? (reading.reason ?? 'no reading') : undefined;
      if (fault !== this.micFault) log(fault ? 'warning' : 'info', `${label}mic sensor: ${fault ?? `reading again (${reading.state})`}`);
      this.micFault = fault;
    });
    log('info', `${label}mic sensor: ${micSensor.sensor.description}`);
  }

  async stopSensor(): Promise<void> {
    await this.device.micSensor?.sensor.stop().catch(() => undefined);
  }

  /** Critical unacknowledged, then fault, then warning, else monitoring: for this Echo alone. */
  ledPattern(unacknowledged: (severity: 'critical' | 'warning') => number): LedPattern {
    return ledPatternFor({
      unacknowledgedCritical: unacknowledged('critical'),
      unacknowledgedWarning: unacknowledged('warning'),
      faults: this.micFault ? [this.micFault] : [],
    });
  }

  live(nowUs: number, trafficAddress: string | undefined, mic: MicState): DeviceLive {
    if (this.onAp) return { name: this.name, listed: this.listed, mic, echo: this.onAp.ip ?? null, echo_connected: this.onAp.connected ? 'ON' : 'OFF' };
    const connected = this.lastPacketUs > 0 && nowUs - this.lastPacketUs < ECHO_SILENCE_US;
    return { name: this.name, listed: this.listed, mic, echo: trafficAddress ?? null, echo_connected: connected ? 'ON' : 'OFF' };
  }

  identity(trafficAddress: string | undefined, nowUs: number): { id: string; name: string; ip: string | null; mac: string | null; connected: boolean } {
    const live = this.live(nowUs, trafficAddress, this.lastMic);
    const mac = this.onAp?.mac ?? this.device.config.mac ?? this.seenMac ?? null;
    return { id: this.id, name: this.name, ip: live.echo, mac: mac?.toLowerCase() ?? null, connected: live.echo_connected === 'ON' };
  }
}

/** The worst of several Echos' patterns, and whose it is (the first such Echo). */
export function worstLedPattern(patterns: readonly { id: string; pattern: LedPattern }[]): { pattern: LedPattern; device: string | null } {
  let worst: { pattern: LedPattern; device: string | null } = { pattern: 'monitoring', device: null };
  for (const { id, pattern } of patterns) {
    if (LED_SEVERITY.indexOf(pattern) < LED_SEVERITY.indexOf(worst.pattern)) worst = { pattern, device: id };
  }
  return worst;
}
