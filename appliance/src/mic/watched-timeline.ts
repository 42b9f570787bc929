// A mic timeline file that may grow while the service runs (design.md: "a timeline file works
// live too: its times are absolute"): something else (a Home Assistant automation, a recorder,
// a test) appends rows, and the judge sees them within a poll. A bad rewrite keeps the last good
// timeline and is reported once.

import { readFileSync, statSync } from 'node:fs';
import type { MicContext, MicStateSource } from './mic-state.js';
import { MicTimeline, parseMicTimeline } from './mic-timeline.js';

const POLL_MS = 200;

/** What identifies a version of the file; taken before each read, so a later write always differs. */
function stampOf(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

export class WatchedMicTimeline implements MicStateSource {
  private timeline: MicTimeline;
  private lastProblem: string | undefined;
  // Our own poll of a stamp taken at each read: fs.watchFile takes its baseline later, so a
  // change made just after the first read could become that baseline and never be noticed.
  private stamp: string;
  private readonly timer: NodeJS.Timeout;

  /** Reads the file now (a bad file is the caller's error to report) and then follows it. */
  constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
    /** Called after each successful re-read (tests wait on it). */
    private readonly onReload: () => void = () => {},
  ) {
    this.stamp = stampOf(path);
    this.timeline = parseMicTimeline(readFileSync(path, 'utf8'), path);
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref(); // the service has other handles; a timeline alone keeps nothing running
  }

  contextAt(timeUs: number, graceUs: number): MicContext {
    return this.timeline.contextAt(timeUs, graceUs);
  }

  listeningBetween(fromUs: number, toUs: number): boolean {
    return this.timeline.listeningBetween(fromUs, toUs);
  }

  mutedThroughout(fromUs: number, toUs: number): boolean {
    return this.timeline.mutedThroughout(fromUs, toUs);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    const stamp = stampOf(this.path);
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    this.reload();
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
