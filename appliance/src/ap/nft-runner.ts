// How the enforcer changes nftables: a list of commands applied as one `nft -f -` transaction
// (all or nothing, no shell quoting). Injected, so unit tests see the exact commands.

import { spawnRunner, type CommandRunner } from './command-runner.js';

export interface NftRunner {
  apply(commands: readonly string[]): Promise<void>;
}

export class NftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NftError';
  }
}

export function commandNftRunner(runner: CommandRunner = spawnRunner(10_000), nft = 'nft'): NftRunner {
  return {
    async apply(commands) {
      const result = await runner.run(nft, ['-f', '-'], `${commands.join('\n')}\n`);
      if (result.code !== 0) throw new NftError(`nft failed (exit ${result.code}): ${result.stderr.trim().split('\n')[0] ?? ''}`);
    },
  };
}
