// The libgpiod command-line tools as text in, values out: argument lists for v1 and v2, and
// parsers for what they print. Formats follow libgpiod's tools/ sources:
//
//   v2 gpiomon (default, -E realtime)  2024-05-01T12:00:00.123456789Z\trising\t"GPIO17"
//   v2 gpiomon (default, monotonic)    12345.678901234\tfalling\tgpiochip0 17
//   v2 gpiomon with -c and a named line  ...\trising\tgpiochip0 17 "GPIO17"   (--unquoted: no quotes)
//   v1 gpiomon (default)               event:  RISING EDGE offset: 17 timestamp: [    1234.567890123]
//   v2 gpioget                         "GPIO17"=active          (v1: a bare 1 or 0)
//   --version                          gpiomon (libgpiod) v2.1.3
//
// v2 takes lines by name (or offset with -c CHIP); v1 takes CHIP OFFSET, so names go through
// gpiofind first. v1 buffers stdout on a pipe unless given -b.

export type GpiodMajor = 1 | 2;

export interface LineSpec {
  /** A line name such as "GPIO17" (Raspberry Pi header lines are named), or an offset with `chip`. */
  line: string | number;
  /** A chip name, number or path (e.g. "gpiochip0"); required with an offset. */
  chip?: string;
}

export interface LineRequest extends LineSpec {
  activeLow: boolean;
  bias?: 'pull-up' | 'pull-down' | 'disabled';
  consumer?: string;
}

export interface EdgeEvent {
  edge: 'rising' | 'falling';
  /** Epoch ms when the tool printed a wall-clock time (v2 with -E realtime); else undefined. */
  timeMs?: number;
  /** The raw timestamp text, for logs. */
  stamp: string;
  /** How the tool named the line: "GPIO17", "gpiochip0 17", ... */
  lineId: string;
}

export type GpiomonLine = { kind: 'edge'; event: EdgeEvent } | { kind: 'banner' } | { kind: 'blank' } | { kind: 'unrecognised'; text: string };

/** The tool's major version from `--version`, or undefined when the text is not libgpiod's. */
export function parseGpiodVersion(text: string): { major: GpiodMajor; version: string } | undefined {
  const match = /\(libgpiod\)\s+v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  const major = Number(match[1]);
  if (major !== 1 && major !== 2) return undefined;
  return { major, version: `${match[1]}.${match[2]}${match[3] !== undefined ? `.${match[3]}` : ''}` };
}

const V2_EVENT = /^(\S+)\t(rising|falling)\t(.+)$/;
const V1_EVENT = /^event:\s+(RISING|FALLING) EDGE\s+offset:\s+(\d+)\s+timestamp:\s+\[\s*(\d+\.\d+)\]$/;
const UTC_STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{9})Z$/;
const RAW_STAMP = /^\d+\.\d{9}$/;

export function parseGpiomonLine(text: string): GpiomonLine {
  const line = text.replace(/\r$/, '');
  if (line.trim() === '') return { kind: 'blank' };
  if (/^Monitoring lines? /.test(line)) return { kind: 'banner' };
  const v2 = V2_EVENT.exec(line);
  if (v2) {
    const [, stamp, edge, lineId] = v2;
    const utc = UTC_STAMP.exec(stamp);
    if (utc) {
      // Keep microseconds: Date parses milliseconds only.
      const ms = Date.parse(`${utc[1]}Z`) + Number(utc[2]) / 1e6;
      return { kind: 'edge', event: { edge: edge as EdgeEvent['edge'], timeMs: ms, stamp, lineId: unquote(lineId) } };
    }
    if (RAW_STAMP.test(stamp)) return { kind: 'edge', event: { edge: edge as EdgeEvent['edge'], stamp, lineId: unquote(lineId) } };
    return { kind: 'unrecognised', text: line };
  }
  const v1 = V1_EVENT.exec(line.trim());
  if (v1) return { kind: 'edge', event: { edge: v1[1] === 'RISING' ? 'rising' : 'falling', stamp: v1[3], lineId: v1[2] } };
  return { kind: 'unrecognised', text: line };
}

const unquote = (lineId: string): string => lineId.replace(/"([^"]*)"$/, '$1');

/** Splits a byte stream into lines; keeps the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';

  push(chunk: string): string[] {
    const parts = (this.tail + chunk).split('\n');
    this.tail = parts.pop() ?? '';
    return parts;
  }
}

/** The level gpioget printed: true for active. */
export function parseGpiogetOutput(text: string, major: GpiodMajor): boolean | undefined {
  const trimmed = text.trim();
  if (major === 1 || /^[01]$/.test(trimmed)) {
    if (trimmed === '1') return true;
    if (trimmed === '0') return false;
    return undefined;
  }
  const match = /^(?:"[^"]*"|\S+)=(active|inactive)$/.exec(trimmed);
  return match ? match[1] === 'active' : undefined;
}

/** "gpiochip0 17" from v1 gpiofind. */
export function parseGpiofindOutput(text: string): { chip: string; offset: number } | undefined {
  const match = /^(\S+)\s+(\d+)$/.exec(text.trim());
  return match ? { chip: match[1], offset: Number(match[2]) } : undefined;
}

/** One chip per line from gpiodetect (same in v1 and v2): "gpiochip0 [pinctrl-bcm2711] (58 lines)". */
export function parseGpiodetectOutput(text: string): Array<{ chip: string; label: string; lines: number }> {
  const chips: Array<{ chip: string; label: string; lines: number }> = [];
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+\[(.*)\]\s+\((\d+) lines?\)$/.exec(line.trim());
    if (match) chips.push({ chip: match[1], label: match[2], lines: Number(match[3]) });
  }
  return chips;
}

function v2LineArgs(request: LineRequest): string[] {
  const args: string[] = [];
  if (request.chip !== undefined) args.push('--chip', request.chip);
  if (request.activeLow) args.push('--active-low');
  if (request.bias) args.push('--bias', request.bias);
  if (request.consumer) args.push('--consumer', request.consumer);
  // Without it, a numeric-looking name ("17") would be taken as an offset.
  if (typeof request.line === 'string' && /^\d+$/.test(request.line)) args.push('--by-name');
  args.push(String(request.line));
  return args;
}

/** v1 needs CHIP OFFSET; the caller resolves names with gpiofind first. */
function v1LineArgs(request: LineRequest & { chip: string; line: number }): string[] {
  const args: string[] = [];
  if (request.activeLow) args.push('--active-low');
  // v1.5+ has --bias; older tools reject it, so only pass it when asked.
  if (request.bias) args.push(`--bias=${request.bias === 'disabled' ? 'disable' : request.bias}`);
  args.push(request.chip, String(request.line));
  return args;
}

export function gpiomonArgs(major: GpiodMajor, request: LineRequest): string[] {
  if (major === 2) return ['--banner', '--event-clock', 'realtime', '--edges', 'both', ...v2LineArgs(request)];
  return ['--line-buffered', ...v1LineArgs(requireOffset(request))];
}

export function gpiogetArgs(major: GpiodMajor, request: LineRequest): string[] {
  if (major === 2) return v2LineArgs(request);
  return v1LineArgs(requireOffset(request));
}

function requireOffset(request: LineRequest): LineRequest & { chip: string; line: number } {
  if (typeof request.line !== 'number' || request.chip === undefined) {
    throw new Error(`libgpiod v1 tools need a chip and an offset (got line ${JSON.stringify(request.line)}); resolve the name with gpiofind first`);
  }
  return request as LineRequest & { chip: string; line: number };
}
