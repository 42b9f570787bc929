// The mic ring as the scenario script sets it: the states it writes into mic.csv (the file format
// the product reads, docs/design.md section 4) and the state at a moment. The simulator's own
// types, not the product's: the grace period after listening, and what each state means for a
// verdict, are the product's business; the script only says what the ring showed.

export const MIC_STATES = ['muted', 'idle', 'listening', 'unknown'] as const;
export type MicState = (typeof MIC_STATES)[number];

export interface MicChange {
  timeUs: number;
  state: MicState;
}

export const isMicState = (value: string): value is MicState => (MIC_STATES as readonly string[]).includes(value);

/** The state the ring showed at `timeUs` (changes in time order); `unknown` before the first. */
export function micStateAt(changes: readonly MicChange[], timeUs: number): MicState {
  let state: MicState = 'unknown';
  for (const change of changes) {
    if (change.timeUs > timeUs) break;
    state = change.state;
  }
  return state;
}
