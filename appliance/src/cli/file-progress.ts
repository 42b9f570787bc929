// A progress bar on stderr for `replay` and `features` over a file: only when stderr is a
// terminal, and only once the run has lasted 2 s (a short replay should not flash a bar).
// FileSource does not expose its read position, so progress is the bytes the frames account for
// (pcap: a 16-byte record header plus the captured bytes each), against the file's size.

import cliProgress from 'cli-progress';
import { statSync } from 'node:fs';
import type { CaptureStats, PacketSource } from '../capture/packet-source.js';
import type { CapturedFrame } from '../decode/types.js';

const RECORD_HEADER_BYTES = 16;
const UPDATE_EVERY_FRAMES = 2048;

/** `source`, reporting its progress on `stream` when that is a TTY; otherwise `source` itself. */
export function withFileProgress(source: PacketSource, path: string, stream: NodeJS.WriteStream = process.stderr, delayMs = 2000): PacketSource {
  if (!stream.isTTY) return source;
  let total: number;
  try {
    total = statSync(path).size;
  } catch {
    return source; // the source reports the unreadable file itself
  }
  if (total === 0) return source;
  let done = 0;
  let frames = 0;
  let bar: cliProgress.SingleBar | undefined;
  const timer = setTimeout(() => {
    bar = new cliProgress.SingleBar(
      { format: `${path} [{bar}] {percentage}% | ETA {eta_formatted}`, stream, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, Math.min(done, total));
  }, delayMs);
  timer.unref();
  const finish = (): void => {
    clearTimeout(timer);
    bar?.stop();
    bar = undefined;
  };
  return {
    description: source.description,
    stop: () => source.stop(),
    stats: (): CaptureStats => source.stats(),
    async run(onFrame: (frame: CapturedFrame) => void): Promise<void> {
      try {
        await source.run((frame) => {
          done += RECORD_HEADER_BYTES + frame.bytes.length;
          if (++frames % UPDATE_EVERY_FRAMES === 0) bar?.update(Math.min(done, total));
          onFrame(frame);
        });
      } finally {
        finish();
      }
    },
  };
}
