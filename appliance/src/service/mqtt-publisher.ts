// The broker adapter (mqtt.js). It keeps Home Assistant's picture right through outages:
//
//   connect ──> status online (retained) ──> discovery (retained) ──> state ──> queued alerts, in order
//      ▲                                                                             │
//      └── backoff 1 s, 2 s, 4 s ... 30 s <── offline (the last will says "offline") ◄┘
//
// Alerts wait in a bounded, durable AlertOutbox (a file in the state directory) until the broker
// acknowledges them, so they survive the broker being away and the service restarting; HA's birth message
// (`homeassistant/status` = online) re-announces discovery; configs under this box's wildcard
// that earshot no longer owns are cleared.

import { connect, type MqttClient } from 'mqtt';
import type { JudgeEvent } from '../judge/judge-events.js';
import { AlertOutbox } from './alert-outbox.js';
import { discoveryMessages, type DiscoveryContext } from './ha-discovery.js';
import { COMMAND_TOPICS, discoveryTopicsFor, topicsFor, type BoxTopics, type DiscoveryTopics } from './mqtt-topics.js';
import type { ServiceState } from './service-state.js';

/** `ids`: the status page acknowledges one alert; without, every alert (the HA button). */
export type BoxCommand = { type: 'acknowledge'; ids?: string[] } | { type: 'enforcement'; on: boolean } | { type: 'record'; on: boolean };

