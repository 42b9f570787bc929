#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { installFatalHandlers } from './fatal-handlers.js';
import { runCli } from './main.js';

installFatalHandlers(process, processIo.stderr);
// `earshot replay x.pcap | head`: the reader has all it wanted. Stop quietly, as a Unix tool
// killed by SIGPIPE would (node ignores the signal, so the write fails with EPIPE instead).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
process.exitCode = await runCli(process.argv.slice(2), processIo);
// The command is done. A live capture's poll handle outlives stop() until the next packet
// arrives (docs/capture.md), which on a quiet interface is never: do not wait for it.
setTimeout(() => process.exit(), 1000).unref();
