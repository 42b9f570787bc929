// The simulator's own command line, `earshot-sim` (sim/src/bin.ts): the developer commands that
// play simulated Echo traffic. It shares the product's dispatcher, so errors and exit codes read
// the same; the product never imports this folder (docs/simulator.md).

import type { CliIo } from '../../../appliance/src/cli/cli-io.js';
import { dispatch, type CommandTable } from '../../../appliance/src/cli/main.js';

const COMMANDS: CommandTable = {
  simulate: () => import('./simulate-command.js').then((m) => ({ run: m.simulateCommand, usage: m.SIMULATE_USAGE })),
  demo: () => import('./demo-command.js').then((m) => ({ run: m.demoCommand, usage: m.DEMO_USAGE })),
  // The realism report is `simulate --report`; `report` is its short name (`make sim-report`).
  report: () => import('./simulate-command.js').then((m) => ({ run: (args, io) => m.simulateCommand(['--report', ...args], io), usage: 'report [--shared DIR] [--doc FILE] [--reference FILE]' })),
};

export function runSimCli(argv: string[], io: CliIo): Promise<number> {
  return dispatch('earshot-sim', COMMANDS, argv, io);
}
