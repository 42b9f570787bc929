// The simulated Echo's background life, whatever the person near it does: the long-lived AVS
// connection with its 41-byte heartbeat every 30 s, a metrics connection with a 28-byte heartbeat
// every 90.8 s, Spotify's sync connection (11 bytes to port 4070 every 30.8 s), a new server with a
// fresh handshake and a telemetry burst about every two minutes, unanswered SYNs to a LAN device
// on port 55443, DNS lookups and NTP. Foreground activities (echo-activities.ts) use its channels.

import { TcpFlag } from './wire-constants.js';
import { ADDRESSES, BOX, CLIENT_HELLO_LENGTHS, ECHO, HOSTS, LOCAL_DEVICE, PORTS, RECORD, RTT_US, TIMING } from './echo-profile.js';
import { tcpFrame, udpFrame, type Endpoint } from './frame-builder.js';
import type { Plan } from './scenario-plan.js';
import type { SeededRandom } from './seeded-random.js';
import { TruthRecorder, type EpisodeKind, type EpisodeRecorder } from './sim-truth.js';
import { TcpSession, type SendOptions, type SimContext } from './tcp-session.js';
import { TlsChannel } from './tls-channel.js';
import type { ClientProfile } from './tls-handshake.js';
import { dnsQuery, dnsResponse, ntpRequest, ntpResponse } from './udp-messages.js';

const S = 1_000_000;

export interface TlsConnectSpec {
  host: string;
  ip: string;
  timestamps: boolean;
  profile: ClientProfile;
  rttUs: number;
  alpn?: string[];
  /** Chance of a DNS lookup first (the Echo caches answers for a minute). */
  lookupChance?: number;
}

export class EchoDevice {
  readonly truth = new TruthRecorder();
  readonly random: SeededRandom;
  /** The current AVS channel (voice, events and the 30 s heartbeat ride on it). */
  avs: TlsChannel | undefined;
  private metrics: TlsChannel | undefined;
  spotifySync: TcpSession | undefined;
  private nextPort: number;
  private ipId: number;

  constructor(
    readonly ctx: SimContext,
    readonly plan: Plan,
    readonly options: { spotifyLinked: boolean; lossRate: number } = { spotifyLinked: true, lossRate: 0.002 },
  ) {
    this.random = ctx.random;
    this.nextPort = 33000 + this.random.int(0, 20000);
    this.ipId = this.random.int(0, 0xffff);
  }

  get queue(): SimContext['queue'] {
    return this.ctx.queue;
  }

  echoEndpoint(): Endpoint {
    const port = this.nextPort;
    this.nextPort = this.nextPort >= 60999 ? 32768 : this.nextPort + 1;
    return { mac: ECHO.mac, ip: ECHO.ip, port };
  }

  serverEndpoint(ip: string, port: number): Endpoint {
    return { mac: BOX.mac, ip, port };
  }

  /** `t`, or the end of the quiet span it falls in (plus a few seconds), so uploads stay apart. */
  afterQuiet(timeUs: number): number {
    let t = timeUs;
    for (const [start, end] of this.plan.quiet) if (t >= start && t <= end) t = end + this.random.uniform(2, 8) * S;
    return t;
  }

  start(): void {
    const t0 = this.plan.startUs;
    const q = this.queue;
    const r = this.random;
    q.at(t0 + r.uniform(0.2, 1) * S, () => this.connectAvs());
    q.at(t0 + r.uniform(2, 6) * S, () => this.ntp());
    q.at(t0 + r.uniform(4, 9) * S, () => this.connectMetrics());
    if (this.options.spotifyLinked) q.at(t0 + r.uniform(6, 12) * S, () => this.connectSpotifySync());
    q.at(t0 + r.uniform(20, 90) * S, () => this.rotate());
    q.at(t0 + r.exponential(TIMING.avsIdleEventMeanUs), () => this.avsIdleEvent());
    q.at(t0 + r.uniform(30, 240) * S, () => this.localProbes());
    q.at(t0 + r.uniform(TIMING.avsReconnectMinUs, TIMING.avsReconnectMaxUs), () => this.reconnectAvs());
  }

  /** A DNS exchange with the box, then `then` when the answer arrives. */
  lookup(host: string, ip: string, chance: number, then: () => void): void {
    if (!this.random.chance(chance)) {
      then();
      return;
    }
    const r = this.random;
    const client = this.echoEndpoint();
    const resolver = { mac: BOX.mac, ip: BOX.ip, port: PORTS.dns };
    const id = r.int(0, 0xffff);
    this.ctx.capture(this.queue.nowUs, udpFrame({ from: client, to: resolver, payload: dnsQuery(id, host), ipId: this.ipId++ }));
    this.truth.count('dns_queries');
    this.queue.after(r.uniform(2, 30) * 1000, () => {
      this.ctx.capture(this.queue.nowUs, udpFrame({ from: resolver, to: client, payload: dnsResponse(id, host, [ip], 60), ipId: r.int(0, 0xffff) }));
      this.queue.after(r.uniform(100, 900), then);
    });
  }

