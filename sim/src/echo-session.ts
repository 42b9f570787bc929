// Generated Echo sessions for the demo and the benchmark, built from the facts in design.md
// section 1: heartbeats (41-byte records every 30 s, 28-byte every 90.8 s), a voice command as a
// burst then records every 20-32 ms, responses with ACK floods, and uploads that must alert.
// The full simulator (scenarios, live mode) grows from this.

import { LinkType } from './wire-constants.js';
import type { MicChange } from './mic-plan.js';
import { PcapBuilder } from '../../appliance/src/capture/capture-writer.js';
import type { Endpoint } from './frame-builder.js';
import { TcpConversation } from './tcp-conversation.js';
export { mulberry32 } from './seeded-random.js';
import { mulberry32 } from './seeded-random.js';

export interface TimedFrame {
  timeUs: number;
  frame: Uint8Array;
}

export interface GeneratedSession {
  frames: TimedFrame[];
  mic: MicChange[];
  echo: Endpoint;
}

export const DEMO_ECHO: Endpoint = { mac: '44:65:0d:12:34:56', ip: '192.0.2.10', port: 40000 };
const AVS: Endpoint = { mac: '02:00:00:00:00:01', ip: '198.51.100.20', port: 443 };
const MUSIC: Endpoint = { mac: '02:00:00:00:00:01', ip: '203.0.113.30', port: 443 };

const S = 1_000_000;


/**
 * Actions run in time order, so sequence numbers advance the way time does even when a heartbeat
 * falls in the middle of an upload on the same connection.
 */
class SessionBuilder {
  readonly frames: TimedFrame[] = [];
  private readonly actions: { timeUs: number; order: number; run: () => void }[] = [];
  private nextPort = DEMO_ECHO.port;
  readonly emit = (timeUs: number, frame: Uint8Array): void => void this.frames.push({ timeUs, frame });

  at(timeUs: number, run: () => void): void {
    this.actions.push({ timeUs, order: this.actions.length, run });
  }

  connect(server: Endpoint, timeUs: number): { conversation: TcpConversation; readyUs: number } {
    const client = { ...DEMO_ECHO, port: this.nextPort++ };
    const conversation = new TcpConversation(client, server, this.emit, 40_000, (this.nextPort * 2654435761) >>> 0);
    let t = conversation.open(timeUs);
    t = conversation.clientRecord(t + 1000, 512, 22); // ClientHello
    t = conversation.serverSends(t + 20_000, concatRecords([[22, 2800], [20, 1], [22, 40]]));
    t = conversation.clientSends(t + 20_000, concatRecords([[20, 1], [22, 40]]));
    return { conversation, readyUs: t + 20_000 };
  }

  runActions(): void {
    this.actions.sort((a, b) => a.timeUs - b.timeUs || a.order - b.order);
    for (const action of this.actions) action.run();
    this.actions.length = 0;
  }

  sorted(): TimedFrame[] {
    this.runActions();
    return this.frames.sort((a, b) => a.timeUs - b.timeUs);
  }
}

function concatRecords(records: [number, number][]): Uint8Array {
  const total = records.reduce((n, [, len]) => n + 5 + len, 0);
  const out = new Uint8Array(total).fill(0xa5);
  let offset = 0;
  for (const [type, len] of records) {
    out.set([type, 3, 3, len >> 8, len & 0xff], offset);
    offset += 5 + len;
  }
  return out;
}

function heartbeats(builder: SessionBuilder, conversation: TcpConversation, fromUs: number, toUs: number): void {
  for (let t = fromUs; t < toUs; t += 30 * S) {
    const at = t;
    builder.at(at, () => conversation.clientRecord(at, 41));
    builder.at(at + 60_000, () => conversation.serverRecord(at + 60_000, 33));
  }
  for (let t = fromUs + 7 * S; t < toUs; t += 90.8 * S) {
    const at = t;
    builder.at(at, () => conversation.clientRecord(at, 28));
  }
}

