// The mic state decides what an audio-like upload means (design.md section 4, "Verdict
// semantics"), and the reason says it in words a person can act on.

import type { MicContext } from '../mic/mic-state.js';
import type { Severity } from './judge-events.js';

export type Verdict = Severity | 'expected';

/** What the mic did around an episode, as far as the judge can know at the tipping packet. */
export interface MicEvidence {
  /** Context at the episode's first packet. */
  atStart: MicContext;
  /** Context at the packet that showed audio. */
  atTip: MicContext;
  /** The ring showed `listening` at some point between the two. */
  listenedMeanwhile: boolean;
}

export function verdictFor(mic: MicEvidence): Verdict {
  const { atStart, atTip } = mic;
  if (mic.listenedMeanwhile || atStart === 'listening' || atStart === 'grace' || atTip === 'listening' || atTip === 'grace') return 'expected';
  if (atStart === 'muted' || atTip === 'muted') return 'critical';
  // idle: a possible misactivation; unknown: at most a warning, since we cannot tell.
  return 'warning';
}

/** The mic context reported with the alert: the most telling of the two readings. */
export function alertMic(mic: MicEvidence): MicContext {
  if (mic.atStart === 'muted' || mic.atTip === 'muted') return 'muted';
  if (mic.atStart === 'unknown' && mic.atTip === 'unknown') return 'unknown';
  return mic.atTip === 'unknown' ? mic.atStart : mic.atTip;
}

export function formatKilobytes(bytes: number): string {
  const kb = bytes / 1000;
  // Decide on the rounded value, so 9,960 B reads "10 KB" like 10,000 B does.
  return Number(kb.toFixed(1)) >= 10 ? `${Math.round(kb)} KB` : `${kb.toFixed(1)} KB`;
}

/** Where an episode went: its busiest destination, and how many other connections it used. */
export function destinationPhrase(destination: string, connections: number): string {
  if (connections <= 1) return `to ${destination}`;
  return `to ${destination} and ${connections - 1} other connection${connections === 2 ? '' : 's'}`;
}

/** "uploaded 212 KB in 3.1 s to … while the microphone was muted, not shaped like audio" */
export function aboveBackgroundReason(bytes: number, durationUs: number, where: string): string {
  return `uploaded ${formatKilobytes(bytes)} in ${(durationUs / 1e6).toFixed(1)} s ${where} while the microphone was muted, not shaped like audio`;
}

/** An expected upload that goes on after the mute button was pressed. */
export function continuedAfterMuteReason(bytes: number, durationUs: number, where: string): string {
  return `uploaded ${formatKilobytes(bytes)} in ${(durationUs / 1e6).toFixed(1)} s ${where} and kept uploading after the microphone was muted`;
}

const MIC_PHRASES: Record<MicContext, string> = {
  muted: 'while the microphone was muted',
  idle: 'while the microphone was on but the Echo was not listening (no wake word)',
  unknown: 'while the microphone state was unknown (no ring sensor or timeline: connect one to tell muted from idle)',
  listening: 'while the Echo was listening',
  grace: 'just after the Echo listened',
};

/** "uploaded 38 KB in 4.2 s to 52.46.136.99:443 while the microphone was muted" */
export function alertReason(bytes: number, durationUs: number, where: string, mic: MicContext): string {
  return `uploaded ${formatKilobytes(bytes)} in ${(durationUs / 1e6).toFixed(1)} s ${where} ${MIC_PHRASES[mic]}`;
}
