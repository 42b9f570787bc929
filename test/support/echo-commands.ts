// Ground truth for the real Echo captures, found with tshark rather than earshot's own code so
// the judge is not graded by itself: a voice command is a cluster of the Echo's upstream TLS
// application data with at least 8 KB inside one second; it starts at the first record after a
// lull of half a second. Each capture holds one command spoken five times, so the five largest
// such clusters are the commands; smaller ones are follow-up listens and bulk uploads. Some
// commands begin with a pre-roll burst on another connection 1.7-3.1 s before the paced stream:
// an outside observer's upload starts there, so a burst up to 4 s before becomes its start.

import { execFileSync } from 'node:child_process';

const ECHO = '10.63.7.79';
const BURST_BYTES = 8000;
const LULL_S = 0.5;
const SEPARATION_S = 10;
const PREROLL_S = 4;

export interface EchoCommand {
  /** Capture time of the command upload's first record, in microseconds since the epoch. */
  startUs: number;
  bytesInFirstSecond: number;
}

export function echoCommands(capture: string, expected = 5): EchoCommand[] {
  const out = execFileSync(
    'tshark',
    ['-r', capture, '-Y', `ip.src==${ECHO} && tls.record.content_type==23 && tcp.dstport==443`, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'tcp.len'],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const records = out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t').map(Number) as [number, number]);
  const candidates: EchoCommand[] = [];
  for (let i = 0; i < records.length; i++) {
    const [time] = records[i];
    if (i > 0 && time - records[i - 1][0] < LULL_S) continue;
    let bytes = 0;
    for (let j = i; j < records.length && records[j][0] - time <= 1; j++) bytes += records[j][1];
    if (bytes >= BURST_BYTES) candidates.push({ startUs: Math.round(time * 1e6), bytesInFirstSecond: bytes });
  }
  // Largest first, each at least SEPARATION_S from those already taken.
  const commands: EchoCommand[] = [];
  for (const candidate of candidates.sort((a, b) => b.bytesInFirstSecond - a.bytesInFirstSecond)) {
    if (commands.length === expected) break;
    if (commands.every((c) => Math.abs(c.startUs - candidate.startUs) >= SEPARATION_S * 1e6)) commands.push(candidate);
  }
  for (const command of commands) {
    const preRoll = candidates.filter((c) => c.startUs < command.startUs && c.startUs >= command.startUs - PREROLL_S * 1e6);
    if (preRoll.length > 0) command.startUs = Math.min(...preRoll.map((c) => c.startUs));
  }
  return commands.sort((a, b) => a.startUs - b.startUs);
}
