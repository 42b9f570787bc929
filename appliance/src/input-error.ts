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

/**
 * Hardware the box needs is missing or cannot be opened (a capture interface, a GPIO chip or
 * line, an I2C sensor): the CLI shows the one-line message and exits 3 (docs/cli.md), so a unit
 * file or script can tell "fix the wiring" from "fix the config" (2).
 */
export class HardwareError extends Error {
  constructor(
    readonly device: string,
    readonly problem: string,
  ) {
    super(`${device}: ${problem}`);
    this.name = 'HardwareError';
  }
}
