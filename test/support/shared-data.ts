// Where the team's shared data lives (beside the clone), and a skip that says why when it is absent.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED_DATA = process.env.EARSHOT_SHARED_DATA ?? join(REPO_ROOT, '..', 'shared', 'data');

/** The folder if present; otherwise undefined, after printing why the caller will skip. */
export function sharedDataDir(sub: string): string | undefined {
  const dir = join(SHARED_DATA, sub);
  if (existsSync(dir)) return dir;
  console.log(`skipping: ${dir} is absent (set EARSHOT_SHARED_DATA to the shared data folder)`);
  return undefined;
}
