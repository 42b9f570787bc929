// Progress for long training runs: a live bar on a terminal (cli-progress), and on anything else
// (CI logs, systemd's journal, a pipe) a plain line every tenth of the way, so logs stay short.

import cliProgress from 'cli-progress';
import type { CliIo } from './cli-io.js';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function startProgress(what: string, total: number, io: CliIo, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${what} [{bar}] {value}/{total} | {duration_formatted} elapsed, ETA {eta_formatted}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  const started = Date.now();
  let lastTenth = 0;
  return {
    update(done) {
      const tenth = Math.floor((done * 10) / total);
      if (tenth > lastTenth || done === total) {
        lastTenth = tenth;
        io.stderr(`${what}: ${done}/${total} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      }
    },
    stop() {},
  };
}
