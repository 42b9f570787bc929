// The service's memory across restarts (lowdb): alert history as a bounded ring, counters that
// must keep increasing for Home Assistant, and which alerts were acknowledged. lowdb rewrites the
// whole file (atomically, through a temporary file), so writes are debounced and nothing per
// packet ever reaches it: an SD card would not last.

import { rename, stat } from 'node:fs/promises';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { AlertEvent } from '../judge/judge-events.js';

export interface StoredAlert {
  id: string;
  severity: string;
  time: string;
  start: string;
  dst: string;
  reason: string;
  bytes: number;
  packets: number;
  acknowledged: boolean;
  /** What enforcement did: "blocked" or "would-block" (the status page shows it); absent: nothing. */
  enforcement?: string;
}

export interface StoredState {
  version: 1;
  alerts: StoredAlert[];
  counters: { upstream_bytes: number; classes: Record<string, number>; alerts_total: number };
}

const emptyState = (): StoredState => ({ version: 1, alerts: [], counters: { upstream_bytes: 0, classes: {}, alerts_total: 0 } });

export interface StateStoreOptions {
  path: string;
  /** Alerts kept in the ring. */
  history: number;
  debounceMs?: number;
  log: (line: string) => void;
  now?: () => Date;
}

export class StateStore {
  private db: Low<StoredState> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: StateStoreOptions) {}

  get data(): StoredState {
    return this.db!.data;
  }

  /** Loads the file. A corrupt or empty one is kept aside as `<name>.corrupt-<time>` and the service starts clean. */
  async open(): Promise<void> {
    const { path, log } = this.options;
    const adapter = new JSONFile<StoredState>(path);
    this.db = new Low<StoredState>(adapter, emptyState());
    try {
      // The adapter, not Low.read(): Low keeps its defaults when the file holds `null`, which
      // would then be overwritten without a word.
      const data = await adapter.read();
      if (data === null) {
        if (await exists(path)) throw new Error('holds null');
      } else if (!isStoredState(data)) throw new Error('not an earshot state file');
      else this.db.data = data;
    } catch (error) {
      const stamp = (this.options.now?.() ?? new Date()).toISOString().replaceAll(':', '-');
      const aside = `${path}.corrupt-${stamp}`;
      await rename(path, aside).catch(() => undefined);
      log(`state: ${path} was unreadable (${(error as Error).message.split('\n')[0]}); kept it as ${aside} and started clean`);
      this.db.data = emptyState();
    }
  }

  recordAlert(alert: AlertEvent): void {
    const alerts = this.data.alerts;
    alerts.push({ id: alert.id, severity: alert.severity, time: alert.time, start: alert.start, dst: alert.dst, reason: alert.reason, bytes: alert.bytes, packets: alert.packets, acknowledged: false });
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

  acknowledge(ids: string[]): void {
    for (const alert of this.data.alerts) if (ids.includes(alert.id)) alert.acknowledged = true;
    this.scheduleWrite();
  }

  saveCounters(upstreamBytes: number, classes: Record<string, number>): void {
    this.data.counters.upstream_bytes = upstreamBytes;
    this.data.counters.classes = { ...classes };
    this.scheduleWrite();
  }

  get unacknowledged(): { id: string; severity: string }[] {
    return this.data.alerts.filter((a) => !a.acknowledged).map((a) => ({ id: a.id, severity: a.severity }));
  }

  /** Writes now if a write is pending; the service calls it on shutdown. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.enqueueWrite();
    }
    await this.writing;
  }

  private scheduleWrite(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueueWrite();
    }, this.options.debounceMs ?? 2_000);
    this.timer.unref();
  }

  /** Writes after the previous write; a failure is logged and never blocks the writes after it. */
  private enqueueWrite(): void {
    this.writing = this.writing.then(() => this.db!.write()).catch((error: Error) => this.options.log(`state: write failed: ${error.message}`));
  }
}

function isStoredState(value: unknown): value is StoredState {
  const v = value as StoredState | null;
  return !!v && v.version === 1 && Array.isArray(v.alerts) && typeof v.counters === 'object' && v.counters !== null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
