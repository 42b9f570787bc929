// The local status page (docs/status-page.md): what the box knows, live, for a person on the LAN.
// It reads the service once a second and on every alert, never per packet, so the capture path
// costs the same with the page on or off. It sees the service only through PageBox, so this
// folder imports nothing from service/ (the wiring hands both in).

import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { JudgeEvent } from '../judge/judge-events.js';
import type { MicState } from '../mic/mic-state.js';
import { OpenEpisodes, pageAlerts, RateHistory, verdictNow, type PageAlert } from './page-model.js';
import type { StoredAlert } from '../stored-alert.js';
import { PageServer, type PageAction } from './page-server.js';
import type { StatusPageConfig } from './status-page-config.js';

/** What the page reads from and asks of the service. */
export interface PageBox {
  state: { snapshot(): { mic: MicState; classes: Record<string, number>; upstream_bytes: number; capture_dropped: number; enforcement: string; recording: boolean; alerts_total: number; model_version: string } };
  captureNowUs(): number;
  ringBetween(fromUs: number, toUs: number): MicState;
  micHealth(): { source: string; fault: string | undefined };
  echoIdentity(): { ip: string | null; mac: string | null; connected: boolean };
  /** Every Echo the box watches; the page lists them when there are several. */
  echoIdentities?(): { id: string; name: string; ip: string | null; connected: boolean; mic: MicState; ring: { fault: string | undefined } }[];
  /** What the LED shows and whose state set it. */
  led?(): { pattern: string; device: string | null };
  recordingStatus(): { recording: boolean; dir: string; diskBytes: number; maxTotalBytes: number; rows: number } | undefined;
  setRecording(on: boolean): boolean;
  command(command: { type: 'acknowledge'; ids?: string[] } | { type: 'enforcement'; on: boolean }): void;
}

export interface StatusPageOptions {
  config: StatusPageConfig;
  boxId: string;
  version: string;
  /** The service, once built (the page is built before it, for the wiring's sake). */
  box: () => PageBox;
  /** The state file's alert ring (survives restarts, bounded by state.history). */
  history: () => readonly StoredAlert[];
  /** The AP's uplink interface on the box: "auto" binds its address. */
  uplink?: string;
  log: (level: 'info' | 'warning', line: string) => void;
  /** How often the chart gets a point (wall clock); the demo samples faster than 1 s. */
  sampleMs?: number;
  /** Called once listening, with the page's address (the demo prints it). */
  onListening?: (url: string) => void;
  /** The demo: a port in use means any free port, not a retry. */
  anyPortWhenBusy?: boolean;
}

const ALERTS_SHOWN = 100;
const UPLINK_RETRY_MS = 5_000;
const LISTEN_RETRY_MS = 30_000;

export class StatusPage {
  private readonly server: PageServer;
  private readonly rates: RateHistory;
  private readonly open = new OpenEpisodes();
  private token: string | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastAlerts = '';
  private lastSampleUs = 0;
  private listening = false;
  url: string | undefined;

  constructor(private readonly options: StatusPageOptions) {
    this.rates = new RateHistory(options.config.chart_s * 1000);
    this.server = new PageServer({
      snapshot: () => this.snapshot(),
      act: (action) => this.act(action),
      token: () => this.token,
      tokenHint: `set status_page.token or write ${options.config.token_file}`,
    });
  }

  get liveViews(): number {
    return this.server.streamCount;
  }

  async start(): Promise<void> {
    const { config, log } = this.options;
    this.token = config.token ?? (await readToken(config.token_file));
    if (!this.token) log('info', `status page: actions are off until a token is set (status_page.token or ${config.token_file})`);
    this.sampler = setInterval(() => this.sample(), this.options.sampleMs ?? 1_000);
    this.sampler.unref();
    await this.listenWhenAddressed();
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    clearTimeout(this.retry);
    if (this.listening) await this.server.close();
    this.listening = false;
  }

  /** The service's judge events: a new alert reaches every open page at once, not at the next tick. */
  onJudgeEvent(event: JudgeEvent): void {
    this.open.onJudgeEvent(event);
    this.pushAlerts();
  }

