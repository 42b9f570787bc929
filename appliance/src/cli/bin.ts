#!/usr/bin/env node
import { endQuietlyWhenStdoutCloses, processIo } from './cli-io.js';
import { installFatalHandlers } from './fatal-handlers.js';
import { runCli } from './main.js';

installFatalHandlers(process, processIo.stderr);
endQuietlyWhenStdoutCloses(process);
process.exitCode = await runCli(process.argv.slice(2), processIo);
// The command is done. A live capture's poll handle outlives stop() until the next packet
// arrives (docs/capture.md), which on a quiet interface is never: do not wait for it.
setTimeout(() => process.exit(), 1000).unref();
