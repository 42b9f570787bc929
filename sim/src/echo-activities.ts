// What the person near the Echo makes it do: voice requests (and the leaks shaped like them), and
// music. Shapes follow the paper's normal_conversation and music_stream captures:
// - a request: HEADERS, one large record (event JSON plus the buffered wake-word audio), then one
//   audio record every ~20 ms, END_STREAM; Alexa's answer as a download (the Echo ACKs it), then
//   3-6 follow-up events;
// - Amazon Music: a new TLS connection to the CDN every ~10 s, a fast download, the ACK flood,
//   then RSTs;
// - Spotify: HTTP range requests every ~3 s on a keep-alive connection, larger sync messages on
//   port 4070 at each track change.

import { ADDRESSES, CODECS, HOSTS, PORTS, RTT_US } from './echo-profile.js';
import type { EchoDevice } from './echo-device.js';
import { audioRangeRequest, audioRangeResponseHeaders } from './http-messages.js';
import { shapedLeak } from './leak-shapes.js';
import type { MusicAction, VoiceAction } from './scenario-plan.js';
import type { EpisodeKind, StreamRecorder } from './sim-truth.js';
import { TcpSession } from './tcp-session.js';
import type { TlsChannel } from './tls-channel.js';

const S = 1_000_000;
const MS = 1000;
/** Largest TLS plaintext per record (2^14) minus a little, as servers fill their records. */
const FULL_RECORD_PLAINTEXT = 16360;
/** Opaque bytes for response bodies (sent as views, never copied per frame). */
const BODY = new Uint8Array(256 * 1024).fill(0x6d);

const EPISODE_KIND: Record<VoiceAction['purpose'], EpisodeKind> = {
  command: 'voice_command',
  muted_upload: 'muted_upload',
  misactivation: 'misactivation',
  slow_leak: 'slow_leak',
};

export function scheduleActivities(device: EchoDevice): void {
  for (const action of device.plan.actions) {
    device.queue.at(action.atUs, () => (action.kind === 'voice' ? voice(device, action, 0) : action.kind === 'leak' ? shapedLeak(device, action) : music(device, action)));
  }
}

/** A voice upload on the AVS connection; waits (up to 10 s) if that connection is being replaced. */
function voice(device: EchoDevice, action: VoiceAction, attempt: number): void {
  const channel = device.avs;
  if (!channel?.isReady) {
    if (attempt < 20) device.queue.after(500 * MS, () => voice(device, action, attempt + 1));
    return;
  }
  const r = device.random;
  const q = device.queue;
  const episode = device.truth.episode(EPISODE_KIND[action.purpose], channel.tcp.flow, { utterance: action.utterance ?? undefined, codec: action.codec, expect: action.expect });
  const codec = CODECS[action.codec];
  const start = q.nowUs + r.uniform(40, 150) * MS;
  const frames = Math.max(1, Math.round(action.speechUs / codec.frameUs));
  const stealthy = action.purpose === 'slow_leak';
  q.at(start, () => {
    if (!stealthy) {
      device.sendRecords(channel, episode, [r.int(266, 274)]);
      // The event JSON with the audio buffered since the wake word, coalesced with the first frame.
      device.sendRecords(channel, episode, [r.int(4150, 4450), codec.recordPlaintext], true);
    }
    let t = start + 5 * MS;
    let nextWindowUpdate = start + r.uniform(1.2, 2.5) * S;
    for (let i = 0; i < frames; i++) {
      // Frames leave every 20 ms; Wi-Fi aggregation bunches them (the paper: 6-36 ms apart, median 20.6).
      const nominal = start + 5 * MS + i * codec.frameUs;
      t = Math.max(t + 50, nominal + (r.chance(0.15) ? r.uniform(12, 22) * MS : r.uniform(0, 9) * MS));
      q.at(t, () => device.sendRecords(channel, episode, [codec.recordPlaintext]));
      if (!stealthy && t > nextWindowUpdate) {
        q.at(t + 200, () => device.sendRecords(channel, episode, [169]));
        nextWindowUpdate += r.uniform(1.2, 2.5) * S;
      }
    }
    const end = t + r.uniform(5, 15) * MS;
    q.at(end, () => {
      device.sendRecords(channel, episode, [35]);
      device.sendRecords(channel, episode, [9]);
    });
    if (action.answerUs > 0) answer(device, channel, action, end);
  });
}

/** Alexa's answer (directives and speech, 16-24 KB per second of it) and the follow-up events. */
function answer(device: EchoDevice, channel: TlsChannel, action: VoiceAction, uploadEndUs: number): void {
  const r = device.random;
  const q = device.queue;
  const responseAt = uploadEndUs + r.uniform(0.3, 0.9) * S;
  const bytes = Math.round(8000 + (action.answerUs / S) * r.uniform(16_000, 24_000));
  q.at(responseAt, () => channel.serverSends(recordPlaintexts(bytes), { coalesce: true, burstSegments: 12, bytesPerSecond: 1_500_000 }));
  let t = uploadEndUs + r.uniform(0.4, 1.2) * S;
  for (let i = 0; i < action.followUps; i++) {
    const at = i === action.followUps - 1 ? Math.max(t, responseAt + action.answerUs) : t;
    q.at(at, () => {
      if (!channel.isReady) return;
      const episode = device.newEpisode('follow_up', channel);
      device.avsEvent(channel, episode, r.int(380, 1150));
      device.serverReplies(channel, [r.int(40, 200)]);
    });
    t = at + r.uniform(0.2, 2.5) * S;
  }
}

function recordPlaintexts(total: number): number[] {
  const out: number[] = [];
  for (let left = total; left > 0; left -= FULL_RECORD_PLAINTEXT) out.push(Math.min(left, FULL_RECORD_PLAINTEXT));
  return out;
}

