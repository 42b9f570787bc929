// The live dataset recorder: the paper's CSV (the columns of `earshot features`, labelled by the
// ring state as the packets pass) plus a headers-only pcap of the Echo's traffic, in segments
// rotated by size and age, inside a disk budget. Rows and frames are buffered in memory and
// written and fdatasync'ed once a second, so stopping or losing power loses at most the last
// second; a write never happens on the packet path.

import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { InputError } from '../input-error.js';
import { join } from 'node:path';
import { pcapFileHeader } from '../capture/capture-writer.js';
import { decodeFrame } from '../decode/decode-frame.js';
import type { CapturedFrame, DecodedPacket } from '../decode/types.js';
import { DATASET_HEADER, datasetRow } from '../features/dataset-csv.js';
import type { PaperFeatures } from '../features/paper-features.js';
import { ELECTION } from '../defaults.js';
import type { DeviceMatcher } from '../pipeline/device-selector.js';
import { headersOnlyFrame } from './headers-only.js';
import { PcapChunks } from './pcap-chunks.js';
import { isSegmentStem, segmentStem, segmentsToDelete, shouldRotate, type RecordLimits, type SegmentOnDisk } from './segment-policy.js';

/** Twice what the pipeline waits for its election: headers beyond this wait are not kept. */
const MAX_UNELECTED = 2 * ELECTION.packets;

export interface RecorderOptions extends RecordLimits {
  dir: string;
  log: (line: string) => void;
  /** Wall clock (ms); tests pass their own. */
  now?: () => number;
  /** How often buffers reach the disk (default 1000 ms). */
  flushMs?: number;
  /** How often a line reports rows, packets and disk use (default 60 s). */
  reportMs?: number;
}

/** The folder cannot be written: a one-line error naming it (exit 2 from the CLI). */
export class RecordError extends InputError {
  constructor(dir: string, why: string) {
    super(`${dir}: cannot record: ${why}`);
    this.name = 'RecordError';
  }
}

export interface RecorderStatus {
  recording: boolean;
  dir: string;
  /** The current segment's stem, e.g. "earshot-20261206T192700123Z". */
  segment: string | undefined;
  rows: number;
  packets: number;
  /** Bytes of every segment in the folder (the current one as flushed so far). */
  diskBytes: number;
  maxTotalBytes: number;
  /** Old segments deleted to stay inside the budget, since start. */
  deletedSegments: number;
}

/** What the service hands the recorder. */
export interface PacketRecorder {
  row(features: PaperFeatures): void;
  frame(frame: CapturedFrame, device: DeviceMatcher | undefined, decoded?: DecodedPacket): void;
  start(): void;
  /** `device`: the Echo as finally elected, for headers still waiting on the election. */
  stop(device?: DeviceMatcher): void;
  status(): RecorderStatus;
}

interface OpenSegment {
  stem: string;
  csv: number;
  pcap: number;
  /** LINKTYPE of the pcap's header, set by its first frame. */
  linkType: number | undefined;
  startedMs: number;
  bytes: number;
}

export class DatasetRecorder implements PacketRecorder {
  private segment: OpenSegment | undefined;
  private closed: SegmentOnDisk[] = [];
  private rows: string[] = [];
  private records = new PcapChunks();
  private unelected: Array<{ packet: DecodedPacket; timeUs: number; kept: Uint8Array; originalLength: number; linkType: number }> = [];
  private recordsLinkType: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private counts = { rows: 0, packets: 0, deleted: 0 };
  private readonly now: () => number;
  private lastReportMs = 0;

  constructor(private readonly options: RecorderOptions) {
    this.now = options.now ?? Date.now;
  }

  get recording(): boolean {
    return this.segment !== undefined;
  }

  /** Opens a new segment (never appends to an old one: a torn last line stays in its own file). */
  start(): void {
    if (this.segment) return;
    const { dir } = this.options;
    try {
      mkdirSync(dir, { recursive: true });
      this.closed = existingSegments(dir);
      this.open();
    } catch (error) {
      throw new RecordError(dir, fsReason(error));
    }
    this.lastReportMs = this.now();
    this.timer = setInterval(() => this.flushOrGiveUp(), this.options.flushMs ?? 1000);
    this.timer.unref();
    this.options.log(`record: writing ${join(dir, this.segment!.stem)}.csv and .pcap; ${mb(this.diskBytes())} of ${mb(this.options.maxTotalBytes)} in use`);
  }

