// The judge: upload episodes × mic state → alerts. Pure: it is fed packets' times and byte
// counts by the wiring point and emits contract events; it never sees payload.
//
// Episodes are tracked per destination (voice goes to one connection, so cadence is measured
// there) and overall (totals for the summary). An alert is raised at the packet that makes a
// destination's episode voice-like, if the mic evidence does not allow it, and alert_end
// follows when that episode has been quiet for EPISODE_GAP_US (upload-episode.ts).

import { isoTime } from '../time-format.js';
import { NO_MIC_SENSOR, type MicContext, type MicStateSource } from '../mic/mic-state.js';
import type { FlowTuple, JudgeEvent, Severity } from './judge-events.js';
import { REANCHOR_GAP_US, UploadEpisode } from './upload-episode.js';
import { alertMic, alertReason, continuedAfterMuteReason, verdictFor, type Verdict } from './verdict.js';
import { assessVoiceLikeness } from './voice-likeness.js';

export { NO_MIC_SENSOR, type MicStateSource } from '../mic/mic-state.js';

export interface JudgeOptions {
  mic?: MicStateSource;
  /** Uploads this long after listening ends are expected (default 30 s). */
  graceS?: number;
}

export interface JudgeCounts {
  episodes: number;
  voiceLikeEpisodes: number;
  expectedVoice: number;
  alerts: number;
  critical: number;
  warning: number;
  /** Alert latencies (alert time minus episode start), for the summary and the benchmark. */
  latenciesUs: number[];
}

const TICK_INTERVAL_US = 250_000;
/**
 * An expected upload (the Echo was listening) that goes on this long after the ring turned red
 * is a leak: the Echo stops streaming when muted, well within this.
 */
const MUTED_CONTINUATION_US = 1_000_000;

export { isoTime } from '../time-format.js';

export class Judge {
  private readonly episodes = new Map<string, UploadEpisode>();
  private overall: UploadEpisode | undefined;
  private readonly assessed = new WeakMap<UploadEpisode, Verdict>();
  private readonly mic: MicStateSource;
  private readonly graceUs: number;
  private lastTickUs = 0;
  private alertNumber = 0;
  readonly counts: JudgeCounts = { episodes: 0, voiceLikeEpisodes: 0, expectedVoice: 0, alerts: 0, critical: 0, warning: 0, latenciesUs: [] };
  /** Overall episodes seen (all destinations together): count and the largest, for the summary. */
  readonly overallStats = { episodes: 0, largestBytes: 0, longestUs: 0 };

  constructor(
    options: JudgeOptions,
    private readonly emit: (event: JudgeEvent) => void,
  ) {
    this.mic = options.mic ?? NO_MIC_SENSOR;
    this.graceUs = (options.graceS ?? 30) * 1e6;
  }

  /** Application data the Echo sent to the internet: `bytes` of payload on `flow` at `timeUs`. */
  upload(timeUs: number, flow: FlowTuple, bytes: number): void {
    this.tick(timeUs, true);
    const destination = `${flow.dst}:${flow.dstPort}`;
    // TCP/443 and QUIC (UDP/443) to the same server are different uploads.
    const key = `${flow.protocol}|${destination}`;
    let episode = this.episodes.get(key);
    if (episode && !this.assessed.has(episode) && timeUs - episode.lastUs > REANCHOR_GAP_US) {
      this.episodes.delete(key); // nothing was raised for it, so it ends silently
      episode = undefined;
    }
    if (!episode) {
      episode = new UploadEpisode(destination, timeUs);
      this.episodes.set(key, episode);
      this.counts.episodes++;
    }
    episode.add(timeUs, bytes, flow);
    if (!this.overall) {
      this.overall = new UploadEpisode('overall', timeUs);
      this.overallStats.episodes++;
    }
    this.overall.add(timeUs, bytes, flow);
    const verdict = this.assessed.get(episode);
    if (verdict === undefined) {
      if (assessVoiceLikeness(episode).voiceLike) this.decide(episode, timeUs);
    } else if (verdict === 'expected' && !episode.alertId && this.mutedFor(timeUs, MUTED_CONTINUATION_US)) {
      this.raise(episode, timeUs, 'critical', 'muted', continuedAfterMuteReason(episode.bytes, episode.durationUs, episode.destination));
    }
  }

  /** The ring has shown muted for the whole of the last `forUs`. */
  private mutedFor(timeUs: number, forUs: number): boolean {
    return this.mic.contextAt(timeUs, this.graceUs) === 'muted' && this.mic.contextAt(timeUs - forUs, this.graceUs) === 'muted';
  }

  /** Payload the other side sent to the Echo: a download keeps an upload from looking like speech. */
  download(timeUs: number, fromIp: string, fromPort: number, bytes: number, protocol: 'tcp' | 'udp' = 'tcp'): void {
    const episode = this.episodes.get(`${protocol}|${fromIp}:${fromPort}`);
    if (episode && episode.continuesAt(timeUs)) episode.downstreamBytes += bytes;
  }

  /** Ends episodes that have been quiet for longer than the gap. Call with the capture clock. */
  tick(nowUs: number, force = false): void {
    if (!force && nowUs - this.lastTickUs < TICK_INTERVAL_US) return;
    this.lastTickUs = nowUs;
    for (const [destination, episode] of this.episodes) {
      if (!episode.continuesAt(nowUs)) {
        this.episodes.delete(destination);
        this.close(episode);
      }
    }
    if (this.overall && !this.overall.continuesAt(nowUs)) this.closeOverall();
  }

  /** The capture is over: every episode ends. */
  finish(): void {
    for (const episode of this.episodes.values()) this.close(episode);
    this.episodes.clear();
    if (this.overall) this.closeOverall();
  }

  private decide(episode: UploadEpisode, tipUs: number): void {
    const evidence = {
      atStart: this.mic.contextAt(episode.startUs, this.graceUs),
      atTip: this.mic.contextAt(tipUs, this.graceUs),
      listenedMeanwhile: this.mic.listeningBetween(episode.startUs, tipUs),
    };
    const verdict = verdictFor(evidence);
    this.assessed.set(episode, verdict);
    this.counts.voiceLikeEpisodes++;
    if (verdict === 'expected') {
      this.counts.expectedVoice++;
      return;
    }
    const mic = alertMic(evidence);
    this.raise(episode, tipUs, verdict, mic, alertReason(episode.bytes, episode.durationUs, episode.destination, mic));
  }

  private raise(episode: UploadEpisode, tipUs: number, severity: Severity, mic: MicContext, reason: string): void {
    const id = `a${++this.alertNumber}-${Math.floor(episode.startUs / 1000)}`;
    episode.alertId = id;
    this.counts.alerts++;
    this.counts[severity]++;
    this.counts.latenciesUs.push(tipUs - episode.startUs);
    this.emit({
      type: 'alert',
      id,
      severity,
      time: isoTime(tipUs),
      start: isoTime(episode.startUs),
      mic,
      dst: episode.destination,
      bytes: episode.bytes,
      packets: episode.packets,
      reason,
      flow: episode.mainFlow,
    });
  }

  private close(episode: UploadEpisode): void {
    if (!episode.alertId) return;
    this.emit({ type: 'alert_end', id: episode.alertId, end: isoTime(episode.lastUs), bytes: episode.bytes, packets: episode.packets });
  }

  private closeOverall(): void {
    const overall = this.overall!;
    this.overallStats.largestBytes = Math.max(this.overallStats.largestBytes, overall.bytes);
    this.overallStats.longestUs = Math.max(this.overallStats.longestUs, overall.durationUs);
    this.overall = undefined;
  }
}
