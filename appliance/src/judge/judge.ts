// The judge: the Echo's upload episodes × mic state → alerts. Pure: it is fed packets' times and
// byte counts by the wiring point and emits contract events; it never sees payload.
//
// One episode covers the whole device (every connection and destination, TCP and UDP), from the
// first packet of a surge, so an upload that starts with a burst on one connection and goes on
// paced on another is one episode, and its latency is measured from the burst. The evidence is
// bytes over time (device-episode.ts), which no framing, chunk size, client library or transport
// escapes; docs/judge.md has the thresholds and the captures they were measured on.

import { DEFAULT_DEVICE_ID, GRACE_S } from '../defaults.js';
import { isoTime } from '../time-format.js';
import { NO_MIC_SENSOR, type MicContext, type MicStateSource } from '../mic/mic-state.js';
import { DeviceEpisode, type UploadPacket } from './device-episode.js';
import { DeviceRates } from './device-rates.js';
import type { AlertEvidence, EventDevice, JudgeEvent, Severity } from './judge-events.js';
import {
  AUDIO_BYTES_PER_S,
  AUDIO_DECISION_US,
  BACKGROUND_BYTES,
  DOWNLOAD_DISCOUNT,
  DOWNLOAD_DOMINANCE_RATIO,
  EPISODE_GAP_US,
  MUTED_CONTINUATION_US,
  MUTED_EPISODE_GAP_US,
  REANCHOR_GAP_US,
} from './upload-thresholds.js';
import { aboveBackgroundReason, alertMic, alertReason, continuedAfterMuteReason, destinationPhrase, verdictFor, type MicEvidence, type Verdict } from './verdict.js';

export { NO_MIC_SENSOR, type MicStateSource } from '../mic/mic-state.js';
export type { UploadPacket } from './device-episode.js';
export { isoTime } from '../time-format.js';

export interface JudgeOptions {
  mic?: MicStateSource;
  /**
   * The Echo this judge watches; its events name it. Alert ids of any Echo but the default one
   * start with its id ("bedroom-a1-..."), so ids stay unique across a box's Echos while a
   * single-device box keeps the ids it always had.
   */
  device?: { id: string; name: string };
  /** Uploads this long after listening ends are expected (default 30 s). */
  graceS?: number;
}

export interface JudgeCounts {
  episodes: number;
  /** Episodes that showed audio (volume or sustained rate), whatever the mic said. */
  audioLikeEpisodes: number;
  expectedAudio: number;
  alerts: number;
  critical: number;
  warning: number;
  /** Alert latencies (alert time minus episode start), for the summary and the benchmark. */
  latenciesUs: number[];
}

const TICK_INTERVAL_US = 250_000;

export class Judge {
  private readonly rates = new DeviceRates();
  private readonly episode = new DeviceEpisode();
  private open = false;
  /** The episode rose above the Echo's background at some point. */
  private aboveBackground = false;
  /** The verdict once the episode showed audio; undefined before. */
  private audioVerdict: Verdict | undefined;
  private backgroundWarned = false;
  private continuedAlerted = false;
  private readonly alertIds: string[] = [];
  private readonly mic: MicStateSource;
  private readonly graceUs: number;
  /** Capture time of the next quiet check: packets between checks cost one comparison. */
  private nextTickUs = 0;
  private alertNumber = 0;
  private readonly named: EventDevice;
  private readonly idPrefix: string;
  readonly counts: JudgeCounts = { episodes: 0, audioLikeEpisodes: 0, expectedAudio: 0, alerts: 0, critical: 0, warning: 0, latenciesUs: [] };
  /** Episodes above background: count and the largest, for the summary. */
  readonly episodeStats = { largestBytes: 0, longestUs: 0 };

  constructor(
    options: JudgeOptions,
    private readonly emit: (event: JudgeEvent) => void,
  ) {
    this.mic = options.mic ?? NO_MIC_SENSOR;
    this.graceUs = (options.graceS ?? GRACE_S) * 1e6;
    const device = options.device;
    this.named = device ? { device: device.id, device_name: device.name } : {};
    this.idPrefix = device && device.id !== DEFAULT_DEVICE_ID ? `${device.id}-` : '';
  }

