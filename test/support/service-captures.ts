// Short captures for the service tests: `uploads` speech-like uploads `spacingS` apart on one
// TLS connection, each its own episode when spaced more than the muted episode gap (10 s), so a
// muted mic gives one alert (and one alert_end) each.

import { writeFileSync } from 'node:fs';
import { PcapBuilder } from '../../appliance/src/capture/capture-writer.js';
import { LinkType } from '../../appliance/src/decode/types.js';
import type { MicState } from '../../appliance/src/mic/mic-state.js';
import { micTimelineCsv } from '../../sim/src/echo-session.js';
import type { Endpoint } from '../../sim/src/frame-builder.js';
import { TcpConversation } from '../../sim/src/tcp-conversation.js';

const S = 1_000_000;
export const ECHO: Endpoint = { mac: '44:65:0d:00:00:02', ip: '192.0.2.10', port: 42000 };
const AVS: Endpoint = { mac: '02:00:00:00:00:01', ip: '198.51.100.20', port: 443 };

/** A second Echo on the same box, for the several-Echos tests. */
export const SECOND_ECHO: Endpoint = { mac: '44:65:0d:00:00:03', ip: '192.0.2.11', port: 42001 };

type TimedFrame = { timeUs: number; frame: Uint8Array };

export function writeUploadsCapture(file: string, options: { uploads: number; spacingS: number; startUs: number }): void {
  writeFrames(file, uploadFrames(ECHO, options));
}

/** Both Echos upload the same way at the same times, each on its own connection. */
export function writeTwoEchoUploadsCapture(file: string, options: { uploads: number; spacingS: number; startUs: number }): void {
  writeFrames(file, [...uploadFrames(ECHO, options), ...uploadFrames(SECOND_ECHO, options)]);
}

function writeFrames(file: string, frames: TimedFrame[]): void {
  frames.sort((a, b) => a.timeUs - b.timeUs);
  const pcap = new PcapBuilder(LinkType.ETHERNET);
  for (const f of frames) pcap.add(f.timeUs, f.frame);
  writeFileSync(file, Buffer.concat(pcap.take()));
}

function uploadFrames(echo: Endpoint, options: { uploads: number; spacingS: number; startUs: number }): TimedFrame[] {
  const frames: TimedFrame[] = [];
  const c = new TcpConversation(echo, AVS, (timeUs, frame) => void frames.push({ timeUs, frame }));
  const t0 = options.startUs;
  c.open(t0);
  c.clientRecord(t0 + 20_000, 512, 22);
  c.serverRecord(t0 + 60_000, 2800, 22);
  for (let u = 0; u < options.uploads; u++) {
    const start = t0 + 0.3 * S + u * options.spacingS * S;
    let t = c.clientRecord(start, 5600); // the first burst: one record over four full frames
    for (const end = start + 0.6 * S; t < end; ) {
      t += 25_000;
      c.clientRecord(t, 800);
    }
  }
  return frames;
}

export function writeMicThroughout(file: string, state: MicState, fromUs: number): void {
  writeFileSync(file, micTimelineCsv([{ timeUs: fromUs, state }]));
}
