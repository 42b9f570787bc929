// The wire's level through the GPIO character device, via libgpiod's tools run as a supervised
// child: `gpiomon` streams edges; `gpioget` reads the level before it starts. The tool's major
// version comes from `--version` (v1 on Debian bookworm, v2 on trixie), which picks the syntax.
// When gpiomon exits or cannot start, the sensor is told (`unknown` with the tool's last stderr
// line) and the tool is restarted with exponential backoff.
//
//   gpiomon --version ─> gpioget LINE ─> onInitial ─> gpiomon LINE ─stdout lines─> onEdge
//         ▲                                                        └─exit─> onFault ─┐
//         └────────────────────────── backoff 0.5 s … 30 s ───────────────────────────┘
//
// An edge in the few milliseconds between gpioget releasing the line and gpiomon requesting it is
// missed; the v2 uAPI grants a line to one requester at a time, so the two cannot overlap.

import type { Clock, TimerHandle, Timers } from '../clock.js';
import { HardwareError, HardwareErrorCode } from '../hardware-error.js';
import type { RunTool, SpawnTool, ToolChild } from '../process-tools.js';
import type { EdgeHandlers, EdgeSource } from './edge-source.js';
import {
  LineSplitter,
  gpiogetArgs,
  gpiomonArgs,
  parseGpiodVersion,
  parseGpiofindOutput,
  parseGpiogetOutput,
  parseGpiomonLine,
  type GpiodMajor,
  type LineRequest,
} from './gpiod-tools.js';

/** Each tool's argv prefix: the executable, or an interpreter and a script in tests. */
export interface GpiodTools {
  gpiomon: readonly string[];
  gpioget: readonly string[];
  gpiofind: readonly string[];
  gpiodetect: readonly string[];
}

export const DEFAULT_GPIOD_TOOLS: GpiodTools = { gpiomon: ['gpiomon'], gpioget: ['gpioget'], gpiofind: ['gpiofind'], gpiodetect: ['gpiodetect'] };

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A run at least this long resets the backoff: the failure was not a restart loop. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

export interface GpiodEdgeSourceOptions {
  request: LineRequest;
  run: RunTool;
  spawn: SpawnTool;
  clock: Clock;
  timers: Timers;
  tools?: GpiodTools;
  backoff?: BackoffOptions;
}

const TOOL_TIMEOUT_MS = 5000;
const STDERR_KEPT = 2000;

export class GpiodEdgeSource implements EdgeSource {
  description: string;
  /** The detected tool version, once known. */
  version: string | undefined;
  private readonly tools: GpiodTools;
  private readonly backoff: BackoffOptions;
  private handlers: EdgeHandlers | undefined;
  private child: ToolChild | undefined;
  private restartTimer: TimerHandle | undefined;
  private nextDelayMs: number;
  private launchedAtMs = 0;
  private stopped = false;
  private stderrTail = '';

  constructor(private readonly options: GpiodEdgeSourceOptions) {
    this.tools = options.tools ?? DEFAULT_GPIOD_TOOLS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.nextDelayMs = this.backoff.initialMs;
    this.description = `GPIO line ${lineName(options.request)} (libgpiod tools)`;
  }