  /** One UDP datagram, captured now. */
  sendDatagram(from: Endpoint, to: Endpoint, payload: Uint8Array): void {
    this.ctx.capture(this.queue.nowUs, udpFrame({ from, to, payload, ipId: this.ipId++ }));
  }

  /** Looks the host up (maybe), opens TCP and TLS, and calls `onReady` with the channel. */
  connectTls(spec: TlsConnectSpec, onReady: (channel: TlsChannel) => void): void {
    const r = this.random;
    this.lookup(spec.host, spec.ip, spec.lookupChance ?? 1, () => {
      const tcp = new TcpSession(this.ctx, {
        echo: this.echoEndpoint(),
        server: this.serverEndpoint(spec.ip, PORTS.https),
        rttUs: Math.round(spec.rttUs * r.uniform(0.8, 1.25)),
        timestamps: spec.timestamps,
        echoLossRate: this.options.lossRate,
        serverLossRate: this.options.lossRate / 4,
      });
      const lengths = spec.profile === 'compact' ? CLIENT_HELLO_LENGTHS.compact : spec.timestamps ? CLIENT_HELLO_LENGTHS.avs : CLIENT_HELLO_LENGTHS.avsWithoutTimestamps;
      const channel = new TlsChannel(tcp, this.ctx, { serverName: spec.host, profile: spec.profile, alpn: spec.alpn ?? ['h2', 'http/1.1'], clientHelloLength: r.pick(lengths) });
      this.truth.count('tls_handshakes');
      channel.start(() => onReady(channel));
    });
  }

  /** Application data from the Echo, recorded in `episode`. */
  sendRecords(channel: TlsChannel, episode: EpisodeRecorder, plaintexts: number[], coalesce = false, pacing: Pick<SendOptions, 'burstSegments' | 'bytesPerSecond'> = {}): void {
    const bytes = channel.echoSends(plaintexts, { onEchoSegment: episode.onSegment, coalesce, ...pacing });
    episode.addRecords(bytes, bytes > 0 ? plaintexts.length : 0);
  }

  /** An AVS event: HTTP/2 HEADERS, the JSON body and END_STREAM, three records as the paper shows them. */
  avsEvent(channel: TlsChannel, episode: EpisodeRecorder, jsonLength: number): void {
    const r = this.random;
    const [lo, hi] = RECORD.eventHeaders;
    for (const plaintext of [r.int(lo, hi) - 24, jsonLength, RECORD.endStream - 24]) this.sendRecords(channel, episode, [plaintext]);
  }

  /** The server's answer to something: a few records, after a round trip. */
  serverReplies(channel: TlsChannel, plaintexts: number[], delayUs = channel.tcp.rttUs + this.random.uniform(2, 20) * 1000): void {
    this.queue.after(delayUs, () => channel.serverSends(plaintexts));
  }

  newEpisode(kind: EpisodeKind, channel: TlsChannel): EpisodeRecorder {
    return this.truth.episode(kind, channel.tcp.flow);
  }

  private connectAvs(): void {
    const r = this.random;
    this.connectTls({ host: HOSTS.avs, ip: r.pick(ADDRESSES.avs), timestamps: false, profile: 'avs', rttUs: RTT_US.avs, alpn: ['h2'] }, (channel) => {
      const first = this.avs === undefined;
      const previous = this.avs;
      this.avs = channel;
      // SynchronizeState and friends: what a fresh AVS connection uploads first.
      const episode = this.newEpisode('telemetry', channel);
      this.avsEvent(channel, episode, r.int(1500, 3800));
      this.serverReplies(channel, [r.int(200, 900), r.int(40, 120)]);
      if (previous) this.queue.after(r.uniform(0.5, 2) * S, () => previous.close('fin'));
      if (first) this.queue.after(r.uniform(5, 20) * S, () => this.avsPing());
    });
  }

  private reconnectAvs(): void {
    const t = this.afterQuiet(this.queue.nowUs);
    if (t > this.queue.nowUs) return this.queue.at(t, () => this.reconnectAvs());
    this.connectAvs();
    this.queue.after(this.random.uniform(TIMING.avsReconnectMinUs, TIMING.avsReconnectMaxUs), () => this.reconnectAvs());
  }

