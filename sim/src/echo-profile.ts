// The numbers that make simulated traffic look like an Echo's, each with where it comes from:
// "paper" is the paper's dataset (../shared/data/paper-dataset), "pcaps" the real 2018 captures
// (../shared/data/echo-pcaps), "design" docs/design.md section 1. docs/simulator.md explains them.
// Addresses are documentation ranges only: 192.0.2.0/24 is the box's LAN, 198.51.100.0/24 and
// 203.0.113.0/24 are the "cloud".

import type { Endpoint } from './frame-builder.js';

export const ECHO: Endpoint = { mac: '44:65:0d:5e:c4:01', ip: '192.0.2.10', port: 0 };
/** The box: the Echo's gateway and DNS resolver. Cloud frames reach the Echo from its MAC. */
export const BOX = { mac: '02:e5:00:00:00:01', ip: '192.0.2.1' };
/** A device on the LAN the Echo keeps trying on port 55443 without an answer (paper: 833 SYNs). */
export const LOCAL_DEVICE = { mac: '02:e5:00:00:00:30', ip: '192.0.2.30', port: 55443 };

export const HOSTS = {
  avs: 'avs-alexa-4-na.amazon.com',
  metrics: 'device-metrics-us-2.amazon.com',
  rotation: ['api.amazonalexa.com', 'bob-dispatch-prod-na.amazon.com', 'dcape-na.amazon.com', 'msh.amazon.com', 'arcus-uswest.amazon.com', 'det-ta-g7g.amazon.com'],
  amazonMusic: 'dfqzuzzcqflbd.cloudfront.net',
  spotifyAudio: 'audio-ak-spotify-com.akamaized.net',
  spotifySync: 'gew1-dealer.spotify.com',
  ntp: 'ntp-g7g.amazon.com',
  /** Where the shaped leaks upload (bulk, and the paced part of the split leak) and the UDP relay. */
  upload: 'unagi-na.amazon.com',
  rtpRelay: 'rtp-relay-na.amazon.com',
} as const;

/** Cloud addresses: AVS front ends and the servers the Echo rotates through, then CDNs and Spotify. */
export const ADDRESSES = {
  avs: ['198.51.100.20', '198.51.100.21', '198.51.100.22'],
  metrics: '198.51.100.30',
  rotation: ['198.51.100.40', '198.51.100.41', '198.51.100.42', '198.51.100.43', '198.51.100.44', '198.51.100.45', '198.51.100.46', '198.51.100.47'],
  amazonMusic: ['203.0.113.40', '203.0.113.41'],
  spotifyAudio: '203.0.113.50',
  spotifySync: '203.0.113.60',
  ntp: '203.0.113.123',
  upload: '198.51.100.60',
  rtpRelay: '203.0.113.70',
} as const;

export const PORTS = { https: 443, http: 80, spotifySync: 4070, dns: 53, ntp: 123, rtp: 16384 } as const;

const S = 1_000_000;

export const TIMING = {
  /** paper: the 100-byte heartbeat every 30,002 ms; pcaps: every 30 s. */
  avsPingPeriodUs: 30.002 * S,
  /** paper: the 99-byte heartbeat every 90,820 ms. */
  metricsPeriodUs: 90.82 * S,
  /** paper: 11-byte DATA to port 4070 every 30.7-30.9 s. */
  spotifySyncPeriodUs: 30.8 * S,
  /** paper: "Echo changes server every 2 minutes"; about 40 handshakes an hour in its quiet contexts. */
  rotationMinUs: 50 * S,
  rotationMaxUs: 130 * S,
  /** paper: the AVS heartbeat server changes every 40-90 minutes within one capture. */
  avsReconnectMinUs: 40 * 60 * S,
  avsReconnectMaxUs: 90 * 60 * S,
  /** paper: an event triple on the AVS connection about 17 times an hour while idle. */
  avsIdleEventMeanUs: 210 * S,
  /** paper: SYNs to port 55443 come in runs, 20 s apart, retried after 1, 2 and 4 s. */
  localProbeMeanGapUs: 10 * 60 * S,
  localProbeRetriesUs: [1 * S, 3 * S, 7 * S],
  localProbeAttemptGapUs: 20 * S,
  ntpPeriodMinUs: 9 * 60 * S,
  ntpPeriodMaxUs: 17 * 60 * S,
} as const;

/** Round-trip times from the AP, per destination kind. */
export const RTT_US = { avs: 60_000, rotation: 120_000, metrics: 45_000, cdn: 25_000, spotify: 35_000, upload: 70_000 } as const;

export const RECORD = {
  /** design/paper: an HTTP/2 PING (17 bytes) in a GCM record: 41, a 100-byte frame without timestamps. */
  avsPing: 41,
  /** paper: the 99-byte heartbeat frame, with timestamps. */
  metricsPing: 28,
  /** paper: AVS events are three records: HEADERS (~294), the JSON body, and END_STREAM (33). */
  eventHeaders: [290, 298] as const,
  endStream: 33,
  /** paper: records of 1404 (1475-byte frames) dominate the bursts after a handshake. */
  telemetryFull: 1404,
} as const;

/** paper: ClientHello records of 427 and 430 bytes (frames 498/501), 414 without timestamps; 202 for the compact stack. */
export const CLIENT_HELLO_LENGTHS = { avs: [427, 430], avsWithoutTimestamps: [414], compact: [202] } as const;

export type Codec = 'opus' | 'lpcm';

export interface CodecSpec {
  /** Audio bytes per second. */
  audioBytesPerSecond: number;
  /** One HTTP/2 DATA frame per 20 ms audio frame. */
  frameUs: number;
  /** The record's plaintext: the audio frame plus the 9-byte HTTP/2 frame header. */
  recordPlaintext: number;
}

/**
 * Opus at 32 kbit/s (design: "about 4 KB/s") gives 80-byte frames: 113-byte records, the paper's
 * 172-byte frames every ~20 ms (3,433 of its 4,813 `expected` rows). LPCM is 16 kHz, 16-bit mono.
 */
export const CODECS: Record<Codec, CodecSpec> = {
  opus: { audioBytesPerSecond: 4000, frameUs: 20_000, recordPlaintext: 80 + 9 },
  lpcm: { audioBytesPerSecond: 32000, frameUs: 20_000, recordPlaintext: 640 + 9 },
};

/** The paper's example requests (section 5), with how many words each takes to say. */
export const REQUESTS = [
  { utterance: 'How is the weather today?', words: 5, answerSeconds: 6.5, extraEvents: 0 },
  { utterance: 'When does Liverpool play?', words: 4, answerSeconds: 5, extraEvents: 0 },
  { utterance: 'Add milk to the shopping list.', words: 6, answerSeconds: 2.5, extraEvents: 2 },
  { utterance: 'How much is 20 + 20?', words: 6, answerSeconds: 2, extraEvents: 0 },
] as const;

/** Seconds of audio the Echo streams for a request: wake word, words at ~2.6/s, end-pointing. */
export function speechSeconds(words: number): number {
  return 0.7 + words * 0.38 + 0.7;
}