  /** Payload the Echo sent to the internet. `packet` may be reused by the caller afterwards. */
  upload(packet: UploadPacket): void {
    const timeUs = packet.timeUs;
    const episode = this.episode;
    if (this.open && timeUs - episode.lastUs > EPISODE_GAP_US) this.settle(timeUs);
    const bar = this.thresholdFactor();
    const evidence = this.rates.add(packet, bar);
    // Before it rose above background, what came before a pause was not this surge: it ends silently.
    if (this.open && !this.aboveBackground && timeUs - episode.lastUs > REANCHOR_GAP_US) this.end();
    if (!this.open) this.begin(timeUs);
    episode.add(packet, this.rates.lastSecondBytes);
    // The background is the device's own, whatever comes down: a download raises the bar for
    // audio, but while muted more than the background is still worth a warning.
    if (evidence !== 'none' || episode.recentBytes >= BACKGROUND_BYTES) this.aboveBackground = true;
    if (this.audioVerdict === undefined) {
      if (evidence !== 'none') this.decide(evidence, timeUs);
      else if (this.aboveBackground) this.checkAboveBackground(timeUs, false);
    } else if (this.audioVerdict === 'expected') this.checkContinuedAfterMute(packet);
  }

  /** Payload the internet sent to the Echo: a download raises the bar for its upload. */
  download(timeUs: number, bytes: number): void {
    if (this.open && timeUs - this.episode.lastUs <= EPISODE_GAP_US) this.episode.downstreamBytes += bytes;
  }

  /**
   * Ends the episode once it has been quiet for longer than the gap. Call with the capture clock:
   * at most one check per TICK_INTERVAL_US of it runs, unless `force` (the service's housekeeping).
   */
  tick(nowUs: number, force = false): void {
    if (!force && nowUs < this.nextTickUs) return;
    this.nextTickUs = nowUs + TICK_INTERVAL_US;
    this.settle(nowUs);
  }

  private settle(nowUs: number): void {
    if (!this.open) return;
    const quietUs = nowUs - this.episode.lastUs;
    if (quietUs <= EPISODE_GAP_US) {
      if (this.aboveBackground && this.audioVerdict === undefined) this.checkAboveBackground(nowUs, false);
      return;
    }
    // While the ring stays red, a pause inside an upload (one above background) does not restart
    // it; a spell of any other state during the pause does (a new upload gets its own verdict).
    if (quietUs <= MUTED_EPISODE_GAP_US && this.aboveBackground && this.mic.mutedThroughout(this.episode.lastUs, nowUs)) return;
    this.end();
  }

  /** The capture is over: the episode ends. */
  finish(): void {
    if (this.open) this.end();
  }

  private begin(timeUs: number): void {
    this.episode.begin(timeUs);
    this.open = true;
    this.aboveBackground = false;
    this.audioVerdict = undefined;
    this.backgroundWarned = false;
    this.continuedAlerted = false;
    this.alertIds.length = 0;
    this.counts.episodes++;
  }

  private end(): void {
    const episode = this.episode;
    if (this.aboveBackground && this.audioVerdict === undefined) this.checkAboveBackground(episode.lastUs, true);
    this.open = false;
    if (this.aboveBackground) {
      this.episodeStats.largestBytes = Math.max(this.episodeStats.largestBytes, episode.bytes);
      this.episodeStats.longestUs = Math.max(this.episodeStats.longestUs, episode.durationUs);
    }
    for (const id of this.alertIds) this.emit({ type: 'alert_end', id, ...this.named, end: isoTime(episode.lastUs), bytes: episode.bytes, packets: episode.packets });
  }

  private micEvidence(tipUs: number): MicEvidence {
    const startUs = this.episode.startUs;
    return {
      atStart: this.mic.contextAt(startUs, this.graceUs),
      atTip: this.mic.contextAt(tipUs, this.graceUs),
      listenedMeanwhile: this.mic.listeningBetween(startUs, tipUs),
    };
  }

