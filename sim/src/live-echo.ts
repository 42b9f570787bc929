// The fake Echo of live mode, one process in the echo namespace: it plays the plan with real
// clients (HTTP/2 over TLS 1.2 to AVS with a PING every 30 s, a raw TLS metrics connection with its
// 4-byte heartbeat, Spotify's sync port, new servers every ~2 minutes, music downloads, DNS, NTP)
// and reports, as JSON lines, what it did on which connection and when (wall clock = capture clock):
// each episode's writes are counted as they are made (SentTally), which is live mode's truth.

import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { Agent, get as httpGet } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ADDRESSES, CODECS, HOSTS, PORTS, TIMING } from './echo-profile.js';
import { ANSWER_BYTES_HEADER, TLS_SETTINGS } from './live-cloud.js';
import { ScaledClock } from './live-clock.js';
import { SentTally, type LiveEvent, type LiveFlow } from './live-truth.js';
import type { LeakAction, MusicAction, Plan, VoiceAction } from './scenario-plan.js';
import { SeededRandom } from './seeded-random.js';
import type { EpisodeKind } from './sim-truth.js';
import { dnsQuery, ntpRequest } from './udp-messages.js';

export interface EchoConfig {
  plan: Plan;
  timeScale: number;
  caPem: string;
  dnsAddress: string;
  /** A datagram sent last, through the box, so the capture knows it has seen everything. */
  marker: { hex: string; address: string; port: number };
}

export type EchoReport = LiveEvent | { event: 'mic'; state: string; timeUs: number } | { event: 'ready' } | { event: 'done' } | { event: 'warning'; message: string };

const S = 1_000_000;
export const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleepUntil = (us: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, (us - nowUs()) / 1000)));
const tally = (): SentTally => new SentTally(nowUs);
const KIND: Record<VoiceAction['purpose'], EpisodeKind> = { command: 'voice_command', muted_upload: 'muted_upload', misactivation: 'misactivation', slow_leak: 'slow_leak' };