  stop(device?: DeviceMatcher): void {
    if (!this.segment) return;
    if (device) this.settle(device);
    this.unelected = [];
    clearInterval(this.timer);
    this.timer = undefined;
    this.flushOrGiveUp();
    if (!this.segment) return;
    const stem = this.segment.stem;
    this.close();
    this.options.log(`record: stopped; ${stem}: ${this.counts.rows} rows, ${this.counts.packets} packets since start; ${mb(this.diskBytes())} of ${mb(this.options.maxTotalBytes)} in use`);
  }

  row(features: PaperFeatures): void {
    if (!this.segment) return;
    this.rows.push(datasetRow(features));
  }

  /**
   * Keeps the headers of a frame to or from the Echo. Until the pipeline has elected the Echo
   * (no `device` in the config: up to a minute), headers wait here, as the pipeline's packets do.
   */
  frame(frame: CapturedFrame, device: DeviceMatcher | undefined, decoded?: DecodedPacket): void {
    if (!this.segment) return;
    // The pipeline has decoded the frame already (the service hands its packet over); decode only without it.
    let packet = decoded;
    if (!packet) {
      const result = decodeFrame(frame);
      if (!result.ok) return;
      packet = result.packet;
    }
    if (!device) {
      // A copy of the headers, decoded on its own: the packet itself holds the whole frame.
      const kept = headersOnlyFrame(frame, packet).slice();
      const own = decodeFrame({ timeUs: frame.timeUs, originalLength: frame.originalLength, linkType: frame.linkType, bytes: kept });
      if (own.ok && this.unelected.length < MAX_UNELECTED) this.unelected.push({ packet: own.packet, timeUs: frame.timeUs, kept, originalLength: frame.originalLength, linkType: frame.linkType });
      return;
    }
    if (this.unelected.length > 0) this.settle(device);
    if (device.isSentByDevice(packet) || device.isSentToDevice(packet)) this.keep(frame.timeUs, headersOnlyFrame(frame, packet), frame.originalLength, frame.linkType);
  }

  private settle(device: DeviceMatcher): void {
    const waiting = this.unelected;
    this.unelected = [];
    for (const w of waiting) if (device.isSentByDevice(w.packet) || device.isSentToDevice(w.packet)) this.keep(w.timeUs, w.kept, w.originalLength, w.linkType);
  }

  private keep(timeUs: number, kept: Uint8Array, originalLength: number, linkType: number): void {
    // One pcap file has one link type; a capture that changes it (pcapng replays) starts a segment.
    if (this.recordsLinkType !== undefined && this.recordsLinkType !== linkType) {
      this.flushOrGiveUp(true);
      if (!this.segment) return;
    }
    this.recordsLinkType = linkType;
    this.records.append(timeUs, kept, originalLength);
  }

  status(): RecorderStatus {
    return {
      recording: this.recording,
      dir: this.options.dir,
      segment: this.segment?.stem,
      rows: this.counts.rows,
      packets: this.counts.packets,
      diskBytes: this.diskBytes(),
      maxTotalBytes: this.options.maxTotalBytes,
      deletedSegments: this.counts.deleted,
    };
  }

