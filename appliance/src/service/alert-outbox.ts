// The durable outbox: alerts and alert ends on their way to the broker. Each event is appended
// (fsynced) to a JSON-lines file in the state directory before it is published, and marked done
// once the broker has acknowledged it (QoS 1 PUBACK). After a restart whatever is not marked done
// is loaded again, in order, so an alert raised while the broker was away survives the service
// restarting, a crash, or a power cut.
//
//   {"put":{...event...}}           an event to deliver
//   {"done":"alert a3-1736942400"}  delivered (or dropped by the queue's overflow policy)
//
// The file is bounded: the pending events are never more than the queue's limit (AlertQueue's
// overflow policy), and the file is rewritten with only those (temporary file, fsync, rename) when
// everything was delivered or it grew past `maxFileBytes`. An event is identified by its type and
// id; a crash between the PUBACK and the "done" line can send one again after the restart, so
// subscribers de-duplicate by id (docs/service.md).

import { readFileSync } from 'node:fs';
import type { JudgeEvent } from '../judge/judge-events.js';
import { AlertQueue } from './alert-queue.js';
import { appendDurably, writeFileDurably } from './durable-file.js';

export interface AlertOutboxOptions {
  /** The JSON-lines file; absent: memory only (no state directory, or a test). */
  path?: string;
  limit: number;
  log: (line: string) => void;
  /** Rewrite the file with only the pending events once it is this big. */
  maxFileBytes?: number;
}

const DEFAULT_MAX_FILE_BYTES = 256 * 1024;

/** The outbox beside the state file: /var/lib/earshot/state.json -> state.outbox.jsonl. */
export const outboxPathFor = (statePath: string): string => `${statePath.replace(/\.json$/, '')}.outbox.jsonl`;

/** One event, whatever it was re-sent or re-loaded as: `alert a3-1736942400`. */
export const outboxKey = (event: JudgeEvent): string => `${event.type} ${event.id}`;

export class AlertOutbox {
  private readonly queue: AlertQueue;
  private writing: Promise<void> = Promise.resolve();
  private fileBytes = 0;
  private writeFailed = false;

  constructor(private readonly options: AlertOutboxOptions) {
    this.queue = new AlertQueue(options.limit);
  }

  get length(): number {
    return this.queue.length;
  }

  get limit(): number {
    return this.queue.limit;
  }

  get overflow(): number {
    return this.queue.overflow;
  }

  peek(): JudgeEvent | undefined {
    return this.queue.peek();
  }

  toArray(): JudgeEvent[] {
    return this.queue.toArray();
  }

  /**
   * Loads what an earlier run left undelivered (synchronous: once, at start-up). Lines that do not
   * parse, e.g. half a line from a power cut, are skipped and counted in one log line.
   */
  load(): number {
    const path = this.options.path;
    if (!path) return 0;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.log(`outbox: cannot read ${path} (${(error as Error).message}); starting with an empty outbox`);
      return 0;
    }
    const pending = new Map<string, JudgeEvent>();
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const entry = parseLine(line);
      if (!entry) skipped++;
      else if ('done' in entry) pending.delete(entry.done);
      else if (!pending.has(outboxKey(entry.put))) pending.set(outboxKey(entry.put), entry.put);
    }
    for (const event of pending.values()) this.queue.push(event);
    this.fileBytes = Buffer.byteLength(text);
    if (skipped > 0) this.options.log(`outbox: ${path}: skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'}`);
    if (this.queue.length > 0) this.options.log(`outbox: ${this.queue.length} undelivered event${this.queue.length === 1 ? '' : 's'} from before the restart will be sent in order`);
    // Start from a file that holds exactly the pending events.
    this.chain(() => this.compact());
    return this.queue.length;
  }

  /** Queues an event and appends it to the file; publish it only after `persisted()`. */
  put(event: JudgeEvent): void {
    const dropped = this.queue.push(event);
    if (dropped === event) return;
    this.append({ put: event });
    if (dropped) this.append({ done: outboxKey(dropped) });
  }

  /** The broker acknowledged `event`: it leaves the queue and is marked done in the file. */
  delivered(event: JudgeEvent): void {
    if (!this.queue.remove(event)) return;
    this.append({ done: outboxKey(event) });
    const limit = this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (this.queue.length === 0 || this.fileBytes > limit) this.chain(() => this.compact());
  }

  /** Resolves once every line written so far is on disk (or failed, which is logged). */
  persisted(): Promise<void> {
    return this.writing;
  }

  private append(entry: { put: JudgeEvent } | { done: string }): void {
    const path = this.options.path;
    if (!path) return;
    const line = `${JSON.stringify(entry)}\n`;
    this.chain(async () => {
      await appendDurably(path, line);
      this.fileBytes += Buffer.byteLength(line);
    });
  }

  /** Rewrites the file with only the pending events, in order. */
  private async compact(): Promise<void> {
    const path = this.options.path!;
    const text = this.queue.toArray().map((event) => `${JSON.stringify({ put: event })}\n`).join('');
    await writeFileDurably(path, text);
    this.fileBytes = Buffer.byteLength(text);
  }

  /** Runs file work one after another; a failure is logged once per streak and never stops later work. */
  private chain(work: () => Promise<void>): void {
    if (!this.options.path) return;
    this.writing = this.writing.then(work).then(
      () => {
        this.writeFailed = false;
      },
      (error: Error) => {
        if (!this.writeFailed) this.options.log(`outbox: write failed (${error.message}); events still go out from memory`);
        this.writeFailed = true;
      },
    );
  }
}

function parseLine(line: string): { put: JudgeEvent } | { done: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as { put?: unknown; done?: unknown };
  if (typeof entry.done === 'string') return { done: entry.done };
  const event = entry.put as JudgeEvent | undefined;
  if (typeof event !== 'object' || event === null || typeof event.id !== 'string' || (event.type !== 'alert' && event.type !== 'alert_end')) return undefined;
  return { put: event };
}
