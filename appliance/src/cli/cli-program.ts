// commander over a command's argv: generated help (with examples), and one-line errors for an
// unknown option or a missing argument, followed by the command's usage line (exit 2). Validation
// only: the command then parses the same argv itself, so its own checks and messages stay.

import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT, EXIT_OK, type CliIo } from './cli-io.js';
import type { CommandSpec } from './command-specs.js';

/** What commander parsed that a command's own parser cannot express: every --device, in order. */
export interface ParsedExtras {
  devices: string[];
}

export type Checked = { ok: true; extras: ParsedExtras } | { ok: false; code: number };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `CAPTURE [options]`: the arguments as the user types them, then the options. */
export function usageLine(spec: CommandSpec): string {
  return [...(spec.args ?? []).map((a) => a.replace(/^<(.*)>$/, '$1')), '[options]'].join(' ');
}

export function buildCommand(program: string, name: string, spec: CommandSpec, io: CliIo): Command {
  const root = new Command(program).exitOverride();
  const command = new Command(name).description(spec.summary).usage(usageLine(spec)).allowExcessArguments(true).exitOverride();
  for (const arg of spec.args ?? []) command.argument(arg);
  for (const [flags, description] of spec.options) {
    if (flags.startsWith('--device ')) command.option(flags, description, collect);
    else command.option(flags, description);
  }
  command.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`);
  command.action(() => {});
  // Errors are written by checkArgs in the house style; help goes to stdout.
  const output = { writeOut: (text: string) => io.stdout(text), writeErr: () => {}, outputError: () => {} };
  root.configureOutput(output);
  command.configureOutput(output);
  root.addCommand(command);
  return command;
}

export function helpText(program: string, name: string, spec: CommandSpec, io: CliIo): string {
  const command = buildCommand(program, name, spec, io);
  let after = '';
  command.configureOutput({ writeOut: (text) => (after += text), writeErr: () => {}, outputError: () => {} });
  // helpInformation() leaves out addHelpText; outputHelp() includes it.
  command.outputHelp();
  return after;
}

export function checkArgs(program: string, name: string, spec: CommandSpec, args: string[], io: CliIo): Checked {
  const command = buildCommand(program, name, spec, io);
  try {
    command.parent!.parse([name, ...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return { ok: false, code: EXIT_OK };
    const message = error.message.replace(/^error: /, '');
    io.stderr(`${program} ${name}: ${message}\nusage: ${program} ${name} ${usageLine(spec)}\n`);
    return { ok: false, code: EXIT_BAD_INPUT };
  }
  const device = command.opts().device as string[] | undefined;
  return { ok: true, extras: { devices: device ?? [] } };
}
