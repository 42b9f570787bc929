// The service: a packet source through the analysis, into the state model, the store and the
// broker. Every adapter is handed in (the run command builds the real ones, tests their own),
// so this class is the same whether it captures wlan0 on a Pi or replays a file in a test.

import { readFileSync } from 'node:fs';
import type { PacketSource } from '../capture/packet-source.js';
import { paperLabel, PACKET_CLASSES } from '../features/packet-class.js';
import type { JudgeEvent } from '../judge/judge-events.js';
import type { MicState, MicStateSource } from '../mic/mic-state.js';
import { buildAnalysis, type Analysis } from '../pipeline/capture-run.js';
import type { DeviceSpec } from '../pipeline/device-selector.js';
import type { MicReading, MicSensor } from '../../../gpio/mic-sensor.js';
import { ledPatternFor, type LedPattern } from '../../../gpio/led/led-patterns.js';
import type { StatusLed } from '../../../gpio/led/led-class-driver.js';
import type { PacketClassifier } from '../classify/packet-classifier.js';
import type { ServiceConfig } from './config-schema.js';
import type { EchoFinder, EchoState } from '../ap/echo-finder.js';
import type { Enforcer } from '../ap/enforcer.js';
import type { BoxCommand, StatePublisher } from './mqtt-publisher.js';
import type { Notifier } from './sd-notify.js';
import type { Logger } from './service-log.js';
import { ServiceStateModel, type EnforcementMode } from './service-state.js';
import type { StateStore } from './state-store.js';
import type { PacketRecorder, RecorderStatus } from '../record/dataset-recorder.js';

export interface ServiceDeps {
  config: ServiceConfig;
  source: PacketSource;
  mic: MicStateSource | undefined;
  publisher: StatePublisher | undefined;
  store: StateStore;
  notifier: Notifier;
  log: Logger;
  modelVersion: string;
  /** The per-packet forest, if one loaded; its classes are the ones reported. */
  classifier?: PacketClassifier;
  /** A live ring sensor, started and stopped with the service; its readings feed `mic`. */
  micSensor?: { sensor: MicSensor; onReading: (reading: MicReading) => void };
  led?: StatusLed;
  /** On the box: blocking leaks (nftables) and finding the Echo (hostapd, leases). */
  accessPoint?: AccessPoint;
  /** Alerts and alert ends, for a terminal view or a test. */
  onJudgeEvent?: (event: JudgeEvent) => void;
  /** The dataset recorder (docs/record.md); records while `record.enabled` or when switched on. */
  recorder?: PacketRecorder;
  /** The local status page (docs/status-page.md): started once the state is loaded, stopped last. */
  statusPage?: { start(): Promise<void>; stop(): Promise<void> };
}

export interface AccessPoint {
  enforcer: Enforcer;
  finder: EchoFinder;
  start(): Promise<void>;
  stop(): void;
}

/** The Echo counts as connected while it sent something in this long. */
const ECHO_SILENCE_US = 120_000_000;
const HOUSEKEEPING_MS = 1_000;
const DRAIN_ON_STOP_MS = 5_000;