function music(device: EchoDevice, action: MusicAction): void {
  const stream = device.truth.stream(action.service);
  if (action.service === 'amazon_music') amazonFetch(device, action, stream, true);
  else spotifyConnection(device, action, stream, 0);
  // Playback events on AVS while the music plays; half carry 3-4 KB of state, records that span
  // three segments (the paper's 1494-byte continuation rows during Spotify streaming).
  const report = (): void => {
    if (device.queue.nowUs >= action.endUs) return;
    const r = device.random;
    const channel = device.avs;
    if (channel?.isReady) {
      const episode = device.newEpisode('event', channel);
      device.avsEvent(channel, episode, r.chance(0.5) ? r.int(2900, 4300) : r.int(300, 900));
    }
    device.queue.after(r.uniform(15, 60) * S, report);
  };
  device.queue.after(device.random.uniform(1, 3) * S, report);
}

/** One audio segment from the CDN: a new TLS connection, the request, a fast download, then RSTs. */
function amazonFetch(device: EchoDevice, action: MusicAction, stream: StreamRecorder, first: boolean): void {
  const r = device.random;
  const q = device.queue;
  if (q.nowUs >= action.endUs) return;
  const ip = r.pick(ADDRESSES.amazonMusic);
  device.connectTls({ host: HOSTS.amazonMusic, ip, timestamps: true, profile: r.chance(0.5) ? 'compact' : 'avs', rttUs: RTT_US.cdn, lookupChance: first ? 1 : 0.2 }, (channel) => {
    stream.flows.push(channel.tcp.flow);
    stream.sessions.push(channel.tcp.stats);
    const request = [r.int(250, 330)];
    if (r.chance(0.6)) request.push(r.chance(0.5) ? 1380 : r.int(600, 720));
    channel.echoSends(request, { onEchoSegment: stream.onSegment });
    const size = Math.round(r.uniform(350, 700) * 1024);
    stream.downloadBytes += size;
    q.after(channel.tcp.rttUs + r.uniform(5, 30) * MS, () => {
      channel.serverSends(recordPlaintexts(size), { coalesce: true, burstSegments: 16, bytesPerSecond: r.uniform(1.2e6, 2e6) });
      const end = channel.serverEnd;
      channel.tcp.whenReceived(channel.tcp.echo, end, () =>
        q.after(r.uniform(0.3, 2) * S, () => {
          const how = r.float();
          if (how < 0.55) channel.closeCrossing();
          else channel.close(how < 0.8 ? 'fin' : 'rst', how < 0.8);
        }),
      );
    });
  });
  q.after(r.uniform(8, 14) * S, () => amazonFetch(device, action, stream, false));
}

/** A keep-alive HTTP connection to the CDN; a new one at each track change (the old one gets a RST). */
function spotifyConnection(device: EchoDevice, action: MusicAction, stream: StreamRecorder, track: number): void {
  const r = device.random;
  const q = device.queue;
  if (q.nowUs >= action.endUs) return;
  device.lookup(HOSTS.spotifyAudio, ADDRESSES.spotifyAudio, track === 0 ? 1 : 0.3, () => {
    const tcp = new TcpSession(device.ctx, { echo: device.echoEndpoint(), server: device.serverEndpoint(ADDRESSES.spotifyAudio, PORTS.http), rttUs: RTT_US.spotify, timestamps: true, echoLossRate: 0.001, serverLossRate: 0.0005 });
    stream.flows.push(tcp.flow);
    stream.sessions.push(tcp.stats);
    const fileId = Array.from(r.bytes(20), (b) => b.toString(16).padStart(2, '0')).join('');
    const total = r.int(7, 12) * 1024 * 1024;
    const trackEnds = q.nowUs + r.uniform(150, 260) * S;
    for (const length of [13, r.pick([102, 103]), r.pick([186, 189]), r.pick([273, 311])]) q.after(r.uniform(0, 400) * MS, () => device.spotifyMessage(length));
    let offset = 0;
    let requests = 0;
    const get = (): void => {
      if (!tcp.isOpen) return;
      const now = q.nowUs;
      if (now >= action.endUs || now >= trackEnds || offset >= total) {
        tcp.reset(tcp.echo);
        if (now < action.endUs) q.after(r.uniform(0.2, 1.5) * S, () => spotifyConnection(device, action, stream, track + 1));
        return;
      }
      // Buffering at the start fetches small ranges back to back; then one range every ~3 s.
      const buffering = requests < 5;
      const length = Math.min(total - offset, buffering ? r.int(24, 64) * 1024 : r.int(110, 170) * 1024);
      const request = audioRangeRequest({ host: HOSTS.spotifyAudio, fileId, rangeStart: offset, rangeEnd: offset + length - 1, length: r.int(452, 460) });
      tcp.send(tcp.echo, request, { onEchoSegment: stream.onSegment });
      const headers = audioRangeResponseHeaders(offset, length, total, new Date(Math.floor(now / 1000)));
      offset += length;
      requests++;
      stream.downloadBytes += length;
      q.after(tcp.rttUs + r.uniform(2, 15) * MS, () => {
        tcp.send(tcp.server, headers, { push: false });
        let end = 0;
        for (let sent = 0; sent < length; sent += BODY.length) {
          end = tcp.send(tcp.server, BODY.subarray(0, Math.min(BODY.length, length - sent)), { burstSegments: 14, bytesPerSecond: r.uniform(1.5e6, 3e6) });
        }
        tcp.whenReceived(tcp.echo, end, () => q.at(Math.max(q.nowUs + r.uniform(5, 60) * MS, now + (buffering ? 0 : r.uniform(2.3, 3.8) * S)), get));
      });
    };
    tcp.open(() => q.after(r.uniform(2, 20) * MS, get));
  });
}
