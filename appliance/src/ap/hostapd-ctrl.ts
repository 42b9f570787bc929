// A client for hostapd's control interface: requests (PING, ATTACH, STA-FIRST, ...) and, once
// attached, its events. The byte transport is injected (ctrl-bridge.ts on the device, anything
// that relays datagrams in tests). HostapdMonitor keeps a client attached across hostapd restarts.

import { EventEmitter } from 'node:events';
import { isEventMessage, parseEventMessage, parseStationReply, type CtrlEvent } from './hostapd-events.js';

/** One datagram socket connected to hostapd's control socket. */
export interface CtrlTransport {
  send(message: string): void;
  close(): void;
  onMessage?: (text: string) => void;
  /** The transport died on its own (hostapd went away, the relay exited). */
  onClose?: (reason: string) => void;
}

export type OpenTransport = () => Promise<CtrlTransport>;

export class HostapdCtrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostapdCtrlError';
  }
}

interface Pending {
  command: string;
  resolve: (reply: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class HostapdClient {
  private readonly queue: Pending[] = [];
  private closedReason: string | undefined;

  constructor(
    private readonly transport: CtrlTransport,
    private readonly onEvent: (event: CtrlEvent) => void,
    private readonly requestTimeoutMs = 2000,
    private readonly onClosed: (reason: string) => void = () => {},
  ) {
    transport.onMessage = (text) => this.receive(text);
    transport.onClose = (reason) => this.shut(reason);
  }

  /**
   * Sends one command and resolves with its reply. Commands go one at a time: hostapd answers in
   * order and a reply carries no request id, so only the head of the queue is ever on the wire.
   */
  request(command: string): Promise<string> {
    if (/[\r\n]/.test(command)) return Promise.reject(new HostapdCtrlError(`command contains a line break: ${JSON.stringify(command)}`));
    if (this.closedReason) return Promise.reject(new HostapdCtrlError(`control connection closed: ${this.closedReason}`));
    return new Promise((resolve, reject) => {
      const pending: Pending = { command, resolve, reject, timer: undefined as unknown as NodeJS.Timeout };
      this.queue.push(pending);
      if (this.queue.length === 1) this.sendHead();
    });
  }

  async ping(): Promise<boolean> {
    return (await this.request('PING')).trim() === 'PONG';
  }

  /** Subscribes to events. */
  async attach(): Promise<void> {
    const reply = (await this.request('ATTACH')).trim();
    if (reply !== 'OK') throw new HostapdCtrlError(`ATTACH answered ${JSON.stringify(reply)}`);
  }

  /** The MACs of the stations associated right now (STA-FIRST, then STA-NEXT until empty). */
  async stations(): Promise<string[]> {
    const macs: string[] = [];
    let station = parseStationReply(await this.request('STA-FIRST'));
    // A bound, in case a broken peer keeps answering with the same station.
    while (station && macs.length < 2048 && !macs.includes(station.mac)) {
      macs.push(station.mac);
      station = parseStationReply(await this.request(`STA-NEXT ${station.mac}`));
    }
    return macs;
  }

  close(): void {
    this.shut('closed by earshot');
  }

  private sendHead(): void {
    const head = this.queue[0];
    if (!head) return;
    head.timer = setTimeout(() => this.shut(`no reply to ${head.command} within ${this.requestTimeoutMs} ms`), this.requestTimeoutMs);
    this.transport.send(head.command);
  }

  private receive(text: string): void {
    if (isEventMessage(text)) {
      const event = parseEventMessage(text);
      if (event) this.onEvent(event);
      return;
    }
    const head = this.queue.shift();
    if (!head) return; // a late reply to a request that already timed out
    clearTimeout(head.timer);
    head.resolve(text);
    this.sendHead();
  }

  private shut(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    // Whatever ended it (a timeout, hostapd leaving, earshot), the relay goes too.
    this.transport.close();
    for (const pending of this.queue.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(new HostapdCtrlError(`${pending.command}: ${reason}`));
    }
    this.onClosed(reason);
  }
}

export interface MonitorEvents {
  /** Attached; `stations` are those already associated (the Echo may have joined before earshot started). */
  attached: [stations: string[]];
  detached: [reason: string];
  event: [event: CtrlEvent];
}

export interface MonitorOptions {
  open: OpenTransport;
  pingIntervalMs?: number;
  requestTimeoutMs?: number;
  /** Waits between reconnection attempts, doubling up to the maximum. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** Stays attached to hostapd: reconnects after hostapd restarts and notices a silent death by PING. */
export class HostapdMonitor extends EventEmitter<MonitorEvents> {
  private client: HostapdClient | undefined;
  private stopped = false;
  private retryMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MonitorOptions) {
    super();
    this.retryMs = options.retryMinMs ?? 500;
  }

  get attached(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.client?.close();
    this.client = undefined;
  }

  /** Sends a command on the current connection (e.g. STATUS for diagnostics). */
  request(command: string): Promise<string> {
    if (!this.client) return Promise.reject(new HostapdCtrlError('not attached to hostapd'));
    return this.client.request(command);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let client: HostapdClient | undefined;
    try {
      const transport = await this.options.open();
      if (this.stopped) return transport.close();
      client = new HostapdClient(transport, (event) => this.onEvent(event), this.options.requestTimeoutMs, (reason) => this.lost(client!, reason));
      await client.attach();
      const stations = await client.stations();
      this.client = client;
      this.retryMs = this.options.retryMinMs ?? 500;
      this.emit('attached', stations);
      this.schedulePing();
    } catch (error) {
      client?.close();
      this.retry(error instanceof Error ? error.message : String(error));
    }
  }

  private onEvent(event: CtrlEvent): void {
    this.emit('event', event);
    // hostapd is exiting and its socket goes with it: reattach to the next instance.
    if (event.event.kind === 'terminating' && this.client) this.client.close();
  }

  private lost(client: HostapdClient, reason: string): void {
    if (client !== this.client) return;
    this.client = undefined;
    clearTimeout(this.timer);
    this.emit('detached', reason);
    this.retry(reason);
  }

  private retry(_reason: string): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.options.retryMaxMs ?? 10_000);
  }

  private schedulePing(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      const client = this.client;
      if (!client) return;
      const alive = await client.ping().catch(() => false);
      if (client !== this.client) return;
      if (alive) this.schedulePing();
      else client.close();
    }, this.options.pingIntervalMs ?? 10_000);
  }
}
