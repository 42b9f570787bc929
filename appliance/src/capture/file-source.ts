// A PacketSource over a pcap/pcapng file: streams it through one reused buffer into the parser.

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
}

const DEFAULT_CHUNK = 1 << 20;

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
      else await this.readFast(handle, onFrame);
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

  private async readFast(handle: FileHandle, onFrame: (frame: CapturedFrame) => void): Promise<void> {
    const parser = new CaptureFileParser(this.path, (frame) => {
      if (this.stopped) return;
      if (frame.linkType !== this.checkedLinkType) this.checkLinkType(frame.linkType);
      this.delivered++;
      onFrame(frame);
    });
    const buffer = new Uint8Array(this.chunkSize);
    while (!this.stopped) {
      const { bytesRead } = await readChunk(handle, buffer, this.path, parser.framesRead);
      if (bytesRead === 0) return parser.finish();
      parser.push(buffer.subarray(0, bytesRead));
    }
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

async function readChunk(handle: FileHandle, buffer: Uint8Array, path: string, framesRead: number): Promise<{ bytesRead: number }> {
  try {
    return await handle.read(buffer, 0, buffer.length, null);
  } catch (error) {
    throw new CaptureInputError(path, 'cannot read', openProblem(error), framesRead);
  }
}