  /** The HTTP/2 PING every 30 s; about a quarter get a PING back from the server, which the Echo ACKs. */
  private avsPing(): void {
    const r = this.random;
    const channel = this.avs;
    if (channel?.isReady) {
      channel.echoSendsRecord(RECORD.avsPing, { onEchoSegment: this.truth.heartbeat('avs_ping', RECORD.avsPing, channel.tcp.flow) });
      if (r.chance(0.27)) this.queue.after(channel.tcp.rttUs + r.uniform(1, 5) * 1000, () => channel.serverSendsRecord(RECORD.avsPing));
    }
    this.queue.after(TIMING.avsPingPeriodUs + r.normal(0, 40_000, -150_000, 150_000), () => this.avsPing());
  }

  private avsIdleEvent(): void {
    const r = this.random;
    const channel = this.avs;
    const t = this.afterQuiet(this.queue.nowUs);
    if (t > this.queue.nowUs) return this.queue.at(t, () => this.avsIdleEvent());
    if (channel?.isReady) {
      const episode = this.newEpisode('event', channel);
      this.avsEvent(channel, episode, r.int(250, 330));
      if (r.chance(0.3)) this.queue.after(r.uniform(50, 300) * 1000, () => this.avsEvent(channel, episode, r.int(250, 800)));
      this.serverReplies(channel, [r.int(60, 300)]);
    }
    this.queue.after(r.exponential(TIMING.avsIdleEventMeanUs), () => this.avsIdleEvent());
  }

  private connectMetrics(): void {
    const r = this.random;
    this.connectTls({ host: HOSTS.metrics, ip: ADDRESSES.metrics, timestamps: true, profile: 'compact', rttUs: RTT_US.metrics }, (channel) => {
      this.metrics = channel;
      const episode = this.newEpisode('telemetry', channel);
      this.sendRecords(channel, episode, [r.int(120, 300), r.int(300, 1200)]);
      this.serverReplies(channel, [r.int(60, 200)]);
      this.queue.after(r.uniform(10, 60) * S, () => this.metricsPing());
    });
  }

  /** The 28-byte heartbeat; the server answers each one, and the Echo ACKs the answer. */
  private metricsPing(): void {
    const r = this.random;
    const channel = this.metrics;
    if (channel?.isReady) {
      channel.echoSendsRecord(RECORD.metricsPing, { onEchoSegment: this.truth.heartbeat('metrics', RECORD.metricsPing, channel.tcp.flow) });
      this.serverReplies(channel, [r.int(4, 20)]);
    }
    this.queue.after(TIMING.metricsPeriodUs + r.normal(0, 40_000, -150_000, 150_000), () => this.metricsPing());
  }

  private connectSpotifySync(): void {
    const r = this.random;
    this.lookup(HOSTS.spotifySync, ADDRESSES.spotifySync, 1, () => {
      const tcp = new TcpSession(this.ctx, { echo: this.echoEndpoint(), server: this.serverEndpoint(ADDRESSES.spotifySync, PORTS.spotifySync), rttUs: RTT_US.spotify, timestamps: true });
      this.spotifySync = tcp;
      tcp.open(() => {
        this.queue.after(r.uniform(1, 5) * S, () => this.spotifySyncTick());
        this.queue.after(r.uniform(60, 120) * S, () => this.spotifyServerPush());
      });
    });
  }

  /** Spotify's keep-alive: 11 bytes to port 4070, answered about 100 ms later (the paper's 77-byte DATA rows). */
  private spotifySyncTick(): void {
    const r = this.random;
    const tcp = this.spotifySync;
    if (!tcp?.isOpen) return;
    this.spotifyMessage(11, 'spotify_sync');
    this.queue.after(r.uniform(60, 120) * 1000, () => tcp.send(tcp.server, spotifyPayload(r.int(11, 40), r)));
    this.queue.after(TIMING.spotifySyncPeriodUs + r.normal(0, 60_000, -200_000, 200_000), () => this.spotifySyncTick());
  }

  private spotifyServerPush(): void {
    const tcp = this.spotifySync;
    if (!tcp?.isOpen) return;
    tcp.send(tcp.server, spotifyPayload(this.random.int(20, 90), this.random));
    this.queue.after(120 * S + this.random.normal(0, 1_000_000, -3_000_000, 3_000_000), () => this.spotifyServerPush());
  }

  /** A message on the sync connection; playback changes send larger ones (the paper's 79-377-byte rows). */
  spotifyMessage(length: number, heartbeat?: 'spotify_sync'): void {
    const tcp = this.spotifySync;
    if (!tcp?.isOpen) return;
    tcp.send(tcp.echo, spotifyPayload(length, this.random), heartbeat ? { onEchoSegment: this.truth.heartbeat(heartbeat, length, tcp.flow) } : {});
  }

