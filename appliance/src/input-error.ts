// The base of every error a user can fix (a bad file, field or value): the CLI shows its
// one-line message and exits 2. Anything else is a bug.
export class InputError extends Error {}

/** A bad config value: names the file, the field (a dotted path) and the problem, in one line. */
export class ConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'ConfigError';
  }
}
