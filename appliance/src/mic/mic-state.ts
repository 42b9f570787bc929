// The microphone states a sensor reports, and the labelling context derived from them.

export const MIC_STATES = ['muted', 'idle', 'listening', 'unknown'] as const;
export type MicState = (typeof MIC_STATES)[number];

/** `grace` is an idle (or unknown) moment within the grace period after listening ended. */
export type MicContext = MicState | 'grace';

export const isMicState = (value: string): value is MicState => (MIC_STATES as readonly string[]).includes(value);

/** Where the pipeline and the judge read the mic state: a timeline (file or live sensor) or nothing. */
export interface MicStateSource {
  contextAt(timeUs: number, graceUs: number): MicContext;
  listeningBetween(fromUs: number, toUs: number): boolean;
  /** Whether the state was `muted` at every moment in [fromUs, toUs]. */
  mutedThroughout(fromUs: number, toUs: number): boolean;
}

export const NO_MIC_SENSOR: MicStateSource = {
  contextAt: () => 'unknown',
  listeningBetween: () => false,
  mutedThroughout: () => false,
};