  /** A new server about every two minutes: handshake, a telemetry burst, a reply, then a close. */
  private rotate(): void {
    const r = this.random;
    const t = this.afterQuiet(this.queue.nowUs);
    if (t > this.queue.nowUs) return this.queue.at(t, () => this.rotate());
    const profile: ClientProfile = r.chance(0.7) ? 'avs' : 'compact';
    this.connectTls({ host: r.pick(HOSTS.rotation), ip: r.pick(ADDRESSES.rotation), timestamps: true, profile, rttUs: RTT_US.rotation, lookupChance: 0.7 }, (channel) => {
      const episode = this.newEpisode('telemetry', channel);
      this.telemetryBurst(channel, episode, r.int(1, 10));
      if (r.chance(0.35)) this.queue.after(r.uniform(100, 350) * 1000, () => this.telemetryBurst(channel, episode, r.int(1, 4)));
      this.serverReplies(channel, Array.from({ length: r.int(1, 3) }, () => r.int(100, 3000)));
      const how = r.float();
      this.queue.after(r.uniform(3, 40) * S, () => channel.close(how < 0.3 ? 'rst' : 'fin', how > 0.75));
    });
    this.queue.after(r.uniform(TIMING.rotationMinUs, TIMING.rotationMaxUs), () => this.rotate());
  }

  /** Records as the paper's bursts after a handshake show them: mostly 1404 bytes (1475-byte frames). */
  telemetryBurst(channel: TlsChannel, episode: EpisodeRecorder, count: number): void {
    const r = this.random;
    const plaintexts = [r.int(266, 274)];
    for (let i = 0; i < count; i++) {
      const kind = r.float();
      plaintexts.push(kind < 0.5 ? RECORD.telemetryFull - 24 : kind < 0.75 ? r.int(600, 720) : r.int(20, 400));
    }
    this.sendRecords(channel, episode, plaintexts, r.chance(0.3));
  }

  /** A run of connection attempts to a LAN device that never answers: SYN, then retries after 1, 3 and 7 s. */
  private localProbes(): void {
    const r = this.random;
    const attempts = r.int(2, 6);
    for (let i = 0; i < attempts; i++) {
      const at = this.queue.nowUs + i * TIMING.localProbeAttemptGapUs + r.uniform(0, 100_000);
      this.queue.at(at, () => this.unansweredSyn());
      if (r.chance(0.3)) this.queue.at(at + r.uniform(20, 60) * 1000, () => this.unansweredSyn());
    }
    this.queue.after(r.exponential(TIMING.localProbeMeanGapUs), () => this.localProbes());
  }

  private unansweredSyn(): void {
    const r = this.random;
    const from = this.echoEndpoint();
    const to = { mac: LOCAL_DEVICE.mac, ip: LOCAL_DEVICE.ip, port: LOCAL_DEVICE.port };
    const seq = r.uint32();
    const tsOffset = r.uint32();
    const start = this.queue.nowUs;
    for (const delay of [0, ...TIMING.localProbeRetriesUs]) {
      this.queue.at(start + delay + r.uniform(0, 3000), () => {
        const options = Uint8Array.of(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7);
        new DataView(options.buffer).setUint32(8, (tsOffset + Math.floor(this.queue.nowUs / 1000)) >>> 0);
        this.ctx.capture(this.queue.nowUs, tcpFrame({ from, to, seq, ack: 0, flags: TcpFlag.SYN, window: 64240, options, ipId: this.ipId++ }));
        this.truth.count('unanswered_syns');
      });
    }
  }

  private ntp(): void {
    const r = this.random;
    this.lookup(HOSTS.ntp, ADDRESSES.ntp, 0.5, () => {
      const client = { mac: ECHO.mac, ip: ECHO.ip, port: PORTS.ntp };
      const server = this.serverEndpoint(ADDRESSES.ntp, PORTS.ntp);
      const sentUs = this.queue.nowUs;
      this.ctx.capture(sentUs, udpFrame({ from: client, to: server, payload: ntpRequest(sentUs), ipId: this.ipId++ }));
      this.truth.count('ntp_requests');
      this.queue.after(r.uniform(20, 60) * 1000, () => {
        const now = this.queue.nowUs;
        this.ctx.capture(now, udpFrame({ from: server, to: client, payload: ntpResponse(sentUs, now - 10_000, 0xc0000201), ttl: 52, ipId: r.int(0, 0xffff) }));
      });
    });
    this.queue.after(r.uniform(TIMING.ntpPeriodMinUs, TIMING.ntpPeriodMaxUs), () => this.ntp());
  }
}

/** Opaque Spotify protocol bytes; the first byte is never an ASCII capital, so nothing mistakes them for HTTP. */
export function spotifyPayload(length: number, r: SeededRandom): Uint8Array {
  const out = r.bytes(length);
  out[0] = 0x00;
  if (length > 1) out[1] = Math.min(length - 2, 0xff);
  return out;
}
