// A PacketSource over a pcap/pcapng file. Fast replay reads ahead: the next chunk is on its way
// from the disk while the parser and the pipeline work on this one, and each chunk is a fresh
// buffer handed to the parser for good, so frames are views into it and nothing is copied.

import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CAPTURE_DEFAULTS } from '../defaults.js';
import { linkTypeLabel, SUPPORTED_LINK_TYPES, type CapturedFrame } from '../decode/types.js';
import { CaptureFileParser } from './capture-file-parser.js';
import { CaptureInputError, type CaptureStats, type PacketSource } from './packet-source.js';

export interface FileSourceOptions {
  /** 'fast' (default) delivers as fast as possible; 'recorded' keeps the capture's frame spacing. */
  pace?: 'fast' | 'recorded';
  /** With 'recorded': how many times faster than recorded (the demo plays a day in a minute). */
  speed?: number;
  chunkSize?: number;
  /** Reads of a regular file in flight at once in fast replay (default READ_AHEAD). */
  readAhead?: number;
}

// Fresh chunks are garbage once their frames are judged: 256 KiB keeps the replay's peak RSS where
// the copying reader had it (78 MB on the 300k-frame bench capture; 1 MiB chunks: 86 MB) at the same speed.
const DEFAULT_CHUNK = 1 << 18;
/** Reads of a regular file in flight at once: the disk (or page cache) works while the pipeline does. */
const READ_AHEAD = 2;

function openProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a capture file';
  return error instanceof Error ? error.message : String(error);
}

export class FileSource implements PacketSource {
  readonly description: string;
  private readonly pace: 'fast' | 'recorded';
  private readonly speed: number;
  private readonly chunkSize: number;
  private readonly readAhead: number;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private delivered = 0;
  /** The last link type checked: frames change it rarely, so the check costs one comparison. */
  private checkedLinkType = -1;

  constructor(
    readonly path: string,
    options: FileSourceOptions = {},
  ) {
    this.description = `file ${path}`;
    this.pace = options.pace ?? CAPTURE_DEFAULTS.pace;
    this.speed = options.speed ?? 1;
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    this.readAhead = Math.max(1, options.readAhead ?? READ_AHEAD);
  }

  async run(onFrame: (frame: CapturedFrame) => void): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      throw new CaptureInputError(this.path, 'cannot open', openProblem(error), 0);
    }
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new CaptureInputError(this.path, 'cannot open', 'is a directory, not a capture file', 0);
      if (this.pace === 'recorded') await this.readPaced(handle, onFrame);
      else await this.readFast(handle, onFrame, info.isFile());
    } finally {
      await handle.close();
    }
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp?.();
  }

  stats(): CaptureStats {
    return { received: this.delivered, dropped: 0, interfaceDropped: 0 };
  }

  /** `regular`: a plain file, read ahead at known positions; a pipe or a device is read in turn. */
  private async readFast(handle: FileHandle, onFrame: (frame: CapturedFrame) => void, regular: boolean): Promise<void> {
    const parser = new CaptureFileParser(this.path, (frame) => {
      if (this.stopped) return;
      if (frame.linkType !== this.checkedLinkType) this.checkLinkType(frame.linkType);
      this.delivered++;
      onFrame(frame);
    });
    let position = 0;
    const readNext = (): Promise<{ bytesRead: number; buffer: Uint8Array }> => {
      const chunk = readChunk(handle, new Uint8Array(this.chunkSize), this.path, parser.framesRead, regular ? position : null);
      position += this.chunkSize;
      // Awaited later, in order; marked handled now, so a failed read ahead is this run's error, not an unhandled rejection.
      chunk.catch(() => undefined);
      return chunk;
    };
    const reads = [readNext()];
    while (regular && reads.length < this.readAhead) reads.push(readNext());
    while (!this.stopped) {
      const { bytesRead, buffer } = await reads.shift()!;
      if (bytesRead === 0) return parser.finish();
      // A short read of a regular file is its end (the reads asked for beyond it come back empty).
      const more = !regular || bytesRead === buffer.length;
      if (more) reads.push(readNext());
      parser.push(buffer.subarray(0, bytesRead), true);
      if (!more) {
        await Promise.allSettled(reads);
        return parser.finish();
      }
    }
    // Stopped: let the reads in flight finish before the handle closes.
    await Promise.allSettled(reads);
  }

  /** Frames of one chunk are collected, then released at their capture-time spacing. */
  private async readPaced(handle: FileHandle, onFrame: (frame: CapturedFrame) => void): Promise<void> {
    let batch: CapturedFrame[] = [];
    const parser = new CaptureFileParser(this.path, (frame) => {
      if (frame.linkType !== this.checkedLinkType) this.checkLinkType(frame.linkType);
      batch.push(frame);
    });
    const buffer = new Uint8Array(this.chunkSize);
    let firstCaptureUs: number | undefined;
    let firstWallMs = 0;
    const deliver = async (): Promise<void> => {
      for (const frame of batch) {
        if (this.stopped) return;
        if (firstCaptureUs === undefined) {
          firstCaptureUs = frame.timeUs;
          firstWallMs = performance.now();
        }
        const dueMs = firstWallMs + (frame.timeUs - firstCaptureUs) / 1000 / this.speed;
        // Timers can fire a little early, so sleep until the due time has really passed.
        for (let waitMs = dueMs - performance.now(); waitMs > 0 && !this.stopped; waitMs = dueMs - performance.now()) {
          await this.interruptibleSleep(Math.ceil(waitMs));
        }
        if (this.stopped) return;
        this.delivered++;
        onFrame(frame);
      }
      batch = [];
    };
    while (!this.stopped) {
      const { bytesRead } = await readChunk(handle, buffer, this.path, parser.framesRead);
      try {
        if (bytesRead === 0) parser.finish();
        else parser.push(buffer.subarray(0, bytesRead));
      } finally {
        // Frames before a parse error are still delivered before run() rejects.
        await deliver();
      }
      if (bytesRead === 0) return;
    }
  }

  /**
   * A frame the decoder cannot read ends the run with an error naming its link type, rather than
   * "decoded 0 frames" and exit 0 (e.g. a Wi-Fi monitor capture handed in for the Echo's traffic).
   */
  private checkLinkType(linkType: number): void {
    if (!SUPPORTED_LINK_TYPES.has(linkType)) {
      const supported = [...new Set(SUPPORTED_LINK_TYPES.values())].join(', ');
      throw new CaptureInputError(this.path, 'link type', `${linkTypeLabel(linkType)} is not supported (earshot reads ${supported})`, this.delivered);
    }
    this.checkedLinkType = linkType;
  }

  private async interruptibleSleep(ms: number): Promise<void> {
    const controller = new AbortController();
    this.wakeUp = () => controller.abort();
    try {
      await sleep(ms, undefined, { signal: controller.signal });
    } catch {
      // aborted by stop()
    } finally {
      this.wakeUp = undefined;
    }
  }
}

async function readChunk(handle: FileHandle, buffer: Uint8Array, path: string, framesRead: number, position: number | null = null): Promise<{ bytesRead: number; buffer: Uint8Array }> {
  try {
    return await handle.read(buffer, 0, buffer.length, position);
  } catch (error) {
    throw new CaptureInputError(path, 'cannot read', openProblem(error), framesRead);
  }
}
