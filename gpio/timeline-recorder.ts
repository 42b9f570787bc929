// Writes sensor readings as the mic timeline CSV of the contract (`time,state`, ISO-8601 UTC), so
// a live capture can be labelled for datasets and replayed with `--mic`. An `unknown` row is
// preceded by a `# reason` comment line, which the timeline parser skips.

import type { MicReading } from './mic-sensor.js';

export const TIMELINE_HEADER = 'time,state\n';

export interface TextSink {
  write(text: string): void;
}

export function timelineRow(reading: MicReading): string {
  const comment = reading.state === 'unknown' && reading.reason ? `# ${reading.reason.replace(/[\r\n]+/g, ' ')}\n` : '';
  return `${comment}${new Date(reading.timeMs).toISOString()},${reading.state}\n`;
}

export class TimelineRecorder {
  private lastTimeMs = -Infinity;
  private lastState: string | undefined;

  /** `withHeader` is false when appending to a file that already has one. */
  constructor(
    private readonly sink: TextSink,
    withHeader = true,
  ) {
    if (withHeader) sink.write(TIMELINE_HEADER);
  }

  record(reading: MicReading): void {
    if (reading.state === this.lastState && reading.state !== 'unknown') return;
    // Rows must be in time order; a back-dated change never goes before the row already written.
    const timeMs = Math.max(this.lastTimeMs, Math.floor(reading.timeMs));
    this.lastTimeMs = timeMs;
    this.lastState = reading.state;
    this.sink.write(timelineRow({ ...reading, timeMs }));
  }
}