/** An upload like a voice command: a first burst, then one record every 20-32 ms. Returns its end. */
function voiceUpload(builder: SessionBuilder, conversation: TcpConversation, startUs: number, seconds: number, bytesPerSecond: number, random: () => number): number {
  builder.at(startUs, () => conversation.clientSends(startUs, concatRecords([[23, 4000], [23, 4000]])));
  const endUs = startUs + seconds * S;
  let t = startUs + 5000;
  while (t < endUs) {
    const gapUs = (20 + random() * 12) * 1000;
    t += gapUs;
    const at = t;
    const length = Math.max(40, Math.round((bytesPerSecond * gapUs) / S));
    builder.at(at, () => conversation.clientRecord(at, length));
  }
  return t;
}

function download(builder: SessionBuilder, conversation: TcpConversation, timeUs: number, recordLength: number, gapUs: number): void {
  builder.at(timeUs, () => conversation.serverSends(timeUs, concatRecords([[23, recordLength]]), gapUs));
}

/** The demo: five minutes with a wanted command, a muted upload and a misactivation. */
export function demoSession(startUs = Date.UTC(2026, 0, 15, 12, 0, 0) * 1000, seed = 7): GeneratedSession {
  const random = mulberry32(seed);
  const builder = new SessionBuilder();
  const end = startUs + 300 * S;
  const avs = builder.connect(AVS, startUs + 1 * S);
  const c = avs.conversation;
  heartbeats(builder, c, avs.readyUs + 2 * S, end);

  // 60-67 s: "Alexa, how is the weather today?" and the spoken answer.
  const commandEnd = voiceUpload(builder, c, startUs + 61 * S, 4, 32_000, random);
  for (let i = 0; i < 6; i++) download(builder, c, commandEnd + 200_000 + i * 150_000, 16000, 300);
  builder.at(commandEnd + 2.5 * S, () => c.clientRecord(commandEnd + 2.5 * S, 900)); // follow-up event in the grace period

  // 160 s, mic muted: an upload that should never happen.
  voiceUpload(builder, c, startUs + 160 * S, 6, 4_000, random);
  // 240 s, mic idle: a voice-size upload without a wake word.
  voiceUpload(builder, c, startUs + 240 * S, 3, 32_000, random);

  const at = (s: number): number => startUs + s * S;
  const mic: MicChange[] = [
    { timeUs: at(0), state: 'idle' },
    { timeUs: at(60), state: 'listening' },
    { timeUs: at(67), state: 'idle' },
    { timeUs: at(140), state: 'muted' },
    { timeUs: at(200), state: 'idle' },
  ];
  return { frames: builder.sorted(), mic, echo: DEMO_ECHO };
}

/**
 * A long session for the benchmark: music streaming (large downloads, an ACK flood upstream),
 * heartbeats, and voice commands, until at least `minPackets` frames exist.
 */
export function benchmarkSession(minPackets: number, startUs = Date.UTC(2026, 0, 15, 12, 0, 0) * 1000, seed = 11): GeneratedSession {
  const random = mulberry32(seed);
  const builder = new SessionBuilder();
  let t = startUs;
  while (builder.frames.length < minPackets) {
    const avs = builder.connect(AVS, t);
    const music = builder.connect(MUSIC, t + 2 * S);
    heartbeats(builder, avs.conversation, avs.readyUs + S, t + 118 * S);
    voiceUpload(builder, avs.conversation, t + 10 * S, 4, 32_000, random);
    for (let chunk = 0; chunk < 400; chunk++) download(builder, music.conversation, music.readyUs + chunk * 250_000, 16000, 200);
    const closeAt = t + 119 * S;
    builder.at(closeAt, () => avs.conversation.close(closeAt));
    builder.at(closeAt + S / 2, () => music.conversation.close(closeAt + S / 2));
    builder.runActions(); // run this window's actions so the frame count is known
    t += 120 * S; // the Echo changes server about every two minutes
  }
  return { frames: builder.sorted(), mic: [{ timeUs: startUs, state: 'idle' }], echo: DEMO_ECHO };
}

export function sessionToPcap(session: GeneratedSession): Uint8Array[] {
  const pcap = new PcapBuilder(LinkType.ETHERNET);
  for (const { timeUs, frame } of session.frames) pcap.add(timeUs, frame);
  return pcap.take();
}

export function micTimelineCsv(changes: readonly MicChange[]): string {
  return 'time,state\n' + changes.map((c) => `${new Date(c.timeUs / 1000).toISOString()},${c.state}`).join('\n') + '\n';
}
