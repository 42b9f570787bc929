// Colour for terminal output, only where it helps and never where it hurts: on a TTY, not with
// NO_COLOR set to anything non-empty (no-color.org), not with TERM=dumb. Pure: the caller passes
// the stream's isTTY and the environment, so it is tested both ways without a terminal.

export type Paint = (text: string) => string;
export interface Palette {
  red: Paint;
  yellow: Paint;
  green: Paint;
  dim: Paint;
}

export function colourWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (!isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

const sgr = (on: number, off: number): Paint => (text) => `\u001b[${on}m${text}\u001b[${off}m`;
const plain: Paint = (text) => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { red: plain, yellow: plain, green: plain, dim: plain };
  return { red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39), dim: sgr(2, 22) };
}

/** The palette for this process's stdout. */
export function stdoutPalette(): Palette {
  return palette(colourWanted(process.stdout.isTTY, process.env));
}
