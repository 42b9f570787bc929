// Whether an upload episode could carry speech, decided as soon as the evidence is in (the
// alert must be raised within a second of the episode's first packet).
//
// Calibrated on real traffic (docs/judge.md has the figures):
// - Echo voice commands (echo-pcaps): a burst of full-size frames, then records every 20-70 ms;
//   25-27 KB and 20+ speech-paced records in the first second, 30-70 KB in all.
// - The paper's normal conversations: 66-231 speech-paced records per command, 9-31 KB.
// - Not speech: heartbeats (one record every 30 s), bulk uploads while muted or idle (up to
//   265 KB, but sent in back-to-back bursts: at most 3 speech-paced records per episode), app
//   data during music (bursts 150-900 ms apart), handshakes and ACK floods (not app data).
// - Opus at 32 kbit/s (about 4 KB/s in records every 20-32 ms) must qualify: it is the slowest
//   speech earshot has to catch.

import type { UploadEpisode } from './upload-episode.js';

export const VOICE = {
  /** Speech-paced packets needed: well above the 3 seen in any non-speech episode. */
  minPacedPackets: 8,
  /** Sustained for at least this long, so one burst cannot qualify. */
  minPacedSpanUs: 150_000,
  /** Bytes in the episode so far: 0.4 s of Opus. */
  minBytes: 1_500,
  /** Paced records smaller than this are protocol chatter (window updates, pings), not audio. */
  minMeanPacedBytes: 48,
  /** An upload that mostly answers a download (music) is not someone speaking. */
  maxDownstreamRatio: 8,
} as const;

export interface VoiceAssessment {
  voiceLike: boolean;
  /** What is still missing, for diagnostics. */
  missing: string[];
}

export function assessVoiceLikeness(episode: UploadEpisode): VoiceAssessment {
  const missing: string[] = [];
  if (episode.pacedPackets < VOICE.minPacedPackets) missing.push(`paced packets ${episode.pacedPackets} < ${VOICE.minPacedPackets}`);
  if (episode.pacedSpanUs < VOICE.minPacedSpanUs) missing.push(`paced span ${(episode.pacedSpanUs / 1000).toFixed(3)} ms < ${VOICE.minPacedSpanUs / 1000} ms`);
  if (episode.bytes < VOICE.minBytes) missing.push(`bytes ${episode.bytes} < ${VOICE.minBytes}`);
  const meanPaced = episode.pacedPackets === 0 ? 0 : episode.pacedBytes / episode.pacedPackets;
  if (meanPaced < VOICE.minMeanPacedBytes) missing.push(`mean paced record ${meanPaced.toFixed(2)} B < ${VOICE.minMeanPacedBytes} B`);
  if (episode.downstreamBytes > VOICE.maxDownstreamRatio * episode.bytes) missing.push('downstream dominates (a download, not speech)');
  return { voiceLike: missing.length === 0, missing };
}