export class EarshotService {
  private analysis: Analysis | undefined;
  private readonly model: ServiceStateModel;
  private lastEchoUs = 0;
  private lastFrameUs = 0;
  private lastFrameWallMs = 0;
  private lastMic: MicState = 'unknown';
  private housekeeping: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Why sensing is degraded (the LED's fault pattern), e.g. the ring sensor's reason. */
  private micFault: string | undefined;
  private ledPattern: LedPattern | undefined;
  /** What the access point knows of the Echo; traffic stands in for it off the box. */
  private echoOnAp: EchoState | undefined;
  /** The Echo's MAC as its first packet showed it, for the status page off the box. */
  private seenEchoMac: string | undefined;

  constructor(private readonly deps: ServiceDeps) {
    const classes = Object.fromEntries(PACKET_CLASSES.map((c) => [paperLabel(c), 0]));
    this.model = new ServiceStateModel({ modelVersion: deps.modelVersion, enforcement: deps.config.enforcement.mode, classes, persisted: () => deps.store.data });
  }

  get state(): ServiceStateModel {
    return this.model;
  }

  /** The pipeline and the judge, for a summary once run() has returned. */
  get analysisResult(): Analysis | undefined {
    return this.analysis;
  }

  get source(): PacketSource {
    return this.deps.source;
  }

  /** Runs until the source ends (a file) or stop() is called (live). */
  async run(): Promise<void> {
    const { config, source, store, publisher, notifier, log } = this.deps;
    await store.open();
    // First of the adapters: a folder it cannot write stops the start before anything runs.
    if (config.record?.enabled) this.setRecording(true);
    const device: DeviceSpec | undefined = config.device?.ip ? { ip: config.device.ip } : config.device?.mac ? { mac: config.device.mac.toLowerCase().replaceAll('-', ':') } : undefined;
    this.analysis = buildAnalysis(
      { device, mic: this.deps.mic, graceS: config.judge.grace_s, classifier: this.deps.classifier },
      {
        packet: (packet, features, uploadBytes) => {
          this.lastEchoUs = packet.timeUs;
          if (this.seenEchoMac === undefined && packet.srcMacKey >= 0) this.seenEchoMac = packet.srcMac;
          store.countEchoPacket(paperLabel(features.reportedClass), uploadBytes);
          this.deps.recorder?.row(features);
        },
        judge: (event) => this.onJudgeEvent(event),
      },
    );
    publisher?.onCommand((command) => this.onCommand(command));
    publisher?.start();
    await this.startMicSensor();
    await this.startAccessPoint();
    this.housekeeping = setInterval(() => this.tick(), HOUSEKEEPING_MS);
    log('info', `earshot ${config.id}: capturing ${source.description}, enforcement ${config.enforcement.mode}${publisher ? '' : ', no MQTT broker configured'}`);
    notifier.ready(`capturing ${source.description}`);
    try {
      // Inside the try, so whatever ends the run also closes the page (it never throws itself).
      await this.deps.statusPage?.start();
      const recorder = this.deps.recorder;
      await source.run((frame) => {
        this.lastFrameUs = frame.timeUs;
        this.lastFrameWallMs = Date.now();
        this.analysis!.push(frame);
        recorder?.frame(frame, this.analysis!.pipeline.device, this.analysis!.pipeline.lastDecoded);
      });
    } finally {
      await this.shutdown();
    }
  }

  /** Starts or stops the dataset recorder (the config's switch, or a person's); false without one. */
  setRecording(on: boolean): boolean {
    const recorder = this.deps.recorder;
    if (!recorder) return false;
    if (on) recorder.start();
    else recorder.stop(this.analysis?.pipeline.device);
    this.model.setRecording(recorder.status().recording);
    return true;
  }

  /** What the recorder has written and the disk it uses, when there is one. */
  recordingStatus(): RecorderStatus | undefined {
    return this.deps.recorder?.status();
  }

  /** A person's command from the status page: the same path as Home Assistant's. */
  command(command: BoxCommand): void {
    this.onCommand(command);
  }

  /** Where the ring state comes from and, when its sensor cannot tell, why (the status page). */
  micHealth(): { source: string; fault: string | undefined } {
    const source = this.deps.micSensor?.sensor.description ?? (this.deps.config.mic.timeline ? `timeline ${this.deps.config.mic.timeline}` : this.deps.mic ? 'timeline' : 'none');
    return { source, fault: this.micFault ?? (this.deps.mic ? undefined : 'no ring sensor configured') };
  }

  /** The ring between two capture times, for the chart's bands: listening if it listened at all, else as at `toUs`. */
  ringBetween(fromUs: number, toUs: number): MicState {
    const mic = this.deps.mic;
    if (!mic || toUs <= 0) return 'unknown';
    const context = mic.contextAt(toUs, this.deps.config.judge.grace_s * 1e6);
    const state: MicState = context === 'grace' ? 'idle' : context;
    return state !== 'muted' && fromUs > 0 && mic.listeningBetween(fromUs, toUs) ? 'listening' : state;
  }

  /** The Echo as the access point (or, off the box, its traffic) knows it. */
  echoIdentity(): { ip: string | null; mac: string | null; connected: boolean } {
    const snapshot = this.model.snapshot();
    const mac = this.echoOnAp?.mac ?? this.deps.config.device?.mac ?? this.seenEchoMac ?? null;
    return { ip: snapshot.echo, mac: mac?.toLowerCase() ?? null, connected: snapshot.echo_connected === 'ON' };
  }

  /** Ends a live capture (SIGTERM, Ctrl-C); run() then finishes the shutdown. */
  stop(): void {
    this.deps.source.stop();
  }

  /** The capture clock, carried forward by the wall clock while no frame arrives. */
  captureNowUs(): number {
    return this.lastFrameUs === 0 ? 0 : this.lastFrameUs + (Date.now() - this.lastFrameWallMs) * 1000;
  }

  private tick(): void {
    const nowUs = this.captureNowUs();
    if (nowUs > 0) this.analysis?.judge.tick(nowUs, true);
    this.refreshState(nowUs);
  }

  private refreshState(nowUs: number): void {
    const { mic, publisher, source } = this.deps;
    const context = mic && nowUs > 0 ? mic.contextAt(nowUs, this.deps.config.judge.grace_s * 1e6) : 'unknown';
    const micState: MicState = context === 'grace' ? 'idle' : context;
    if (micState !== this.lastMic) {
      this.lastMic = micState;
      this.deps.log('info', `mic: ${micState}`);
      void this.deps.accessPoint?.enforcer.onMicState(micState, 'echo');
    }
    this.model.setMic(micState);
    this.showLed();
    if (this.echoOnAp) this.model.setEcho(this.echoOnAp.ip ?? null, this.echoOnAp.connected);
    else {
      const device = this.analysis?.pipeline.device;
      this.model.setEcho(device?.addresses[0] ?? null, this.lastEchoUs > 0 && nowUs - this.lastEchoUs < ECHO_SILENCE_US);
    }
    this.model.setCaptureDropped(source.stats().dropped);
    // The recorder stops itself on a full disk: the switch follows it.
    if (this.deps.recorder) this.model.setRecording(this.deps.recorder.status().recording);
    if (publisher) this.model.setQueueOverflow(publisher.overflow);
    this.deps.store.commitCounters();
    publisher?.publishState(this.model.snapshot());
  }

  private async startMicSensor(): Promise<void> {
    const micSensor = this.deps.micSensor;
    if (!micSensor) return;
    await micSensor.sensor.start((reading) => {
      micSensor.onReading(reading);
      // A sensor that cannot tell is a fault (fault LED, a log line), never a silent idle.
      const fault = reading.state === 'unknown' ? reading.reason ?? 'no reading' : undefined;
      if (fault !== this.micFault) this.deps.log(fault ? 'warning' : 'info', fault ? `mic sensor: ${fault}` : `mic sensor: reading again (${reading.state})`);
      this.micFault = fault;
    });
    this.deps.log('info', `mic sensor: ${micSensor.sensor.description}`);
  }

  private async startAccessPoint(): Promise<void> {
    const ap = this.deps.accessPoint;
    if (!ap) return;
    ap.enforcer.on('event', (event) => {
      this.deps.log(event.action === 'error' ? 'warning' : 'info', `enforcement: ${JSON.stringify(event)}`);
      if (event.action === 'block' || event.action === 'would-block') this.deps.store.recordEnforcement(event.alert_id, event.action === 'block' ? 'blocked' : 'would-block');
      this.deps.publisher?.publishEvent(event);
    });
    ap.finder.on('change', (state) => {
      this.echoOnAp = state;
      // The AP knows the Echo for certain; a device named in the config still wins.
      if (state.mac && !this.deps.config.device) this.analysis?.pipeline.setDevice({ mac: state.mac });
      void ap.enforcer.setEchoAddress(state.ip, 'echo');
      this.deps.log('info', `echo: ${state.connected ? `connected ${state.mac} ${state.ip ?? '(no lease yet)'}` : 'not connected'}`);
      this.refreshState(this.captureNowUs());
    });
    await ap.start();
  }

  /** The LED follows the box: critical unacknowledged, then fault, then warning, else monitoring. */
  private showLed(): void {
    const led = this.deps.led;
    if (!led) return;
    const faults = this.micFault ? [this.micFault] : [];
    const pattern = ledPatternFor({
      unacknowledgedCritical: this.model.unacknowledgedCount('critical'),
      unacknowledgedWarning: this.model.unacknowledgedCount('warning'),
      faults,
    });
    if (pattern === this.ledPattern) return;
    this.ledPattern = pattern;
    led.show(pattern).catch((error: Error) => this.deps.log('warning', `led: ${error.message}`));
  }

  private onJudgeEvent(event: JudgeEvent): void {
    const { store, publisher, log } = this.deps;
    if (event.type === 'alert') {
      store.recordAlert(event);
      void this.deps.accessPoint?.enforcer.onAlert(event);
      log(event.severity === 'critical' ? 'error' : 'warning', `alert ${event.id} (${event.severity}): ${event.reason}`);
      this.showLed();
      publisher?.publishState(this.model.snapshot());
    } else {
      store.recordAlertEnd(event.id, event.bytes, event.packets);
      void this.deps.accessPoint?.enforcer.onAlertEnd(event.id);
      log('info', `alert ${event.id} ended: ${event.bytes} bytes in ${event.packets} packets`);
    }
    publisher?.publishAlert(event);
    this.deps.onJudgeEvent?.(event);
  }

  private onCommand(command: BoxCommand): void {
    if (command.type === 'acknowledge') {
      const ids = this.deps.store.acknowledge(command.ids);
      for (const id of ids) void this.deps.accessPoint?.enforcer.onAcknowledge(id);
      this.deps.log('info', `acknowledged ${ids.length} alert${ids.length === 1 ? '' : 's'}`);
      this.showLed();
    } else if (command.type === 'record') {
      try {
        if (!this.setRecording(command.on)) this.deps.log('warning', 'record: no recorder in this service');
      } catch (error) {
        this.deps.log('warning', `record: ${(error as Error).message}`);
      }
    } else {
      const mode: EnforcementMode = command.on ? 'block-when-muted' : 'alert';
      this.model.setEnforcement(mode);
      void this.deps.accessPoint?.enforcer.setMode(mode);
      this.deps.log('info', `enforcement: ${mode}`);
    }
    this.deps.publisher?.publishState(this.model.snapshot());
  }

  private async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { store, publisher, notifier, log } = this.deps;
    notifier.stopping();
    clearInterval(this.housekeeping);
    await this.deps.micSensor?.sensor.stop().catch(() => undefined);
    this.deps.accessPoint?.stop();
    this.analysis?.finish();
    // After finish(): rows held back by the Echo election are written before the last flush.
    this.deps.recorder?.stop(this.analysis?.pipeline.device);
    this.refreshState(this.lastFrameUs);
    await store.flush();
    if (publisher) {
      const delivered = await publisher.drain(DRAIN_ON_STOP_MS);
      if (!delivered) log('warning', 'mqtt: stopping with undelivered alerts; they stay in the outbox and go out after the restart');
      await publisher.stop();
    }
    await this.deps.statusPage?.stop();
    notifier.close();
    const frames = this.analysis?.pipeline.counts.frames ?? 0;
    log('info', `stopped after ${frames} frames; peak memory ${peakRssMb().toFixed(1)} MB`);
  }
}

/** The process's peak resident memory (VmHWM on Linux), for the shutdown line and the bench. */
function peakRssMb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