export class LiveEcho {
  private readonly clock: ScaledClock;
  private readonly r: SeededRandom;
  private runStartUs = 0;
  private avs: ClientHttp2Session | undefined;
  private avsFlow: LiveFlow | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  /** Activities still running; the run waits for them (a while) before its end marker. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly config: EchoConfig,
    private readonly report: (event: EchoReport) => void,
  ) {
    this.clock = new ScaledClock(config.plan, config.timeScale);
    this.r = new SeededRandom(config.plan.seed).fork('live');
  }

  async run(): Promise<void> {
    const plan = this.config.plan;
    this.runStartUs = nowUs();
    const t0 = plan.startUs;
    for (const change of plan.mic) this.at(change.timeUs, () => this.report({ event: 'mic', state: change.state, timeUs: nowUs() }));
    this.at(t0, () => void this.connectAvs());
    this.at(t0 + 2 * S, () => void this.ntp());
    this.at(t0 + 4 * S, () => void this.connectMetrics(t0 + 4 * S));
    this.at(t0 + 6 * S, () => void this.connectSpotifySync(t0 + 6 * S));
    this.at(t0 + 20 * S, () => this.rotate(t0 + 20 * S));
    for (const action of plan.actions) this.at(action.atUs, () => this.track(action.kind === 'voice' ? this.voice(action) : action.kind === 'leak' ? this.shapedLeak(action) : this.music(action)));
    this.report({ event: 'ready' });
    await new Promise<void>((resolve) => this.at(plan.endUs, resolve));
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.race([Promise.all(this.running), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    const marker = createSocket('udp4');
    await new Promise<void>((resolve) => marker.send(Buffer.from(this.config.marker.hex, 'hex'), this.config.marker.port, this.config.marker.address, () => resolve()));
    marker.close();
    this.report({ event: 'done' });
    this.avs?.destroy();
    for (const socket of this.sockets) socket.destroy();
  }

  private track(activity: Promise<void>): void {
    const tracked = activity.catch((e) => this.warn(e)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Runs `fn` at plan time `planUs`, on the scaled clock. */
  private at(planUs: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, Math.max(0, (this.runStartUs + this.clock.wallUs(planUs) - nowUs()) / 1000));
    this.timers.add(timer);
  }

  private warn(error: unknown): void {
    this.report({ event: 'warning', message: error instanceof Error ? error.message : String(error) });
  }

  /** Plan time `t`, or the end of a quiet span it falls in, so background uploads keep clear of voice. */
  private afterQuiet(t: number): number {
    for (const [start, end] of this.config.plan.quiet) if (t >= start && t <= end) return end + 3 * S;
    return t;
  }

  private async lookup(host: string): Promise<void> {
    const socket = createSocket('udp4');
    const answered = once(socket, 'message');
    socket.send(dnsQuery(this.r.int(0, 0xffff), host), PORTS.dns, this.config.dnsAddress);
    await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 2000))]);
    socket.close();
  }

  private async ntp(): Promise<void> {
    const socket = createSocket('udp4');
    const answered = once(socket, 'message');
    socket.send(ntpRequest(nowUs()), PORTS.ntp, ADDRESSES.ntp);
    await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 2000))]);
    socket.close();
  }

  /** TLS over a TCP socket of our own, so the connection can be dropped with a RST (resetAndDestroy needs the TCP handle). */
  private async tls(host: string, address: string): Promise<{ secure: TLSSocket; tcp: Socket }> {
    const tcp = tcpConnect({ host: address, port: PORTS.https });
    this.sockets.add(tcp);
    tcp.on('close', () => this.sockets.delete(tcp));
    tcp.on('error', () => {});
    const secure = tlsConnect({ socket: tcp, servername: host, ca: this.config.caPem, checkServerIdentity: () => undefined, ...TLS_SETTINGS });
    secure.on('error', () => {});
    await once(secure, 'secureConnect');
    return { secure, tcp };
  }

  private flow(socket: Socket, address: string, port: number): LiveFlow {
    return { localPort: socket.localPort ?? 0, dst: address, dstPort: port };
  }

  private async connectAvs(): Promise<void> {
    await this.lookup(HOSTS.avs);
    const address = ADDRESSES.avs[0];
    const session = http2Connect(`https://${HOSTS.avs}`, { createConnection: () => tlsConnect({ host: address, port: PORTS.https, servername: HOSTS.avs, ca: this.config.caPem, ALPNProtocols: ['h2'], checkServerIdentity: () => undefined, ...TLS_SETTINGS }) });
    session.on('error', (e) => this.warn(e));
    await once(session, 'connect');
    this.avs = session;
    this.avsFlow = this.flow(session.socket as Socket, address, PORTS.https);
    const downchannel = session.request({ ':method': 'GET', ':path': '/v20160207/directives' });
    downchannel.on('error', () => {});
    downchannel.resume();
    await this.avsEvent('telemetry', this.r.int(1500, 3800));
    const first = this.config.plan.startUs + 10 * S;
    this.at(first, () => this.avsPing(first));
  }

  private avsPing(t: number): void {
    if (this.avs && !this.avs.closed && this.avsFlow) {
      this.avs.ping(Buffer.alloc(8), () => {});
      this.report({ event: 'heartbeat', kind: 'avs_ping', flow: this.avsFlow, timeUs: nowUs(), length: 41 });
    }
    this.at(t + TIMING.avsPingPeriodUs, () => this.avsPing(t + TIMING.avsPingPeriodUs));
  }

  /** An AVS event: a POST with a JSON body of `jsonLength` bytes. */
  private async avsEvent(kind: EpisodeKind, jsonLength: number): Promise<void> {
    const session = this.avs;
    if (!session || session.closed || !this.avsFlow) return;
    const stream = session.request({ ':method': 'POST', ':path': '/v20160207/events', 'content-type': 'application/json' });
    stream.on('error', () => {});
    stream.resume();
    const sent = tally();
    stream.end(Buffer.alloc(jsonLength, 0x7b));
    sent.h2(jsonLength);
    this.report({ event: 'episode', kind, flow: this.avsFlow, ...sent });
    await once(stream, 'close').catch(() => {});
  }

  /** A voice upload: HEADERS, the event JSON with buffered audio, one audio frame every 20 ms, the end. */
  private async voice(action: VoiceAction): Promise<void> {
    const session = this.avs;
    if (!session || session.closed || !this.avsFlow) return this.warn('voice upload skipped: AVS is not connected');
    const codec = CODECS[action.codec];
    const answerBytes = action.answerUs > 0 ? Math.round(8000 + (action.answerUs / S) * 20_000) : 0;
    const stream = session.request({ ':method': 'POST', ':path': '/v20160207/events', 'content-type': 'multipart/form-data; boundary=earshot', [ANSWER_BYTES_HEADER]: String(answerBytes) });
    stream.on('error', () => {});
    stream.resume();
    const sent = tally();
    const startUs = nowUs();
    if (action.purpose !== 'slow_leak') {
      const json = this.r.int(4150, 4450);
      stream.write(Buffer.alloc(json, 0x7b));
      sent.h2(json);
    }
    const audio = Buffer.alloc(codec.recordPlaintext - 9, 0x55);
    const frames = Math.max(1, Math.round(action.speechUs / codec.frameUs));
    for (let i = 0; i < frames; i++) {
      await sleepUntil(startUs + 5000 + i * codec.frameUs);
      stream.write(audio);
      sent.h2(audio.length);
    }
    stream.end(Buffer.alloc(26));
    sent.h2(26);
    this.report({ event: 'episode', kind: KIND[action.purpose], utterance: action.utterance ?? undefined, codec: action.codec, expect: action.expect, flow: this.avsFlow, ...sent });
    if (answerBytes === 0) return;
    await once(stream, 'close').catch(() => {});
    for (let i = 0; i < action.followUps; i++) {
      await new Promise((resolve) => setTimeout(resolve, this.r.uniform(200, 2500)));
      await this.avsEvent('follow_up', this.r.int(380, 1150));
    }
  }

  /** The shaped leaks (scenario-plan.ts): real writes whose framing the kernel and TLS choose. */
  private async shapedLeak(action: LeakAction): Promise<void> {
    const write = (socket: { write(chunk: Buffer, cb: () => void): unknown }, bytes: number): Promise<void> => new Promise((resolve) => void socket.write(Buffer.alloc(bytes, 0x55), () => resolve()));
    if (action.shape === 'udp') {
      await this.lookup(HOSTS.rtpRelay);
      const socket = createSocket('udp4');
      socket.on('message', () => {});
      await new Promise<void>((resolve) => socket.bind(0, () => resolve()));
      const flow: LiveFlow = { localPort: socket.address().port, dst: ADDRESSES.rtpRelay, dstPort: PORTS.rtp, protocol: 'udp' };
      const sent = tally();
      const startUs = nowUs();
      for (let i = 0; i * action.periodUs < action.durationUs; i++) {
        await sleepUntil(startUs + i * action.periodUs);
        const length = this.r.int(action.minDatagram, action.maxDatagram);
        socket.send(Buffer.alloc(length, 0xd5), PORTS.rtp, ADDRESSES.rtpRelay);
        sent.udp(length);
      }
      this.report({ event: 'episode', kind: 'udp_leak', expect: action.expect, flow, ...sent });
      setTimeout(() => socket.close(), 500);
      return;
    }
    if (action.shape === 'bulk') {
      await this.lookup(HOSTS.upload);
      const { secure, tcp } = await this.tls(HOSTS.upload, ADDRESSES.upload);
      const sent = tally();
      sent.tls(action.bytes);
      await write(secure, action.bytes);
      this.report({ event: 'episode', kind: 'bulk_leak', expect: action.expect, flow: this.flow(tcp, ADDRESSES.upload, PORTS.https), ...sent });
      setTimeout(() => secure.end(), 3000);
      return;
    }
    const session = this.avs;
    if (!session || session.closed || !this.avsFlow) return this.warn(`${action.shape} leak skipped: AVS is not connected`);
    const avsFlow = this.avsFlow;
    const stream = session.request({ ':method': 'POST', ':path': '/v20160207/events', 'content-type': 'multipart/form-data; boundary=earshot' });
    stream.on('error', () => {});
    stream.resume();
    const sent = tally();
    const startUs = nowUs();
    if (action.shape === 'burst') {
      for (let i = 0; i < action.bursts; i++) {
        await sleepUntil(startUs + i * action.periodUs);
        sent.h2(action.burstBytes);
        await write(stream, action.burstBytes);
      }
      await sleepUntil(startUs + action.bursts * action.periodUs);
      stream.end();
      sent.h2(0);
      this.report({ event: 'episode', kind: 'burst_leak', expect: action.expect, flow: avsFlow, ...sent });
      return;
    }
    // The split leak: the pre-roll on AVS while a connection to another server opens, then the paced part there.
    const other = this.lookup(HOSTS.upload).then(() => this.tls(HOSTS.upload, ADDRESSES.upload));
    sent.h2(action.burstBytes);
    await write(stream, action.burstBytes);
    stream.end();
    sent.h2(0);
    const { secure, tcp } = await other;
    await sleepUntil(startUs + action.gapUs);
    const pacedStartUs = nowUs();
    for (let i = 0; i * action.periodUs < action.pacedUs; i++) {
      await sleepUntil(pacedStartUs + i * action.periodUs);
      secure.write(Buffer.alloc(action.pacedBytes + 9, 0x55));
      sent.tls(action.pacedBytes + 9);
    }
    this.report({ event: 'episode', kind: 'split_leak', expect: action.expect, flow: avsFlow, otherFlows: [this.flow(tcp, ADDRESSES.upload, PORTS.https)], ...sent });
    setTimeout(() => secure.end(), 3000);
  }

  private async connectMetrics(t: number): Promise<void> {
    await this.lookup(HOSTS.metrics);
    const { secure: socket, tcp } = await this.tls(HOSTS.metrics, ADDRESSES.metrics);
    const flow = this.flow(tcp, ADDRESSES.metrics, PORTS.https);
    const beat = (at: number): void => {
      if (!socket.destroyed) {
        socket.write(Buffer.alloc(4)); // a 28-byte record in AES-128-GCM
        this.report({ event: 'heartbeat', kind: 'metrics', flow, timeUs: nowUs(), length: 28 });
      }
      this.at(at + TIMING.metricsPeriodUs, () => beat(at + TIMING.metricsPeriodUs));
    };
    this.at(t + 10 * S, () => beat(t + 10 * S));
  }

  private async connectSpotifySync(t: number): Promise<void> {
    await this.lookup(HOSTS.spotifySync);
    const socket = tcpConnect({ host: ADDRESSES.spotifySync, port: PORTS.spotifySync });
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.resume();
    await once(socket, 'connect');
    const flow = this.flow(socket, ADDRESSES.spotifySync, PORTS.spotifySync);
    const tick = (at: number): void => {
      if (!socket.destroyed) {
        socket.write(Buffer.from([0, 9, ...Array(9).fill(0x42)]));
        this.report({ event: 'heartbeat', kind: 'spotify_sync', flow, timeUs: nowUs(), length: 11 });
      }
      this.at(at + TIMING.spotifySyncPeriodUs, () => tick(at + TIMING.spotifySyncPeriodUs));
    };
    this.at(t + 2 * S, () => tick(t + 2 * S));
  }

  /** A new server about every two minutes: handshake, a telemetry burst, then a close. */
  private rotate(t: number): void {
    const at = this.afterQuiet(t);
    if (at > t) return this.at(at, () => this.rotate(at));
    const i = this.r.int(0, HOSTS.rotation.length - 1);
    const host = HOSTS.rotation[i];
    const address = ADDRESSES.rotation[i % ADDRESSES.rotation.length];
    const closeAfter = this.r.uniform(3, 40) * S;
    void (async () => {
      await this.lookup(host);
      const { secure, tcp } = await this.tls(host, address);
      const sent = tally();
      for (const size of [270, ...Array.from({ length: this.r.int(1, 6) }, () => (this.r.chance(0.5) ? 1380 : this.r.int(30, 700)))]) {
        secure.write(Buffer.alloc(size));
        sent.tls(size);
      }
      this.report({ event: 'episode', kind: 'telemetry', flow: this.flow(tcp, address, PORTS.https), ...sent });
      const reset = this.r.chance(0.3);
      this.at(t + closeAfter, () => (reset ? !tcp.destroyed && tcp.resetAndDestroy() : secure.end()));
    })().catch((e) => this.warn(e));
    const next = t + this.r.uniform(TIMING.rotationMinUs, TIMING.rotationMaxUs);
    this.at(next, () => this.rotate(next));
  }

  private async music(action: MusicAction): Promise<void> {
    const flows: LiveFlow[] = [];
    let downloadBytes = 0;
    let requests = 0;
    let requestBytes = 0;
    const startUs = nowUs();
    if (action.service === 'amazon_music') {
      for (let t = action.atUs; t < action.endUs; t += this.r.uniform(8, 14) * S) {
        await sleepUntil(this.runStartUs + this.clock.wallUs(t));
        const address = this.r.pick(ADDRESSES.amazonMusic);
        const size = this.r.int(350, 700) * 1024;
        try {
          const { secure, tcp } = await this.tls(HOSTS.amazonMusic, address);
          flows.push(this.flow(tcp, address, PORTS.https));
          const get = `GET /segment?bytes=${size} HTTP/1.1\r\nHost: ${HOSTS.amazonMusic}\r\n\r\n`;
          secure.write(get);
          requests++;
          requestBytes += get.length + 5 + 24; // one TLS record: header, nonce and tag

          let received = 0;
          await new Promise<void>((resolve) => {
            secure.on('data', (chunk: Buffer) => (received += chunk.length) >= size && resolve());
            secure.once('close', () => resolve());
          });
          downloadBytes += received;
          if (!tcp.destroyed) tcp.resetAndDestroy(); // the paper's Echo drops CDN connections with RSTs
        } catch (error) {
          this.warn(error);
        }
      }
    } else {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const ports = new Set<number>();
      const sockets = new Set<Socket>();
      for (let t = action.atUs, offset = 0; t < action.endUs; t += this.r.uniform(2.3, 3.8) * S) {
        await sleepUntil(this.runStartUs + this.clock.wallUs(t));
        const length = this.r.int(110, 170) * 1024;
        const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
          const request = httpGet({ host: ADDRESSES.spotifyAudio, port: PORTS.http, path: `/audio/${'5e'.repeat(20)}`, agent, headers: { host: HOSTS.spotifyAudio, range: `bytes=${offset}-${offset + length - 1}`, 'user-agent': 'Spotify/8.8.0 Linux/0 (AmazonEcho)' } }, resolve);
          request.on('socket', (socket) => {
            sockets.add(socket);
            socket.once('connect', () => ports.add(socket.localPort ?? 0));
          });
          request.on('error', reject);
        });
        requests++;
        for await (const chunk of response) downloadBytes += (chunk as Buffer).length;
        offset += length;
      }
      agent.destroy();
      // Plain HTTP: what the Echo's sockets wrote is its upload (the requests).
      for (const socket of sockets) requestBytes += socket.bytesWritten;
      for (const port of ports) flows.push({ localPort: port, dst: ADDRESSES.spotifyAudio, dstPort: PORTS.http });
    }
    this.report({ event: 'stream', service: action.service, flows, startUs, endUs: nowUs(), downloadBytes, requests, requestBytes });
  }
}
