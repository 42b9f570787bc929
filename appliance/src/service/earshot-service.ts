// The service: a packet source through the analysis, into the state model, the store and the
// broker. Every adapter is handed in (the run command builds the real ones, tests their own),
// so this class is the same whether it captures wlan0 on a Pi or replays a file in a test.

import { readFileSync } from 'node:fs';
import type { PacketSource } from '../capture/packet-source.js';
import { paperLabel, PACKET_CLASSES } from '../features/packet-class.js';
import type { JudgeEvent } from '../judge/judge-events.js';
import type { MicState } from '../mic/mic-state.js';
import { buildAnalysis, type Analysis } from '../pipeline/capture-run.js';
import type { LedPattern } from '../../../gpio/led/led-patterns.js';
import type { StatusLed } from '../../../gpio/led/led-class-driver.js';
import type { PacketClassifier } from '../classify/packet-classifier.js';
import type { ServiceConfig } from './config-schema.js';
import type { EchoFinder, FoundEcho } from '../ap/echo-finder.js';
import type { Enforcer } from '../ap/enforcer.js';
import type { BoxCommand, StatePublisher } from './mqtt-publisher.js';
import type { Notifier } from './sd-notify.js';
import type { Logger } from './service-log.js';
import { ServiceStateModel, type EnforcementMode } from './service-state.js';
import type { StateStore } from './state-store.js';
import type { PacketRecorder, RecorderStatus } from '../record/dataset-recorder.js';
import { WatchedEcho, worstLedPattern, type ServiceDevice } from './watched-echo.js';

export type { ServiceDevice } from './watched-echo.js';

export interface ServiceDeps {
  config: ServiceConfig;
  source: PacketSource;
  /** Each Echo with its ring; absent: config.devices with no ring sensor. */
  devices?: ServiceDevice[];
  publisher: StatePublisher | undefined;
  store: StateStore;
  notifier: Notifier;
  log: Logger;
  modelVersion: string;
  /** The per-packet forest, if one loaded; its classes are the ones reported. */
  classifier?: PacketClassifier;
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

const HOUSEKEEPING_MS = 1_000;
const DRAIN_ON_STOP_MS = 5_000;

export class EarshotService {
  private analysis: Analysis | undefined;
  private readonly model: ServiceStateModel;
  private lastFrameUs = 0;
  private lastFrameWallMs = 0;
  private housekeeping: NodeJS.Timeout | undefined;
  private stopped = false;
  private ledPattern: LedPattern | undefined;
  /** Every Echo the box watches, in the config's order, then the ones the access point found. */
  private readonly echos: WatchedEcho[];