  async start(handlers: EdgeHandlers): Promise<void> {
    this.handlers = handlers;
    this.stopped = false;
    await this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== undefined) this.options.timers.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.child?.kill();
    this.child = undefined;
  }

  private async launch(): Promise<void> {
    this.restartTimer = undefined;
    if (this.stopped) return;
    try {
      const major = await this.detectVersion();
      const request = major === 1 ? await this.resolveForV1() : this.options.request;
      const level = await this.readLevel(major, request);
      if (this.stopped) return;
      this.monitor(major, request);
      this.launchedAtMs = this.options.clock.now();
      this.handlers?.onInitial(this.launchedAtMs, level);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  private async detectVersion(): Promise<GpiodMajor> {
    const result = await this.options.run([...this.tools.gpiomon, '--version'], TOOL_TIMEOUT_MS);
    if (result.missing) throw new HardwareError(HardwareErrorCode.GpioToolMissing, `${this.tools.gpiomon[0]} not found; install Debian's gpiod package (apt install gpiod)`);
    const version = parseGpiodVersion(result.stdout);
    if (!version) throw new HardwareError(HardwareErrorCode.GpioToolFailed, `${this.tools.gpiomon[0]} --version did not name a libgpiod v1 or v2 tool (got '${firstLine(result.stdout || result.stderr)}')`);
    this.version = version.version;
    this.description = `GPIO line ${lineName(this.options.request)} (libgpiod v${version.version} tools)`;
    return version.major;
  }

  private async resolveForV1(): Promise<LineRequest> {
    const request = this.options.request;
    if (typeof request.line === 'number') return { ...request, chip: request.chip ?? 'gpiochip0' };
    const result = await this.options.run([...this.tools.gpiofind, request.line], TOOL_TIMEOUT_MS);
    const found = result.code === 0 ? parseGpiofindOutput(result.stdout) : undefined;
    if (!found) throw new HardwareError(HardwareErrorCode.GpioLineNotFound, `no GPIO line named '${request.line}' (gpiofind: ${firstLine(result.stderr) || 'not found'})`);
    return { ...request, chip: found.chip, line: found.offset };
  }

  private async readLevel(major: GpiodMajor, request: LineRequest): Promise<boolean> {
    const result = await this.options.run([...this.tools.gpioget, ...gpiogetArgs(major, request)], TOOL_TIMEOUT_MS);
    if (result.missing) throw new HardwareError(HardwareErrorCode.GpioToolMissing, `${this.tools.gpioget[0]} not found; install Debian's gpiod package (apt install gpiod)`);
    const level = result.code === 0 ? parseGpiogetOutput(result.stdout, major) : undefined;
    if (level === undefined) {
      const why = result.code === 0 ? `unexpected output '${firstLine(result.stdout)}'` : firstLine(result.stderr) || `exit code ${result.code}`;
      throw new HardwareError(HardwareErrorCode.GpioToolFailed, `gpioget ${lineName(request)}: ${why}`);
    }
    return level;
  }

  private monitor(major: GpiodMajor, request: LineRequest): void {
    const child = this.options.spawn([...this.tools.gpiomon, ...gpiomonArgs(major, request)]);
    this.child = child;
    this.stderrTail = '';
    const lines = new LineSplitter();
    child.stdout.on('data', (chunk: string | Buffer) => {
      for (const text of lines.push(chunk.toString())) this.onOutputLine(text);
    });
    child.stderr.on('data', (chunk: string | Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_KEPT);
    });
    child.onExit((code, signal, error) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      const how = error ? error.message : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const said = lastLine(this.stderrTail);
      this.fail(`gpiomon ${how}${said ? `: ${said}` : ''}`);
    });
  }

  private onOutputLine(text: string): void {
    const parsed = parseGpiomonLine(text);
    if (parsed.kind === 'edge') {
      const { event } = parsed;
      this.handlers?.onEdge(event.timeMs ?? this.options.clock.now(), event.edge === 'rising');
    } else if (parsed.kind === 'unrecognised') {
      this.handlers?.onWarning?.(`gpiomon printed an unrecognised line: '${parsed.text.slice(0, 120)}'`);
    }
  }

  private fail(reason: string): void {
    if (this.stopped) return;
    const now = this.options.clock.now();
    this.handlers?.onFault(now, reason);
    if (this.launchedAtMs > 0 && now - this.launchedAtMs >= this.backoff.resetAfterMs) this.nextDelayMs = this.backoff.initialMs;
    const delayMs = this.nextDelayMs;
    this.nextDelayMs = Math.min(this.backoff.maxMs, delayMs * 2);
    this.launchedAtMs = 0;
    this.restartTimer = this.options.timers.setTimeout(() => void this.launch(), delayMs);
  }
}

const lineName = (request: LineRequest): string => (request.chip !== undefined ? `${request.chip} ${request.line}` : String(request.line));
const firstLine = (text: string): string => text.trim().split('\n')[0]?.trim() ?? '';
const lastLine = (text: string): string => text.trim().split('\n').pop()?.trim() ?? '';
