// What the status page shows, as plain values: the upstream-rate history behind the chart, the
// alert history with each alert's latency and whether it was blocked, and the verdict now. Pure:
// the StatusPage feeds it samples and events and serialises what it returns.

import type { JudgeEvent } from '../judge/judge-events.js';
import type { MicState } from '../mic/mic-state.js';
import type { StoredAlert } from '../stored-alert.js';

/** One point of the chart: upstream bytes/s over the interval that ends at `t` (capture clock, ms). */
export interface RateSample {
  t: number;
  bps: number;
  mic: MicState;
}


export interface PageAlert extends StoredAlert {
  /** From the episode's first packet to the alert, capture clock. */
  latency_ms: number;
  /** The upload episode is still going (no alert_end yet). */
  open: boolean;
}

export type VerdictLevel = 'ok' | 'warning' | 'critical' | 'fault';

export interface VerdictNow {
  level: VerdictLevel;
  text: string;
}

/**
 * The chart's history: samples of the service's upstream-byte counter, turned into rates. Kept
 * to the chart's window (capture clock) and to a fixed count, so memory stays bounded whatever
 * the clock does.
 */
export class RateHistory {
  private readonly samples: RateSample[] = [];
  private lastT = 0;
  private lastBytes = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxSamples = 4096,
  ) {}

  /** A reading of the counter at capture time `t` (ms); returns the new sample, if one was made. */
  add(t: number, upstreamBytes: number, mic: MicState): RateSample | undefined {
    if (t <= 0) return undefined;
    if (this.lastT === 0 || t <= this.lastT || upstreamBytes < this.lastBytes) {
      // The first reading, a clock that did not move, or a counter reset: nothing to divide yet.
      if (this.lastT === 0 || upstreamBytes < this.lastBytes) [this.lastT, this.lastBytes] = [t, upstreamBytes];
      return undefined;
    }
    const sample = { t, bps: Math.round(((upstreamBytes - this.lastBytes) * 1000) / (t - this.lastT)), mic };
    [this.lastT, this.lastBytes] = [t, upstreamBytes];
    this.samples.push(sample);
    const oldest = t - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop].t < oldest) drop++;
    drop = Math.max(drop, this.samples.length - this.maxSamples);
    if (drop > 0) this.samples.splice(0, drop);
    return sample;
  }

  get window(): RateSample[] {
    return [...this.samples];
  }
}

/** Alerts whose episode has not ended, and what enforcement did per alert (until the store has it). */
export class OpenEpisodes {
  private readonly open = new Set<string>();

  onJudgeEvent(event: JudgeEvent): void {
    if (event.type === 'alert') this.open.add(event.id);
    else this.open.delete(event.id);
    // An alert that never ends (the service stopped mid-episode) must not pile up.
    if (this.open.size > 64) this.open.delete(this.open.values().next().value!);
  }

  has(id: string): boolean {
    return this.open.has(id);
  }
}

/** The history newest first, at most `limit`, with latency and the open flag. */
export function pageAlerts(history: readonly StoredAlert[], open: OpenEpisodes, limit: number): PageAlert[] {
  const out: PageAlert[] = [];
  for (let i = history.length - 1; i >= 0 && out.length < limit; i--) {
    const alert = history[i];
    const latency = Date.parse(alert.time) - Date.parse(alert.start);
    out.push({ ...alert, latency_ms: Number.isFinite(latency) ? latency : 0, open: open.has(alert.id) });
  }
  return out;
}

/**
 * One line on what the box thinks now, in the LED's order: a leak going on or not yet seen by a
 * person, then a sensor fault (the verdicts cannot be trusted), then a warning, else all quiet.
 */
export function verdictNow(input: { alerts: readonly PageAlert[]; mic: MicState; sensorFault: string | undefined }): VerdictNow {
  const open = input.alerts.filter((a) => a.open);
  const unacknowledged = input.alerts.filter((a) => !a.acknowledged);
  const critical = open.find((a) => a.severity === 'critical') ?? unacknowledged.find((a) => a.severity === 'critical');
  if (critical) return { level: 'critical', text: critical.open ? `Uploading now: ${critical.reason}` : `Unacknowledged critical alert: ${critical.reason}` };
  if (input.sensorFault) return { level: 'fault', text: `Ring sensor fault: ${input.sensorFault}` };
  const warning = open[0] ?? unacknowledged[0];
  if (warning) return { level: 'warning', text: warning.open ? `Uploading now: ${warning.reason}` : `Unacknowledged warning: ${warning.reason}` };
  if (input.mic === 'unknown') return { level: 'warning', text: 'No ring state: verdicts are warnings at most' };
  return { level: 'ok', text: 'Nothing unexpected' };
}
