// A mic timeline file that may grow while the service runs (design.md: "a timeline file works
// live too: its times are absolute"): something else (a Home Assistant automation, a recorder,
// a test) appends rows, and the judge sees them within a poll. A bad rewrite keeps the last good
// timeline and is reported once.

import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { MicContext, MicStateSource } from './mic-state.js';
import { MicTimeline, parseMicTimeline } from './mic-timeline.js';

const POLL_MS = 200;

export class WatchedMicTimeline implements MicStateSource {
  private timeline: MicTimeline;
  private lastProblem: string | undefined;

  /** Reads the file now (a bad file is the caller's error to report) and then follows it. */
  constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
    /** Called after each successful re-read (tests wait on it). */
    private readonly onReload: () => void = () => {},
  ) {
    this.timeline = parseMicTimeline(readFileSync(path, 'utf8'), path);
    watchFile(path, { interval: POLL_MS, persistent: false }, () => this.reload());
  }

  contextAt(timeUs: number, graceUs: number): MicContext {
    return this.timeline.contextAt(timeUs, graceUs);
  }

  listeningBetween(fromUs: number, toUs: number): boolean {
    return this.timeline.listeningBetween(fromUs, toUs);
  }

  close(): void {
    unwatchFile(this.path);
  }

  private reload(): void {
    try {
      this.timeline = parseMicTimeline(readFileSync(this.path, 'utf8'), this.path);
      this.lastProblem = undefined;
      this.onReload();
    } catch (error) {
      const problem = (error as Error).message;
      if (problem !== this.lastProblem) this.log(`mic timeline: ${problem}; keeping the last good one`);
      this.lastProblem = problem;
    }
  }
}
