// What the wire sensor needs from a GPIO backend: the level at start and every edge after it.
// Levels are logical (the backend applies the active level), so `true` means "ring red".

export interface EdgeHandlers {
  /** The line's level when the backend (re)starts; the debouncer takes it as settled. */
  onInitial(timeMs: number, active: boolean): void;
  onEdge(timeMs: number, active: boolean): void;
  /** The backend cannot see the line; it keeps retrying and calls onInitial when it can again. */
  onFault(timeMs: number, reason: string): void;
  /** Something odd that does not blind the sensor (an unrecognised output line). */
  onWarning?(reason: string): void;
}

export interface EdgeSource {
  readonly description: string;
  start(handlers: EdgeHandlers): Promise<void>;
  stop(): Promise<void>;
}
