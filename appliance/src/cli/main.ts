// The `earshot` command line: dispatches to one command and turns errors into exit codes.
// Bad usage or input: one line on stderr, exit 2. Anything else is a bug: exit 1, with the stack
// only when EARSHOT_DEBUG is set, because the box's users never see a terminal.

import { CaptureInputError } from '../capture/packet-source.js';
import { MicTimelineError } from '../mic/mic-timeline.js';
import { EXIT_BAD_INPUT, EXIT_INTERNAL, UsageError, type CliIo } from './cli-io.js';
import { demoCommand } from './demo-command.js';
import { featuresCommand } from './features-command.js';
import { replayCommand } from './replay-command.js';
import { runServiceCommand } from './run-command.js';
import { ConfigError } from '../service/load-config.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  replay: { run: replayCommand, usage: 'replay CAPTURE [--mic MIC.csv] [--device IP|MAC] [--grace SECONDS] [--jsonl]' },
  features: { run: featuresCommand, usage: 'features CAPTURE [--mic MIC.csv] [--device IP|MAC] [--grace SECONDS] -o OUT.csv' },
  demo: { run: demoCommand, usage: 'demo [--jsonl] [--keep DIR]' },
  run: { run: runServiceCommand, usage: 'run [--config FILE]' },
};

export function usage(): string {
  return ['usage: earshot COMMAND ...', ...Object.values(COMMANDS).map((c) => `  earshot ${c.usage}`)].join('\n') + '\n';
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT_BAD_INPUT : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`earshot: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT_BAD_INPUT;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof CaptureInputError || error instanceof MicTimelineError || error instanceof ConfigError) {
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
