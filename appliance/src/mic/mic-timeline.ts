// The mic state timeline: a CSV of `time,state` rows, each state holding until the next row.
// Parsing is pure (text in); the CLI reads the file. Queries are by capture time and are
// usually monotonic, so a cursor makes them O(1) and a binary search covers jumps back.

import { InputError } from '../input-error.js';
import { isMicState, type MicContext, type MicState } from './mic-state.js';

export class MicTimelineError extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: line ${line}: ${field}: ${problem}`);
    this.name = 'MicTimelineError';
  }
}

export interface MicChange {
  timeUs: number;
  state: MicState;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** 12-14 digits: epoch milliseconds from 2001 to 5138. Ten digits would be epoch seconds. */
const EPOCH_MS = /^\d{12,14}(\.\d+)?$/;

/** Microseconds since the epoch from ISO-8601 with an explicit zone, or epoch milliseconds. */
export function parseTimestampUs(text: string): number | undefined {
  if (EPOCH_MS.test(text)) return Math.round(Number(text) * 1000);
  if (!ISO_UTC.test(text)) return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  // Date keeps milliseconds; recover microseconds from the fraction when it has more digits.
  const fraction = /\.(\d+)/.exec(text)?.[1];
  const extraUs = fraction && fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, '0')) : 0;
  return ms * 1000 + extraUs;
}

export function parseMicTimeline(text: string, file: string): MicTimeline {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().replace(/^\uFEFF/, '');
  if (header !== 'time,state') {
    throw new MicTimelineError(file, 1, 'header', `expected "time,state" (got "${(header ?? '').slice(0, 40)}")`);
  }
  const changes: MicChange[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const lineNumber = i + 1;
    const cells = line.split(',');
    if (cells.length !== 2) throw new MicTimelineError(file, lineNumber, 'row', `expected 2 fields, got ${cells.length}`);
    const [timeText, stateText] = cells.map((c) => c.trim());
    const timeUs = parseTimestampUs(timeText);
    if (timeUs === undefined) {
      const hint = /^\d{9,11}(\.\d+)?$/.test(timeText) ? ', which looks like epoch seconds' : '';
      throw new MicTimelineError(file, lineNumber, 'time', `expected ISO-8601 UTC or epoch milliseconds (got '${timeText.slice(0, 40)}'${hint})`);
    }
    if (!isMicState(stateText)) {
      throw new MicTimelineError(file, lineNumber, 'state', `expected muted, idle, listening or unknown (got '${stateText.slice(0, 40)}')`);
    }
    const previous = changes[changes.length - 1];
    if (previous && timeUs < previous.timeUs) {
      throw new MicTimelineError(file, lineNumber, 'time', 'earlier than the row before it; rows must be in time order');
    }
    changes.push({ timeUs, state: stateText });
  }
  return new MicTimeline(changes);
}

export class MicTimeline {
  private readonly times: Float64Array;
  private readonly states: MicState[];
  /** For each row, when the latest listening span before it ended; a mute in between resets it. */
  private readonly listeningEndedUs: Float64Array;
  private cursor = 0;

  constructor(changes: readonly MicChange[]) {
    this.times = Float64Array.from(changes, (c) => c.timeUs);
    this.states = changes.map((c) => c.state);
    this.listeningEndedUs = new Float64Array(changes.length).fill(-Infinity);
    for (let i = 1; i < changes.length; i++) {
      const previous = changes[i - 1].state;
      // Pressing mute ends the interaction: no grace survives it.
      if (previous === 'listening') this.listeningEndedUs[i] = changes[i].timeUs;
      else if (previous === 'muted') this.listeningEndedUs[i] = -Infinity;
      else this.listeningEndedUs[i] = this.listeningEndedUs[i - 1];
    }
  }

  get length(): number {
    return this.states.length;
  }

  /** The rows, in time order. */
  changes(): MicChange[] {
    return this.states.map((state, i) => ({ timeUs: this.times[i], state }));
  }

  stateAt(timeUs: number): MicState {
    const i = this.indexAt(timeUs);
    return i < 0 ? 'unknown' : this.states[i];
  }

  /** The state, with idle/unknown turned into `grace` within `graceUs` after listening ended. */
  contextAt(timeUs: number, graceUs: number): MicContext {
    const i = this.indexAt(timeUs);
    if (i < 0) return 'unknown';
    const state = this.states[i];
    if ((state === 'idle' || state === 'unknown') && timeUs - this.listeningEndedUs[i] <= graceUs) return 'grace';
    return state;
  }

  /** Whether the state was `listening` at any moment in [fromUs, toUs]. */
  listeningBetween(fromUs: number, toUs: number): boolean {
    const first = Math.max(0, this.indexAt(fromUs));
    const last = this.indexAt(toUs);
    for (let i = first; i <= last; i++) if (this.states[i] === 'listening') return true;
    return false;
  }

  /** Whether the state was `muted` at every moment in [fromUs, toUs]. */
  mutedThroughout(fromUs: number, toUs: number): boolean {
    const first = this.indexAt(fromUs);
    if (first < 0) return false;
    const last = this.indexAt(toUs);
    for (let i = first; i <= last; i++) if (this.states[i] !== 'muted') return false;
    return true;
  }

  private indexAt(timeUs: number): number {
    const times = this.times;
    const n = times.length;
    let i = this.cursor;
    if (i < n && times[i] <= timeUs && (i + 1 === n || times[i + 1] > timeUs)) return i;
    if (i + 1 < n && times[i + 1] <= timeUs && (i + 2 === n || times[i + 2] > timeUs)) return (this.cursor = i + 1);
    let lo = 0;
    let hi = n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= timeUs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0) this.cursor = found;
    return found;
  }
}
