// What a command needs from the outside world, so tests can run commands in-process.

import { InputError } from '../input-error.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/**
 * `earshot replay x.pcap | head`: the reader has all it wanted. Stop quietly, as a Unix tool
 * killed by SIGPIPE would (node ignores the signal, so the write fails with EPIPE instead).
 */
export function endQuietlyWhenStdoutCloses(proc: NodeJS.Process): void {
  proc.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    proc.exit(0);
  });
}

/** Bad usage or bad input: exit code 2 with a one-line message and no stack trace. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;
/** A capture interface, GPIO chip/line or I2C sensor that does not exist or cannot be opened. */
export const EXIT_HARDWARE = 3;
