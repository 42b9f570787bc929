// Reads a config file (JSON, or YAML for any other extension) and checks its ap: and
// enforcement: sections. Every problem becomes a ConfigError with a one-line message.

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './config-errors.js';
import { checkApConfigFile, type ApConfig, type EnforcementConfig } from './config.js';

export async function readConfigDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new ConfigError(file, [{ path: '(file)', message: problem }]);
  }
  return parseConfigText(text, file);
}

/** JSON for `.json`, YAML 1.2 otherwise (so `yes` stays a string and a bare `NO` is Norway). */
export function parseConfigText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError(file, [{ path: '(syntax)', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  try {
    return parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos ? `line ${error.linePos[0].line}` : '(syntax)';
      // The first line of yaml's message, without its own " at line N, column M:" suffix.
      const problem = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new ConfigError(file, [{ path: where, message: `not valid YAML: ${problem}` }]);
    }
    throw error;
  }
}

export async function loadApConfigFile(file: string): Promise<{ ap: ApConfig; enforcement: EnforcementConfig }> {
  return checkApConfigFile(await readConfigDocument(file), file);
}
