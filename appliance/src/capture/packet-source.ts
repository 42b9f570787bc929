// The one interface every packet source (capture file, live interface) implements.

import type { CapturedFrame } from '../decode/types.js';
import { InputError } from '../input-error.js';

export interface CaptureStats {
  /** Frames the source saw (for live capture: libpcap's ps_recv). */
  received: number;
  /** Frames lost because the capture buffer was full (libpcap's ps_drop). */
  dropped: number;
  /** Frames the interface or driver dropped (libpcap's ps_ifdrop; 0 may mean "unknown"). */
  interfaceDropped: number;
}

export interface PacketSource {
  /** e.g. "file x.pcap" or "interface wlan0" */
  readonly description: string;
  /**
   * Calls onFrame synchronously for each frame, in order; resolves when the source ends (EOF or
   * stop()). Rejects with CaptureInputError for bad input, AFTER delivering every good frame
   * before the problem. An exception thrown by onFrame stops the source and rejects run().
   */
  run(onFrame: (frame: CapturedFrame) => void): Promise<void>;
  stop(): void;
  stats(): CaptureStats;
}

/**
 * Bad capture input. When `byteOffset` is given the problem is at a place in the file and the
 * message also says how many frames were delivered before it.
 */
export class CaptureInputError extends InputError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
    readonly framesRead: number,
    readonly byteOffset?: number,
  ) {
    const where = byteOffset === undefined ? '' : ` at byte ${byteOffset}`;
    const kept = byteOffset === undefined ? '' : `; kept ${framesRead} frame${framesRead === 1 ? '' : 's'}`;
    super(`${file}: ${field}${where}: ${problem}${kept}`);
    this.name = 'CaptureInputError';
  }
}