  private decide(evidence: 'volume' | 'sustained', tipUs: number): void {
    this.episode.reachBack(this.rates.evidenceFirstUs, this.rates.evidenceBytes);
    const mic = this.micEvidence(tipUs);
    const verdict = verdictFor(mic);
    this.audioVerdict = verdict;
    this.counts.audioLikeEpisodes++;
    if (verdict === 'expected') {
      this.counts.expectedAudio++;
      return;
    }
    const context = alertMic(mic);
    this.raise(tipUs, verdict, context, evidence, alertReason(this.episode.bytes, this.episode.durationUs, this.where(), context));
  }

  /** Muted, above background, and not audio-like by its decision time (or its end): a warning, once per episode. */
  private checkAboveBackground(tipUs: number, ending: boolean): void {
    if (this.backgroundWarned || (!ending && tipUs - this.episode.startUs < AUDIO_DECISION_US)) return;
    if (verdictFor(this.micEvidence(tipUs)) !== 'critical') return; // only the muted ring makes a non-audio upload suspect
    this.backgroundWarned = true;
    this.raise(tipUs, 'warning', 'muted', 'above-background', aboveBackgroundReason(this.episode.bytes, this.episode.durationUs, this.where()));
  }

  /** An expected upload that goes on well after the ring turned red. */
  private checkContinuedAfterMute(packet: UploadPacket): void {
    if (this.continuedAlerted) return;
    const timeUs = packet.timeUs;
    const mutedNow = this.mic.contextAt(timeUs, this.graceUs) === 'muted';
    if (!mutedNow || this.mic.contextAt(timeUs - MUTED_CONTINUATION_US, this.graceUs) !== 'muted') return;
    const episode = this.episode;
    episode.bytesSinceMuted += packet.bytes;
    // A second of the slowest audio after the Echo should have stopped, not a stray record.
    if (episode.bytesSinceMuted < AUDIO_BYTES_PER_S) return;
    this.continuedAlerted = true;
    this.raise(timeUs, 'critical', 'muted', 'continued-after-mute', continuedAfterMuteReason(episode.bytes, episode.durationUs, this.where()));
  }

  /** Every byte threshold is raised this much while a download dominates the episode. */
  private thresholdFactor(): number {
    return this.open && this.episode.downloadDominated(DOWNLOAD_DOMINANCE_RATIO) ? DOWNLOAD_DISCOUNT : 1;
  }

  private where(): string {
    const flows = this.episode.busiestFlows();
    const top = flows[0];
    return destinationPhrase(`${top.dst}:${top.dstPort}`, this.episode.connectionCount);
  }

  private raise(tipUs: number, severity: Severity, mic: MicContext, rule: AlertEvidence['rule'], reason: string): void {
    const episode = this.episode;
    const startUs = episode.startUs;
    const id = `${this.idPrefix}a${++this.alertNumber}-${Math.floor(startUs / 1000)}`;
    this.alertIds.push(id);
    this.counts.alerts++;
    this.counts[severity]++;
    this.counts.latenciesUs.push(tipUs - startUs);
    const flows = episode.busiestFlows();
    this.emit({
      type: 'alert',
      id,
      ...this.named,
      severity,
      time: isoTime(tipUs),
      start: isoTime(startUs),
      mic,
      dst: `${flows[0].dst}:${flows[0].dstPort}`,
      bytes: episode.bytes,
      packets: episode.packets,
      reason,
      flow: flows[0],
      flows,
      evidence: {
        rule,
        peak_bytes_per_s: episode.peakWindowBytes,
        mean_bytes_per_s: episode.durationUs > 0 ? Math.round((episode.bytes * 1e6) / episode.durationUs) : episode.bytes,
        downstream_ratio: Number((episode.downstreamBytes / Math.max(episode.bytes, 1)).toFixed(2)),
        connections: episode.connectionCount,
        threshold_factor: this.thresholdFactor(),
      },
    });
  }
}
