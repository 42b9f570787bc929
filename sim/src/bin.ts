#!/usr/bin/env node
// `earshot-sim`: simulate, demo, report (sim/src/cli/sim-main.ts). Not shipped on the box.
import { endQuietlyWhenStdoutCloses, processIo } from '../../appliance/src/cli/cli-io.js';
import { installFatalHandlers } from '../../appliance/src/cli/fatal-handlers.js';
import { runSimCli } from './cli/sim-main.js';

installFatalHandlers(process, processIo.stderr);
endQuietlyWhenStdoutCloses(process);
process.exitCode = await runSimCli(process.argv.slice(2), processIo);
// As the product's bin.ts: a live capture's poll handle can outlive the command (docs/capture.md).
setTimeout(() => process.exit(), 1000).unref();
