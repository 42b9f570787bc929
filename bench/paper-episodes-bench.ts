// The judge on the paper's own captures (../shared/data/paper-dataset): every capture's
// upstream application data, judged under the ring state its context implies, with each alert
// listed. The paper's CSVs hold only what the Echo sent, with frame lengths: payload is taken as
// length − 66 (Ethernet, IPv4, TCP with timestamps), heartbeats (`syn`) are left out, and with no
// downloads in the files no threshold is raised for one. docs/judge.md quotes this output.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertEvent } from '../appliance/src/judge/judge-events.js';
import { Judge, type UploadPacket } from '../appliance/src/judge/judge.js';
import type { MicState } from '../appliance/src/mic/mic-state.js';
import { MicTimeline } from '../appliance/src/mic/mic-timeline.js';
import { sharedDataDir } from '../test/support/shared-data.js';

const HEADERS_BYTES = 66;
/** The ring state each context implies (the files' own microphone column has labelling errors: docs/design.md). */
const CONTEXT_RING: Record<string, MicState> = { microphone_mute: 'muted', no_wake_word: 'idle', music_stream: 'idle', normal_conversation: 'listening' };

const dir = sharedDataDir('paper-dataset');
if (!dir) process.exit(0);

console.log('the judge on the paper dataset (one ring state per context; alerts and the largest episode per capture)');
for (const context of Object.keys(CONTEXT_RING).sort()) {
  for (const file of readdirSync(join(dir, context)).filter((f) => f.endsWith('.csv')).sort()) {
    const lines = readFileSync(join(dir, context, file), 'utf8').trim().split('\n').slice(1);
    const alerts: AlertEvent[] = [];
    const judge = new Judge({ mic: new MicTimeline([{ timeUs: 0, state: CONTEXT_RING[context] }]) }, (e) => void (e.type === 'alert' && alerts.push(e)));
    const streams = new Map<string, number>();
    let dstNow = { dst: '', dstPort: 0 };
    const packet: UploadPacket = { timeUs: 0, bytes: 0, stream: 0, flowTuple: () => ({ protocol: 'tcp', src: 'echo', srcPort: 0, ...dstNow }) };
    let appData = 0;
    for (const line of lines) {
      const [date, length, dst, dstPort, , , , , contentType, , label] = line.split(',');
      const timeUs = Date.parse(`${date.replace(' ', 'T').slice(0, 23)}Z`) * 1000 + Number(date.slice(23, 26) || 0);
      if (!contentType.startsWith('23') || label === 'syn') {
        judge.tick(timeUs);
        continue;
      }
      const key = `${dst}:${dstPort}`;
      if (!streams.has(key)) streams.set(key, streams.size);
      dstNow = { dst, dstPort: Number(dstPort) };
      Object.assign(packet, { timeUs, bytes: Math.max(0, Number(length) - HEADERS_BYTES), stream: streams.get(key)! });
      appData += packet.bytes;
      judge.upload(packet);
    }
    judge.finish();
    const { episodes, audioLikeEpisodes, expectedAudio } = judge.counts;
    const largest = `${(judge.episodeStats.largestBytes / 1000).toFixed(1)} KB`;
    console.log(`${context}/${file} (${CONTEXT_RING[context]}): ${(appData / 1000).toFixed(1)} KB app data, ${episodes} episodes, ${audioLikeEpisodes} audio-like (${expectedAudio} expected), largest ${largest}`);
    for (const a of alerts) console.log(`  ${a.time.slice(11, 23)} ${a.severity.padEnd(8)} ${a.evidence.rule.padEnd(16)} +${Date.parse(a.time) - Date.parse(a.start)} ms  ${a.reason}`);
  }
}
