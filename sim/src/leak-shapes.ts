// The shaped leaks of the offline simulator (issue 14): uploads while muted that carry audio by
// their volume or rate, framed like no Echo client. A bulk upload at link speed on a new
// connection, 16 KB bursts once a second on AVS, an RTP-like UDP stream, and a pre-roll burst on
// AVS that goes on paced on a new connection to another server. Each is one truth episode from
// its first application byte to its last, on every flow it used.

import { ADDRESSES, HOSTS, PORTS, RTT_US } from './echo-profile.js';
import type { EchoDevice } from './echo-device.js';
import type { LeakAction } from './scenario-plan.js';
import type { EpisodeRecorder } from './sim-truth.js';
import type { TlsChannel } from './tls-channel.js';

const S = 1_000_000;
const MS = 1000;
/** TLS's largest plaintext: a client writing a big buffer fills its records to it. */
const MAX_RECORD_PLAINTEXT = 16_384;
/** An HTTP/2 HEADERS record opening a request, and END_STREAM closing it (as the voice uploads have them). */
const HEADERS_PLAINTEXT: [number, number] = [266, 274];
const END_STREAM_PLAINTEXT = 9;
/** "Unthrottled": as fast as the Echo's Wi-Fi and TCP let it, in bursts of ten segments. */
const LINK_BYTES_PER_SECOND: [number, number] = [1.2e6, 2.5e6];

type Action<K extends LeakAction['shape']> = Extract<LeakAction, { shape: K }>;

export function shapedLeak(device: EchoDevice, action: LeakAction): void {
  switch (action.shape) {
    case 'bulk':
      return bulk(device, action);
    case 'burst':
      return whenAvsReady(device, (avs) => bursts(device, avs, action));
    case 'udp':
      return udp(device, action);
    case 'split':
      return whenAvsReady(device, (avs) => split(device, avs, action));
  }
}

/** Runs `run` with the AVS channel; waits (up to 10 s) while that connection is being replaced. */
function whenAvsReady(device: EchoDevice, run: (avs: TlsChannel) => void, attempt = 0): void {
  const channel = device.avs;
  if (channel?.isReady) return run(channel);
  if (attempt < 20) device.queue.after(500 * MS, () => whenAvsReady(device, run, attempt + 1));
}

function recordsOf(total: number): number[] {
  const out: number[] = [];
  for (let left = total; left > 0; left -= MAX_RECORD_PLAINTEXT) out.push(Math.min(left, MAX_RECORD_PLAINTEXT));
  return out;
}

function linkRate(device: EchoDevice): { burstSegments: number; bytesPerSecond: number } {
  return { burstSegments: 10, bytesPerSecond: device.random.uniform(...LINK_BYTES_PER_SECOND) };
}

function connectUpload(device: EchoDevice, onReady: (channel: TlsChannel) => void): void {
  device.connectTls({ host: HOSTS.upload, ip: ADDRESSES.upload, timestamps: true, profile: 'avs', rttUs: RTT_US.upload }, onReady);
}

/** The server's 200 after the upload, then the Echo closes the connection a few seconds later. */
function finish(device: EchoDevice, channel: TlsChannel, afterUs: number): void {
  const r = device.random;
  device.queue.after(afterUs, () => {
    channel.serverSends([r.int(60, 200)]);
    device.queue.after(r.uniform(2, 8) * S, () => channel.close('fin'));
  });
}

function bulk(device: EchoDevice, action: Action<'bulk'>): void {
  const r = device.random;
  connectUpload(device, (channel) => {
    const episode = device.truth.episode('bulk_leak', channel.tcp.flow, { expect: action.expect });
    device.sendRecords(channel, episode, [r.int(...HEADERS_PLAINTEXT)]);
    const pacing = linkRate(device);
    device.sendRecords(channel, episode, recordsOf(action.bytes), true, pacing);
    finish(device, channel, (action.bytes / pacing.bytesPerSecond) * S + channel.tcp.rttUs + r.uniform(20, 80) * MS);
  });
}

function bursts(device: EchoDevice, avs: TlsChannel, action: Action<'burst'>): void {
  const r = device.random;
  const q = device.queue;
  const episode = device.truth.episode('burst_leak', avs.tcp.flow, { expect: action.expect });
  const start = q.nowUs;
  device.sendRecords(avs, episode, [r.int(...HEADERS_PLAINTEXT)]);
  for (let i = 0; i < action.bursts; i++) {
    q.at(start + 2 * MS + i * action.periodUs + r.uniform(0, 30) * MS, () => device.sendRecords(avs, episode, recordsOf(action.burstBytes), true, linkRate(device)));
  }
  q.at(start + action.bursts * action.periodUs, () => device.sendRecords(avs, episode, [END_STREAM_PLAINTEXT]));
}