  /** Writes what is buffered, makes it durable, then rotates and trims the folder if due. */
  flush(rotate = false): void {
    const segment = this.segment;
    if (!segment) return;
    if (this.rows.length > 0) {
      segment.bytes += writeAll(segment.csv, Buffer.from(this.rows.join('\n') + '\n'));
      this.counts.rows += this.rows.length;
      this.rows = [];
    }
    if (!this.records.empty) {
      if (segment.linkType === undefined) {
        segment.linkType = this.recordsLinkType;
        segment.bytes += writeAll(segment.pcap, pcapFileHeader(segment.linkType!));
      }
      this.counts.packets += this.records.count;
      for (const chunk of this.records.take()) segment.bytes += writeAll(segment.pcap, chunk);
    }
    fdatasyncSync(segment.csv);
    fdatasyncSync(segment.pcap);
    if (rotate || shouldRotate(segment, this.now(), this.options)) {
      const stem = segment.stem;
      this.close();
      this.open();
      this.options.log(`record: closed ${stem} (${mb(this.closed.at(-1)!.bytes)}); now ${this.segment!.stem}; ${mb(this.diskBytes())} of ${mb(this.options.maxTotalBytes)} in use`);
    }
    this.trim();
    if (this.now() - this.lastReportMs >= (this.options.reportMs ?? 60_000)) {
      this.lastReportMs = this.now();
      this.options.log(`record: ${this.counts.rows} rows, ${this.counts.packets} packets; ${mb(this.diskBytes())} of ${mb(this.options.maxTotalBytes)} in use`);
    }
  }

  /** A full or vanished disk stops the recording with a line saying why; the box keeps guarding. */
  private flushOrGiveUp(rotate = false): void {
    try {
      this.flush(rotate);
    } catch (error) {
      this.options.log(`record: stopped: ${this.options.dir}: ${fsReason(error)}`);
      clearInterval(this.timer);
      this.timer = undefined;
      this.rows = [];
      this.records.take();
      try {
        this.close();
      } catch {
        this.segment = undefined;
      }
    }
  }

  private open(): void {
    let stem = segmentStem(this.now());
    // Two segments in one millisecond (a rotation forced by a link-type change) get a suffix.
    for (let n = 1; this.closed.some((s) => s.stem === stem); n++) stem = `${segmentStem(this.now())}-${n}`;
    const csv = openSync(join(this.options.dir, `${stem}.csv`), 'wx');
    const pcap = openSync(join(this.options.dir, `${stem}.pcap`), 'wx');
    const header = writeSync(csv, DATASET_HEADER + '\n');
    this.segment = { stem, csv, pcap, linkType: undefined, startedMs: this.now(), bytes: header };
  }

  private close(): void {
    const segment = this.segment!;
    closeSync(segment.csv);
    closeSync(segment.pcap);
    this.closed.push({ stem: segment.stem, bytes: segment.bytes });
    this.segment = undefined;
  }

  private diskBytes(): number {
    return this.closed.reduce((a, s) => a + s.bytes, 0) + (this.segment?.bytes ?? 0);
  }

  private trim(): void {
    const all = [...this.closed, { stem: this.segment?.stem ?? '', bytes: this.segment?.bytes ?? 0 }];
    for (const stem of segmentsToDelete(all, this.options.maxTotalBytes)) {
      for (const ext of ['.csv', '.pcap']) {
        try {
          unlinkSync(join(this.options.dir, stem + ext));
        } catch {
          // already gone (a person tidied the folder): nothing to free
        }
      }
      this.closed = this.closed.filter((s) => s.stem !== stem);
      this.counts.deleted++;
      this.options.log(`record: deleted ${stem} to stay within ${mb(this.options.maxTotalBytes)}`);
    }
  }
}

/** Segments left by earlier runs, oldest first, so the budget counts them too. */
function existingSegments(dir: string): SegmentOnDisk[] {
  const sizes = new Map<string, number>();
  for (const name of readdirSync(dir)) {
    const match = /^(.*)\.(csv|pcap)$/.exec(name);
    if (!match || !isSegmentStem(match[1])) continue;
    sizes.set(match[1], (sizes.get(match[1]) ?? 0) + statSync(join(dir, name)).size);
  }
  return [...sizes].sort((a, b) => a[0].localeCompare(b[0])).map(([stem, bytes]) => ({ stem, bytes }));
}

/** writeSync may write less than asked (a signal, a nearly full disk): write the rest too. */
function writeAll(fd: number, bytes: Uint8Array): number {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  return done;
}

function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a folder';
  if (code === 'ENOENT') return 'the folder is gone';
  if (code === 'EROFS') return 'read-only file system';
  return error instanceof Error ? error.message : String(error);
}

/** "31 KB", "12.4 MB", "1.2 GB": what a person reads in a log line. */
export function diskSize(bytes: number): string {
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

const mb = diskSize;
