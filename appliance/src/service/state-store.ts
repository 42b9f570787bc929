// The service's memory across restarts (lowdb): alert history as a bounded ring, counters that
// must keep increasing for Home Assistant, and which alerts were acknowledged. It is the one owner
// of these facts; the published state (service-state.ts) reads them from here. lowdb rewrites the
// whole file, so the file is written only when something in it changed, and at most once every
// `state.write_interval_s` (60 s): an SD card would not last 43,000 rewrites a day. Each write is
// durable (temporary file, fsync, rename, fsync of the folder: durable-file.ts).
//
// Reading is forgiving, part by part (state-schema.ts): an invalid entry is replaced by its
// default, the original file is kept as `<name>.corrupt-<time>`, and one line names the field, so
// no file content can stop the service from starting.

import { copyFile, mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import type { AlertEvent } from '../judge/judge-events.js';
import { STATE_DEFAULTS } from '../defaults.js';
import { InputError } from '../input-error.js';
import { writeFileDurably } from './durable-file.js';
import { emptyState, parseStoredState, type StoredState } from './state-schema.js';

export type { StoredAlert, StoredState } from './state-schema.js';

/** Timers and the clock the throttle uses; the bench runs a day of them in virtual time. */
export interface StoreTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: StoreTimers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface StateStoreOptions {
  path: string;
  /** Alerts kept in the ring. */
  history: number;
  /** A change is written this long after it happened (changes close together share a write). */
  debounceMs?: number;
  /** At most one write in this long (`state.write_interval_s`). */
  minIntervalMs?: number;
  log: (line: string) => void;
  now?: () => Date;
  timers?: StoreTimers;
}

const DEFAULT_DEBOUNCE_MS = 2_000;

/** lowdb's adapter, writing durably; reading goes through parseStoredState instead. */
class DurableJsonFile implements Adapter<StoredState> {
  constructor(private readonly path: string) {}
  read(): Promise<StoredState | null> {
    return Promise.resolve(null);
  }
  write(data: StoredState): Promise<void> {
    return writeFileDurably(this.path, JSON.stringify(data, null, 2));
  }
}

export class StateStore {
  private readonly db: Low<StoredState>;
  /** Echo packets were counted since the last commitCounters(). */
  private countersChanged = false;
  private timer: unknown;
  private writing: Promise<void> = Promise.resolve();
  private lastWriteMs = -Infinity;
  private readonly timers: StoreTimers;
  /** Writes started since open(), for the bench and the tests. */
  writes = 0;

  constructor(private readonly options: StateStoreOptions) {
    this.timers = options.timers ?? realTimers;
    this.db = new Low<StoredState>(new DurableJsonFile(options.path), emptyState());
  }

  /** Empty until open() has read the file. */
  get data(): StoredState {
    return this.db.data;
  }

  /**
   * Loads the file, creating its folder if needed (a folder that cannot be created is refused,
   * naming `state.path`). A file that is not an earshot state at all is kept aside as
   * `<name>.corrupt-<time>` and the service starts clean; an invalid part is replaced by its
   * default, with the original kept aside the same way.
   */
  async open(): Promise<void> {
    const { path, log } = this.options;
    const dir = dirname(path);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new InputError(`state.path: cannot create the folder '${dir}' for the state file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      log(`state: ${path} was unreadable (${(error as Error).message}); started clean`);
      return;
    }
    const parsed = parseStoredState(text);
    const aside = `${path}.corrupt-${(this.options.now?.() ?? new Date()).toISOString().replaceAll(':', '-')}`;
    if (!parsed.ok) {
      await rename(path, aside).catch(() => undefined);
      log(`state: ${path} was unreadable (${parsed.problem}); kept it as ${aside} and started clean`);
      return;
    }
    this.db.data = parsed.state;
    if (parsed.problems.length > 0) {
      await copyFile(path, aside).catch(() => undefined);
      const [first] = parsed.problems;
      const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problem${parsed.problems.length > 2 ? 's' : ''})` : '';
      log(`state: ${path}: ${first.field}: ${first.problem}${more}; kept the original as ${aside}`);
      this.scheduleWrite();
    }
  }

  recordAlert(alert: AlertEvent): void {
    const alerts = this.data.alerts;
    alerts.push({ id: alert.id, severity: alert.severity, time: alert.time, start: alert.start, dst: alert.dst, reason: alert.reason, bytes: alert.bytes, packets: alert.packets, acknowledged: false, ...(alert.device ? { device: alert.device } : {}) });
    if (alerts.length > this.options.history) alerts.splice(0, alerts.length - this.options.history);
    this.data.counters.alerts_total++;
    this.scheduleWrite();
  }

  recordAlertEnd(id: string, bytes: number, packets: number): void {
    const alert = this.data.alerts.find((a) => a.id === id);
    if (!alert) return;
    alert.bytes = bytes;
    alert.packets = packets;
    this.scheduleWrite();
  }

  /** Notes what enforcement did about an alert ("blocked" beats "would-block"). */
  recordEnforcement(id: string, result: string): void {
    const alert = this.data.alerts.find((a) => a.id === id);
    if (!alert || alert.enforcement === result || alert.enforcement === 'blocked') return;
    alert.enforcement = result;
    this.scheduleWrite();
  }

  /**
   * The named alerts (the status page) or, without names, every one (the HA button) become
   * acknowledged. Returns the ids that were not acknowledged before.
   */
  acknowledge(only?: string[]): string[] {
    const ids: string[] = [];
    for (const alert of this.data.alerts) {
      if (!alert.acknowledged && (only === undefined || only.includes(alert.id))) {
        alert.acknowledged = true;
        ids.push(alert.id);
      }
    }
    if (ids.length > 0) this.scheduleWrite();
    return ids;
  }

  /** One packet of the Echo's, in memory only: per packet there is no timer and no write. */
  countEchoPacket(paperClass: string, upstreamBytes: number): void {
    const counters = this.data.counters;
    counters.classes[paperClass] = (counters.classes[paperClass] ?? 0) + 1;
    counters.upstream_bytes += upstreamBytes;
    this.countersChanged = true;
  }

  /** Called every second by the service: counters that changed since the last call are written (throttled). */
  commitCounters(): void {
    if (!this.countersChanged) return;
    this.countersChanged = false;
    this.scheduleWrite();
  }

  get unacknowledged(): { id: string; severity: string }[] {
    return this.data.alerts.filter((a) => !a.acknowledged).map((a) => ({ id: a.id, severity: a.severity }));
  }

  /** Writes now if a write is pending; the service calls it on shutdown. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
      this.enqueueWrite();
    }
    await this.writing;
  }

  private scheduleWrite(): void {
    if (this.timer !== undefined) return;
    const now = this.timers.now();
    const at = Math.max(now + (this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS), this.lastWriteMs + (this.options.minIntervalMs ?? STATE_DEFAULTS.write_interval_s * 1000));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.enqueueWrite();
    }, at - now);
  }

  /** Writes after the previous write; a failure is logged and never blocks the writes after it. */
  private enqueueWrite(): void {
    this.lastWriteMs = this.timers.now();
    this.writes++;
    this.writing = this.writing.then(() => this.db.write()).catch((error: Error) => this.options.log(`state: write failed: ${error.message}`));
  }
}
