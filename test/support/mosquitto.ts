// A real Mosquitto broker for tests, on 127.0.0.1 and a free port, with persistence in a temp
// directory so a SIGTERM restart keeps sessions (the outage test relies on that). Waits on the
// broker's own "running" line, never on a sleep.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class MosquittoBroker {
  private process: ChildProcess | undefined;
  private readonly dir: string;
  private readonly config: string;

  private constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'earshot-mosquitto-'));
    this.config = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      this.config,
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${this.dir}/`, 'log_dest stderr', 'log_type all', ''].join('\n'),
    );
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<MosquittoBroker> {
    const broker = new MosquittoBroker(await freePort());
    await broker.launch();
    return broker;
  }

  async launch(timeoutMs = 10_000): Promise<void> {
    const child = spawn('mosquitto', ['-c', this.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mosquitto did not start in ${timeoutMs} ms: ${log}`)), timeoutMs);
      child.stderr!.setEncoding('utf8').on('data', (text: string) => {
        log += text;
        if (/mosquitto version \S+ running/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited (${code}) while starting: ${log}`));
      });
    });
    child.stderr!.resume();
  }

  /** SIGTERM (Mosquitto saves its sessions) and wait for the process to end. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Received {
  topic: string;
  text: string;
  retain: boolean;
}

/** A subscriber that records everything and lets a test wait for what it expects. */
export class MqttRecorder {
  readonly messages: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, text: payload.toString('utf8'), retain: packet.retain });
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  static async connect(url: string, topics: string[], options: { clientId?: string; clean?: boolean } = {}): Promise<MqttRecorder> {
    const client = connect(url, { clientId: options.clientId ?? `recorder-${process.pid}-${Math.random().toString(16).slice(2)}`, clean: options.clean ?? true, reconnectPeriod: 200 });
    const recorder = new MqttRecorder(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(topics, { qos: 1 });
    return recorder;
  }

  /** Resolves once `predicate` holds over the messages so far; rejects after timeoutMs. */
  waitFor(predicate: (messages: Received[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.messages)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.messages.length} messages`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