/** RTP: version 2, a dynamic payload type, sequence, timestamp (8 kHz clock) and SSRC, then the audio. */
function rtpPacket(length: number, sequence: number, timestamp: number, ssrc: number, first: boolean): Uint8Array {
  const packet = new Uint8Array(length).fill(0xd5);
  const view = new DataView(packet.buffer);
  packet[0] = 0x80;
  packet[1] = (first ? 0x80 : 0) | 111;
  view.setUint16(2, sequence & 0xffff);
  view.setUint32(4, timestamp >>> 0);
  view.setUint32(8, ssrc >>> 0);
  return packet;
}

function udp(device: EchoDevice, action: Action<'udp'>): void {
  const r = device.random;
  const q = device.queue;
  device.lookup(HOSTS.rtpRelay, ADDRESSES.rtpRelay, 1, () => {
    const echo = device.echoEndpoint();
    const relay = device.serverEndpoint(ADDRESSES.rtpRelay, PORTS.rtp);
    const episode = device.truth.episode('udp_leak', { protocol: 'udp', src: echo.ip, srcPort: echo.port, dst: relay.ip, dstPort: relay.port }, { expect: action.expect });
    const ssrc = r.uint32();
    const firstSequence = r.int(0, 0xffff);
    const firstTimestamp = r.uint32();
    const start = q.nowUs;
    const count = Math.round(action.durationUs / action.periodUs);
    let t = start;
    for (let i = 0; i < count; i++) {
      t = Math.max(t + 100, start + i * action.periodUs + r.uniform(0, 4) * MS);
      const length = r.int(action.minDatagram, action.maxDatagram);
      const payload = rtpPacket(length, firstSequence + i, firstTimestamp + i * 160, ssrc, i === 0);
      q.at(t, () => {
        device.sendDatagram(echo, relay, payload);
        episode.onSegment(q.nowUs, false, length);
        episode.addRecords(length, 1);
      });
    }
    // The relay's RTCP receiver reports, multiplexed on the same port (RFC 5761), about once a second.
    for (let at = start + r.uniform(0.8, 1.2) * S; at < t; at += r.uniform(0.8, 1.2) * S) {
      q.at(at, () => device.sendDatagram(relay, echo, new Uint8Array(52).fill(0x81)));
    }
  });
}

function split(device: EchoDevice, avs: TlsChannel, action: Action<'split'>): void {
  const r = device.random;
  const q = device.queue;
  const episode: EpisodeRecorder = device.truth.episode('split_leak', avs.tcp.flow, { expect: action.expect });
  const start = q.nowUs;
  // The pre-roll: the event and the audio buffered since the wake word, in one write.
  device.sendRecords(avs, episode, [r.int(...HEADERS_PLAINTEXT)]);
  device.sendRecords(avs, episode, recordsOf(action.burstBytes), true, linkRate(device));
  q.after(r.uniform(40, 90) * MS, () => device.sendRecords(avs, episode, [END_STREAM_PLAINTEXT]));
  connectUpload(device, (channel) => {
    // Starts `gapUs` after the burst, or when the connection is ready if that is later.
    q.at(Math.max(q.nowUs, start + action.gapUs), () => {
      episode.addFlow(channel.tcp.flow);
      const pacedStart = q.nowUs;
      device.sendRecords(channel, episode, [r.int(...HEADERS_PLAINTEXT)]);
      // Each record is an HTTP/2 DATA frame: the audio plus its 9-byte header, as the voice uploads send.
      const frames = Math.round(action.pacedUs / action.periodUs);
      let t = pacedStart;
      for (let i = 0; i < frames; i++) {
        t = Math.max(t + 50, pacedStart + 5 * MS + i * action.periodUs + r.uniform(0, 6) * MS);
        q.at(t, () => device.sendRecords(channel, episode, [action.pacedBytes + 9]));
      }
      q.at(t + r.uniform(5, 15) * MS, () => device.sendRecords(channel, episode, [END_STREAM_PLAINTEXT]));
      finish(device, channel, t - pacedStart + channel.tcp.rttUs + r.uniform(50, 200) * MS);
    });
  });
}