  /**
   * Listens, or says why not and tries again later. The page never stops the service: a port in
   * use must not leave the Echo unwatched.
   */
  private async listenWhenAddressed(warned = false): Promise<void> {
    const host = this.bindAddress();
    if (!host) {
      // A DHCP uplink may not have its address yet at boot: try again rather than serve nowhere.
      if (!warned) this.options.log('warning', `status page: ${this.options.uplink} has no IPv4 address yet; retrying every ${UPLINK_RETRY_MS / 1000} s`);
      return this.retryListen(UPLINK_RETRY_MS);
    }
    const port = this.options.config.port;
    try {
      await this.server.listen(port, host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && this.options.anyPortWhenBusy) {
        await this.server.listen(0, host);
      } else {
        const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EADDRNOTAVAIL' ? `${host} is not an address of this box` : code === 'EACCES' ? 'not allowed to listen on it' : (error as Error).message;
        if (!warned) this.options.log('warning', `status page: status_page.port: cannot listen on ${host}:${port}: ${why}; retrying every ${LISTEN_RETRY_MS / 1000} s (set status_page.port, or status_page.enabled: false)`);
        return this.retryListen(LISTEN_RETRY_MS);
      }
    }
    this.listening = true;
    const address = this.server.server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}/`;
    this.options.log('info', `status page: ${this.url}`);
    this.options.onListening?.(this.url);
  }

  private retryListen(ms: number): void {
    this.retry = setTimeout(() => void this.listenWhenAddressed(true).catch((error: Error) => this.options.log('warning', `status page: ${error.message}`)), ms);
    this.retry.unref();
  }

  /** "auto": the uplink's IPv4 on the box (never the AP's), loopback elsewhere. */
  private bindAddress(): string | undefined {
    const bind = this.options.config.bind;
    if (bind !== 'auto') return bind;
    if (!this.options.uplink) return '127.0.0.1';
    return networkInterfaces()[this.options.uplink]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  }

  private sample(): void {
    const box = this.options.box();
    const state = box.state.snapshot();
    const nowUs = box.captureNowUs();
    const sample = this.rates.add(Math.round(nowUs / 1000), state.upstream_bytes, box.ringBetween(this.lastSampleUs, nowUs));
    this.lastSampleUs = nowUs;
    if (this.server.streamCount === 0) return;
    this.server.broadcast('tick', { live: this.live(), sample });
    this.pushAlerts();
  }

  /** Sends the alert list when it changed (acknowledged, blocked, ended, new). */
  private pushAlerts(): void {
    if (this.server.streamCount === 0) return;
    const alerts = this.alerts();
    const text = JSON.stringify(alerts);
    if (text === this.lastAlerts) return;
    this.lastAlerts = text;
    this.server.broadcast('alerts', { alerts, live: this.live() });
  }

  private alerts(): PageAlert[] {
    return pageAlerts(this.options.history(), this.open, ALERTS_SHOWN);
  }

  private live(): Record<string, unknown> {
    const box = this.options.box();
    const state = box.state.snapshot();
    const health = box.micHealth();
    const recording = box.recordingStatus();
    // From the timeline at the capture clock: the service's own copy is refreshed once a second.
    const nowUs = box.captureNowUs();
    const ring = box.ringBetween(nowUs, nowUs);
    return {
      now: new Date(Math.round(nowUs / 1000) || Date.now()).toISOString(),
      echo: box.echoIdentity(),
      devices: (box.echoIdentities?.() ?? []).map(({ id, name, ip, connected, mic, ring }) => ({ id, name, ip, connected, mic, fault: ring.fault ?? null })),
      led: box.led?.() ?? null,
      ring: { state: ring, source: health.source, fault: health.fault ?? null },
      verdict: verdictNow({ alerts: this.alerts(), mic: ring, sensorFault: health.fault }),
      enforcement: state.enforcement,
      recording: recording ? { on: recording.recording, dir: recording.dir, disk_bytes: recording.diskBytes, max_bytes: recording.maxTotalBytes, rows: recording.rows } : null,
      classes: state.classes,
      upstream_bytes: state.upstream_bytes,
      capture_dropped: state.capture_dropped,
      alerts_total: state.alerts_total,
    };
  }

  private snapshot(): Record<string, unknown> {
    const state = this.options.box().state.snapshot();
    return {
      box: { id: this.options.boxId, version: this.options.version, model_version: state.model_version },
      actions: this.token !== undefined,
      chart: { window_s: this.options.config.chart_s, samples: this.rates.window },
      alerts: this.alerts(),
      live: this.live(),
    };
  }

  private act(action: PageAction): Record<string, unknown> {
    const box = this.options.box();
    if (action.type === 'acknowledge') box.command({ type: 'acknowledge', ids: action.id === undefined ? undefined : [action.id] });
    else if (action.type === 'enforcement') box.command({ type: 'enforcement', on: action.on });
    else {
      if (!box.setRecording(action.on)) throw new Error('this service has no recorder');
      this.options.log('info', `status page: recording ${action.on ? 'started' : 'stopped'}`);
    }
    this.pushAlerts();
    return { ok: true, live: this.live() };
  }
}

/** The first-boot token file; absent or empty means no actions, not a failure. */
async function readToken(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
