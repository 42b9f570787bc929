// The `earshot` command line: dispatches to one command and turns errors into exit codes.
// Bad usage or input: one line on stderr, exit 2. Anything else is a bug: exit 1, with the stack
// only when EARSHOT_DEBUG is set, because the box's users never see a terminal.

import { InputError } from '../input-error.js';
import { EXIT_BAD_INPUT, EXIT_INTERNAL, type CliIo } from './cli-io.js';

type Command = (args: string[], io: CliIo) => Promise<number>;
interface CommandModule {
  run: Command;
  usage: string;
}

// Commands load on demand: the service should not carry the trainer or the simulator in memory
// (a Pi Zero 2 W has 512 MB), and `earshot` starts faster.
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  replay: () => import('./replay-command.js').then((m) => ({ run: m.replayCommand, usage: m.REPLAY_USAGE })),
  features: () => import('./features-command.js').then((m) => ({ run: m.featuresCommand, usage: m.FEATURES_USAGE })),
  figures: () => import('./figures-command.js').then((m) => ({ run: m.figuresCommand, usage: m.FIGURES_USAGE })),
  demo: () => import('./demo-command.js').then((m) => ({ run: m.demoCommand, usage: m.DEMO_USAGE })),
  run: () => import('./run-command.js').then((m) => ({ run: m.runServiceCommand, usage: m.RUN_USAGE })),
  record: () => import('./record-command.js').then((m) => ({ run: m.recordCommand, usage: m.RECORD_USAGE })),
  train: () => import('./train-command.js').then((m) => ({ run: m.trainCommand, usage: m.TRAIN_USAGE })),
  'train-report': () => import('./train-report-command.js').then((m) => ({ run: m.trainReportCommand, usage: m.TRAIN_REPORT_USAGE })),
  ap: () => import('./ap-command.js').then((m) => ({ run: m.apCommand, usage: m.AP_USAGE })),
  simulate: () => import('./simulate-command.js').then((m) => ({ run: m.simulateCommand, usage: m.SIMULATE_USAGE })),
  doctor: () => import('./doctor-command.js').then((m) => ({ run: (args, io) => m.doctorCommand(args, io), usage: m.DOCTOR_USAGE })),
  calibrate: () => import('./calibrate-command.js').then((m) => ({ run: (args, io) => m.calibrateCommand(args, io), usage: m.CALIBRATE_USAGE })),
  firstboot: () => import('./firstboot-command.js').then((m) => ({ run: m.firstbootCommand, usage: m.FIRSTBOOT_USAGE })),
};

export async function usage(): Promise<string> {
  const modules = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return ['usage: earshot COMMAND ...', ...modules.map((c) => `  earshot ${c.usage}`)].join('\n') + '\n';
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(await usage());
    return name === undefined ? EXIT_BAD_INPUT : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`earshot: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT_BAD_INPUT;
  }
  const command = await load();
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`earshot ${name}: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (isParseArgsError(error)) {
      io.stderr(`earshot ${name}: ${(error as Error).message}\nusage: earshot ${command.usage}\n`);
      return EXIT_BAD_INPUT;
    }
    const detail = process.env.EARSHOT_DEBUG ? `\n${(error as Error)?.stack ?? error}` : ' (set EARSHOT_DEBUG=1 for details)';
    io.stderr(`earshot ${name}: internal error: ${(error as Error)?.message ?? error}${detail}\n`);
    return EXIT_INTERNAL;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