/** What the service needs from a broker; the MQTT adapter and tests' recorders implement it. */
export interface StatePublisher {
  start(): void;
  publishState(state: ServiceState): void;
  publishAlert(event: JudgeEvent): void;
  publishEvent(event: Record<string, unknown>): void;
  onCommand(handler: (command: BoxCommand) => void): void;
  /** The Echos the box watches changed (one was found): Home Assistant hears of each one's entities. */
  setDevices(devices: readonly { id: string; name: string }[]): void;
  readonly overflow: number;
  /** Resolves when every queued alert has been delivered (or after timeoutMs). */
  drain(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export interface MqttPublisherOptions {
  url: string;
  username?: string;
  password?: string;
  discovery: DiscoveryContext;
  queueLimit: number;
  /** The outbox file (alert-outbox.ts); absent: alerts wait in memory only. */
  outboxPath?: string;
  log: (line: string) => void;
}

const MAX_BACKOFF_MS = 30_000;
const STATE_INTERVAL_MS = 1_000;

export class MqttPublisher implements StatePublisher {
  private client: MqttClient | undefined;
  private readonly topics: BoxTopics;
  private readonly discoveryTopics: DiscoveryTopics;
  private readonly queue: AlertOutbox;
  private readonly ownedConfigs: Set<string>;
  private discovery: DiscoveryContext;
  private connected = false;
  /** Announced and subscribed on this connection: alerts may flow. */
  private ready = false;
  private announcing: Promise<void> | undefined;
  private flushing = false;
  private backoffMs = 1_000;
  private latestState: ServiceState | undefined;
  private stateTimer: NodeJS.Timeout | undefined;
  private commandHandler: (command: BoxCommand) => void = () => {};
  private readonly drainWaiters = new Set<() => void>();

  constructor(private readonly options: MqttPublisherOptions) {
    this.topics = topicsFor(options.discovery.id);
    this.discoveryTopics = discoveryTopicsFor(options.discovery.discoveryPrefix, options.discovery.id);
    this.queue = new AlertOutbox({ path: options.outboxPath, limit: options.queueLimit, log: options.log });
    this.discovery = options.discovery;
    this.ownedConfigs = new Set(discoveryMessages(options.discovery).map((m) => m.topic));
  }

  setDevices(devices: readonly { id: string; name: string }[]): void {
    const before = new Set(this.ownedConfigs);
    this.discovery = { ...this.discovery, devices: [...devices] };
    const messages = discoveryMessages(this.discovery);
    for (const message of messages) this.ownedConfigs.add(message.topic);
    if (!this.ready) return; // announced whole on the next connection
    for (const message of messages) if (!before.has(message.topic)) this.client?.publish(message.topic, JSON.stringify(message.payload), { retain: true, qos: 1 });
  }

  get overflow(): number {
    return this.queue.overflow;
  }

  start(): void {
    const { url, username, password, discovery } = this.options;
    // What an earlier run could not deliver goes first, in its order.
    this.queue.load();
    const client = connect(url, {
      username,
      password,
      clientId: `earshot_${discovery.id}`,
      clean: true,
      reconnectPeriod: this.backoffMs,
      connectTimeout: 10_000,
      // mqtt-packet otherwise builds a cache of all 65,536 two-byte packet ids on the first write:
      // 15 MB of RSS to save an allocation once a second (docs/service.md, bench/memory-bench.ts).
      writeCache: false,
      will: { topic: this.topics.status, payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    this.client = client;
    client.on('connect', () => {
      this.announcing = this.onConnect();
    });
    client.on('close', () => {
      if (this.connected) this.options.log(`mqtt: disconnected from ${url}; alerts wait in a queue of ${this.queue.limit}`);
      this.connected = false;
      this.ready = false;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      client.options.reconnectPeriod = this.backoffMs;
    });
    client.on('error', (error) => this.options.log(`mqtt: ${error.message}`));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  onCommand(handler: (command: BoxCommand) => void): void {
    this.commandHandler = handler;
  }

  publishState(state: ServiceState): void {
    this.latestState = state;
    if (this.stateTimer || !this.connected) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      this.sendState();
    }, STATE_INTERVAL_MS);
  }

  publishAlert(event: JudgeEvent): void {
    this.queue.put(event);
    void this.flush();
  }

  publishEvent(event: Record<string, unknown>): void {
    if (this.connected) this.client?.publish(this.topics.event, JSON.stringify(event), { qos: 1 });
  }

  drain(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drainWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.drainWaiters.add(done);
    });
  }

  /** Clean shutdown: the last state, then `offline` (retained), then disconnect. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    await this.announcing;
    if (this.connected) {
      this.sendState();
      await client.publishAsync(this.topics.status, 'offline', { retain: true, qos: 1 }).catch(() => undefined);
    }
    await client.endAsync(!this.connected);
    await this.queue.persisted();
  }

  private async onConnect(): Promise<void> {
    const client = this.client!;
    this.connected = true;
    this.backoffMs = 1_000;
    client.options.reconnectPeriod = this.backoffMs;
    this.options.log(`mqtt: connected to ${this.options.url}`);
    try {
      await client.publishAsync(this.topics.status, 'online', { retain: true, qos: 1 });
      await this.announce();
      await client.subscribeAsync(
        [this.discoveryTopics.haStatus, ...COMMAND_TOPICS.map((command) => this.topics[command]), this.discoveryTopics.configWildcard],
        { qos: 1 },
      );
      this.ready = true;
      this.sendState();
      await this.flush();
    } catch (error) {
      this.options.log(`mqtt: announcing failed (${(error as Error).message}); retrying on reconnect`);
    }
  }

  private async announce(): Promise<void> {
    const client = this.client!;
    for (const message of discoveryMessages(this.discovery)) {
      await client.publishAsync(message.topic, JSON.stringify(message.payload), { retain: true, qos: 1 });
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const text = payload.toString('utf8');
    if (topic === this.discoveryTopics.haStatus) {
      if (text === 'online' && this.connected) void this.announce().then(() => this.sendState()).catch(() => undefined);
    } else if (topic === this.topics.acknowledge) {
      this.commandHandler({ type: 'acknowledge' });
    } else if (topic === this.topics.enforcementSet) {
      if (text === 'ON' || text === 'OFF') this.commandHandler({ type: 'enforcement', on: text === 'ON' });
    } else if (topic === this.topics.recordSet) {
      if (text === 'ON' || text === 'OFF') this.commandHandler({ type: 'record', on: text === 'ON' });
    } else if (this.discoveryTopics.isConfig(topic) && !this.ownedConfigs.has(topic) && payload.length > 0) {
      // A retained config from an older earshot (an entity since removed): clear it.
      this.client?.publish(topic, '', { retain: true, qos: 1 });
    }
  }

  private sendState(): void {
    if (!this.latestState || !this.connected) return;
    const state = { ...this.latestState, queue_overflow: this.queue.overflow };
    this.client?.publish(this.topics.state, JSON.stringify(state), { retain: true, qos: 1 });
  }

  private async flush(): Promise<void> {
    if (this.flushing || !this.ready) return;
    this.flushing = true;
    try {
      while (this.ready && this.queue.length > 0) {
        const event = this.queue.peek()!;
        // On disk before it is on the wire: a restart after this point sends it again, never loses it.
        await this.queue.persisted();
        await this.client!.publishAsync(this.topics.alert, JSON.stringify(event), { qos: 1 });
        this.queue.delivered(event);
      }
    } catch {
      // Disconnected mid-publish: the event stays at the head and goes out after reconnecting.
    } finally {
      this.flushing = false;
    }
    if (this.queue.length === 0) {
      await this.queue.persisted();
      for (const done of [...this.drainWaiters]) done();
      this.drainWaiters.clear();
    }
  }
}