  constructor(private readonly deps: ServiceDeps) {
    const classes = Object.fromEntries(PACKET_CLASSES.map((c) => [paperLabel(c), 0]));
    this.model = new ServiceStateModel({ modelVersion: deps.modelVersion, enforcement: deps.config.enforcement.mode, classes, persisted: () => deps.store.data });
    const graceUs = deps.config.judge.grace_s * 1e6;
    this.echos = (deps.devices ?? deps.config.devices.map((config) => ({ config }))).map((device) => new WatchedEcho(device, graceUs));
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
    this.analysis = buildAnalysis(
      { devices: this.echos.map((echo) => echo.watched()), graceS: config.judge.grace_s, classifier: this.deps.classifier },
      {
        packet: (packet, features, uploadBytes, lane) => {
          const echo = this.echos[lane.index];
          echo.lastPacketUs = packet.timeUs;
          if (echo.seenMac === undefined && packet.srcMacKey >= 0) echo.seenMac = packet.srcMac;
          store.countEchoPacket(paperLabel(features.reportedClass), uploadBytes);
          this.deps.recorder?.row(features);
        },
        judge: (event) => this.onJudgeEvent(event),
      },
    );
    publisher?.onCommand((command) => this.onCommand(command));
    publisher?.setDevices(this.echos.map(({ id, name }) => ({ id, name })));
    publisher?.start();
    for (const echo of this.echos) await echo.startSensor(log, this.echos.length > 1 ? `${echo.name}: ` : '');
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

  /** Where the first Echo's ring state comes from and, when its sensor cannot tell, why (the status page). */
  micHealth(): { source: string; fault: string | undefined } {
    return this.echos[0].micHealth();
  }

  /** The first Echo's ring between two capture times, for the chart's bands. */
  ringBetween(fromUs: number, toUs: number): MicState {
    return this.echos[0].ringBetween(fromUs, toUs);
  }

  /** The first Echo as the access point (or, off the box, its traffic) knows it. */
  echoIdentity(): { ip: string | null; mac: string | null; connected: boolean } {
    const { ip, mac, connected } = this.echoIdentities()[0];
    return { ip, mac, connected };
  }

  /** Every Echo the box watches, with its ring's health (the status page lists them). */
  echoIdentities(): { id: string; name: string; ip: string | null; mac: string | null; connected: boolean; mic: MicState; ring: { source: string; fault: string | undefined } }[] {
    const nowUs = this.captureNowUs();
    return this.echos.map((echo) => ({ ...echo.identity(this.trafficAddress(echo), nowUs), mic: echo.lastMic, ring: echo.micHealth() }));
  }

  /** What the LED shows and the Echo whose state set it (the status page). */
  led(): { pattern: string; device: string | null } {
    return this.model.snapshot().led;
  }

  /**
   * An Amazon device the access point found that the config does not list: watched from now on
   * with no ring, so its uploads are judged on bytes alone and can only be warnings.
   */
  watchFoundEcho(mac: string, ip: string | undefined): WatchedEcho {
    const normalised = mac.toLowerCase();
    const known = this.echoWithMac(normalised);
    if (known) return known;
    const id = `echo-${normalised.replaceAll(':', '').slice(-6)}`;
    const echo = new WatchedEcho({ config: { id, name: `Echo ${normalised.slice(-8)}`, mac: normalised, mic: { sensor: 'none' } }, listed: false }, this.deps.config.judge.grace_s * 1e6);
    echo.onAp = { mac: normalised, ip, connected: true };
    this.echos.push(echo);
    this.analysis?.pipeline.addDevice({ ...echo.watched(), spec: { mac: normalised } });
    this.deps.publisher?.setDevices(this.echos.map(({ id, name }) => ({ id, name })));
    this.deps.log('warning', `echo: ${normalised} (${ip ?? 'no lease yet'}) is an Amazon device the config does not list; watching it as '${id}' with no ring sensor: its uploads can only be warnings`);
    return echo;
  }

  /**
   * The access point's list of Echos: the listed ones' addresses and connections, and every
   * Amazon station the config does not list, watched from now on. The first Echo follows the
   * finder's `change` event (its configured MAC, or the one Amazon station) unless it is still
   * unknown when several are there, when the first unlisted one becomes it.
   */
  private onFoundEchos(found: readonly FoundEcho[], ap: AccessPoint): void {
    const first = this.echos[0];
    const firstNamed = first.device.config.ip !== undefined || first.device.config.mac !== undefined;
    for (const entry of found) {
      if (entry.mac === first.onAp?.mac) continue;
      let echo = this.echoWithMac(entry.mac);
      if (!echo && entry.listed) continue;
      if (!echo && !firstNamed && first.onAp?.mac === undefined) {
        echo = first;
        this.analysis?.pipeline.setDevice({ mac: entry.mac });
      }
      echo ??= this.watchFoundEcho(entry.mac, entry.ip);
      const changed = echo.onAp?.mac !== entry.mac || echo.onAp.connected !== entry.connected || echo.onAp.ip !== entry.ip;
      echo.onAp = { mac: entry.mac, ip: entry.ip, connected: entry.connected };
      if (!changed) continue;
      void ap.enforcer.setEchoAddress(entry.ip, echo.id);
      this.deps.log('info', `echo ${echo.name}: ${entry.connected ? `connected ${entry.mac} ${entry.ip ?? '(no lease yet)'}` : 'not connected'}`);
    }
    this.refreshState(this.captureNowUs());
  }

  /** The watched Echo with this MAC, configured or as the access point knows it. */
  private echoWithMac(mac: string): WatchedEcho | undefined {
    return this.echos.find((echo) => echo.device.config.mac === mac || echo.onAp?.mac === mac);
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
    if (nowUs > 0) this.analysis?.tick(nowUs);
    this.refreshState(nowUs);
  }

  /** Its first address the pipeline saw, where the access point does not say. */
  private trafficAddress(echo: WatchedEcho): string | undefined {
    return this.analysis?.pipeline.laneOf(echo.id)?.matcher?.addresses[0];
  }

  private refreshState(nowUs: number): void {
    const { publisher, source } = this.deps;
    for (const echo of this.echos) {
      const micState = echo.micState(nowUs);
      if (micState !== echo.lastMic) {
        echo.lastMic = micState;
        this.deps.log('info', this.echos.length > 1 ? `${echo.name}: mic: ${micState}` : `mic: ${micState}`);
        void this.deps.accessPoint?.enforcer.onMicState(micState, echo.id);
      }
      this.model.setDevice(echo.id, echo.live(nowUs, this.trafficAddress(echo), micState));
    }
    this.showLed();
    this.model.setCaptureDropped(source.stats().dropped);
    // The recorder stops itself on a full disk: the switch follows it.
    if (this.deps.recorder) this.model.setRecording(this.deps.recorder.status().recording);
    if (publisher) this.model.setQueueOverflow(publisher.overflow);
    this.deps.store.commitCounters();
    publisher?.publishState(this.model.snapshot());
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
      // Several Amazon stations and no MAC to choose by: the device list below takes them all.
      if (state.candidates) return;
      const first = this.echos[0];
      first.onAp = state;
      // The AP knows the Echo for certain; a device named in the config still wins.
      const named = first.device.config.ip !== undefined || first.device.config.mac !== undefined;
      if (state.mac && !named) this.analysis?.pipeline.setDevice({ mac: state.mac });
      void ap.enforcer.setEchoAddress(state.ip, first.id);
      this.deps.log('info', `echo: ${state.connected ? `connected ${state.mac} ${state.ip ?? '(no lease yet)'}` : 'not connected'}`);
      this.refreshState(this.captureNowUs());
    });
    ap.finder.on('devices', (found) => this.onFoundEchos(found, ap));
    await ap.start();
  }

  /**
   * The LED follows the worst Echo: critical unacknowledged, then fault, then warning, else
   * monitoring; the state says whose it is. A found Echo that has no ring is not a fault.
   */
  private showLed(): void {
    const worst = worstLedPattern(this.echos.map((echo) => ({ id: echo.id, pattern: echo.ledPattern((severity) => this.model.unacknowledgedCount(severity, echo.id)) })));
    this.model.setLed(worst.pattern, worst.device);
    const led = this.deps.led;
    const pattern = worst.pattern;
    if (!led) return;
    if (pattern === this.ledPattern) return;
    this.ledPattern = pattern;
    led.show(pattern).catch((error: Error) => this.deps.log('warning', `led: ${error.message}`));
  }

  private onJudgeEvent(event: JudgeEvent): void {
    const { store, publisher, log } = this.deps;
    if (event.type === 'alert') {
      store.recordAlert(event);
      void this.deps.accessPoint?.enforcer.onAlert(event);
      log(event.severity === 'critical' ? 'error' : 'warning', `alert ${event.id} (${event.severity}${this.echos.length > 1 ? `, ${event.device_name}` : ''}): ${event.reason}`);
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
    for (const echo of this.echos) await echo.stopSensor();
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
