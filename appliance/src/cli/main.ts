// The `earshot` command line: dispatches to one command and turns errors into exit codes.
// Bad usage or input: one line on stderr, exit 2; hardware that cannot be opened: exit 3. Anything else is a bug: exit 1, with the stack
// only when EARSHOT_DEBUG is set, because the box's users never see a terminal.

import { isHardwareError as isSensorHardwareError } from '../../../gpio/hardware-error.js';
import { HardwareError, InputError } from '../input-error.js';
import { EARSHOT_VERSION } from '../version.js';
import { EXIT_BAD_INPUT, EXIT_HARDWARE, EXIT_INTERNAL, EXIT_OK, type CliIo } from './cli-io.js';
import { checkArgs, helpText, type ParsedExtras } from './cli-program.js';
import { PRODUCT_SPECS, type CommandSpec } from './command-specs.js';

/** `extras`: what commander parsed beyond the command's own parser (every --device given). */
type Command = (args: string[], io: CliIo, extras?: ParsedExtras) => Promise<number>;
export interface CommandModule {
  run: Command;
  usage: string;
}
export type CommandTable = Record<string, () => Promise<CommandModule>>;

// Commands load on demand: the service should not carry the trainer in memory
// (a Pi Zero 2 W has 512 MB), and `earshot` starts faster.
const COMMANDS: CommandTable = {
  replay: () => import('./replay-command.js').then((m) => ({ run: m.replayCommand, usage: m.REPLAY_USAGE })),
  features: () => import('./features-command.js').then((m) => ({ run: m.featuresCommand, usage: m.FEATURES_USAGE })),
  figures: () => import('./figures-command.js').then((m) => ({ run: m.figuresCommand, usage: m.FIGURES_USAGE })),
  run: () => import('./run-command.js').then((m) => ({ run: m.runServiceCommand, usage: m.RUN_USAGE })),
  record: () => import('./record-command.js').then((m) => ({ run: m.recordCommand, usage: m.RECORD_USAGE })),
  train: () => import('./train-command.js').then((m) => ({ run: m.trainCommand, usage: m.TRAIN_USAGE })),
  'train-report': () => import('./train-report-command.js').then((m) => ({ run: m.trainReportCommand, usage: m.TRAIN_REPORT_USAGE })),
  ap: () => import('./ap-command.js').then((m) => ({ run: m.apCommand, usage: m.AP_USAGE })),
  doctor: () => import('./doctor-command.js').then((m) => ({ run: (args, io) => m.doctorCommand(args, io), usage: m.DOCTOR_USAGE })),
  calibrate: () => import('./calibrate-command.js').then((m) => ({ run: (args, io) => m.calibrateCommand(args, io), usage: m.CALIBRATE_USAGE })),
  firstboot: () => import('./firstboot-command.js').then((m) => ({ run: m.firstbootCommand, usage: m.FIRSTBOOT_USAGE })),
};

/**
 * The simulator's commands live in sim/ (docs/simulator.md), which the box does not ship: the
 * product only points at them, so that it never imports the simulator.
 */
const DEVELOPER_COMMANDS: Record<string, string> = {
  simulate: 'npx tsx sim/src/bin.ts simulate',
  demo: 'make demo',
};

export async function usage(program = 'earshot', commands: CommandTable = COMMANDS): Promise<string> {
  const modules = await Promise.all(Object.values(commands).map((load) => load()));
  return [`usage: ${program} COMMAND ...`, ...modules.map((c) => `  ${program} ${c.usage}`)].join('\n') + '\n';
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const developer = Object.hasOwn(DEVELOPER_COMMANDS, argv[0] ?? '') ? DEVELOPER_COMMANDS[argv[0]] : undefined;
  if (developer) {
    io.stderr(`earshot ${argv[0]}: a developer command, not part of the box: run \`${developer}\` in a checkout of the repository\n`);
    return EXIT_BAD_INPUT;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.stdout(`${EARSHOT_VERSION}\n`);
    return EXIT_OK;
  }
  if (argv[0] === 'completion') {
    if (argv[1] !== 'bash' || argv.length > 2) {
      io.stderr(`earshot completion: expected 'bash' (got ${argv[1] === undefined ? 'nothing' : `'${argv.slice(1).join(' ')}'`})\nusage: earshot completion bash\n`);
      return EXIT_BAD_INPUT;
    }
    const { bashCompletion } = await import('./completion.js');
    io.stdout(bashCompletion('earshot', PRODUCT_SPECS, io));
    return EXIT_OK;
  }
  return dispatch('earshot', COMMANDS, argv, io, PRODUCT_SPECS);
}

/** Runs one command of `commands` and turns its errors into exit codes; the simulator's CLI uses it too. */
export async function dispatch(program: string, commands: CommandTable, argv: string[], io: CliIo, specs: Record<string, CommandSpec> = {}): Promise<number> {
  const [name, ...args] = argv;
  const specOf = (command: string | undefined): CommandSpec | undefined => (command !== undefined && Object.hasOwn(specs, command) ? specs[command] : undefined);
  const helpFor = specOf(args[0]);
  if (name === 'help' && args[0] !== undefined && helpFor) {
    io.stdout(helpText(program, args[0], helpFor, io));
    return EXIT_OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(await usage(program, commands));
    return name === undefined ? EXIT_BAD_INPUT : 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    io.stderr(`${program}: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})\n`);
    return EXIT_BAD_INPUT;
  }
  // Commands declared to commander are checked (and their --help answered) before they load.
  const spec = specOf(name);
  let extras: ParsedExtras | undefined;
  if (spec) {
    const checked = checkArgs(program, name, spec, args, io);
    if (!checked.ok) return checked.code;
    extras = checked.extras;
  }
  const command = await load();
  try {
    return await command.run(args, io, extras);
  } catch (error) {
    // gpio/'s own HardwareError (a GPIO line, an I2C sensor) is hardware too.
    if (error instanceof HardwareError || isSensorHardwareError(error)) {
      io.stderr(`${program} ${name}: ${error.message}\n`);
      return EXIT_HARDWARE;
    }
    if (error instanceof InputError) {
      io.stderr(`${program} ${name}: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (isParseArgsError(error)) {
      io.stderr(`${program} ${name}: ${(error as Error).message}\nusage: ${program} ${command.usage}\n`);
      return EXIT_BAD_INPUT;
    }
    const detail = process.env.EARSHOT_DEBUG ? `\n${(error as Error)?.stack ?? error}` : ' (set EARSHOT_DEBUG=1 for details)';
    io.stderr(`${program} ${name}: internal error: ${(error as Error)?.message ?? error}${detail}\n`);
    return EXIT_INTERNAL;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
