import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { installFatalHandlers } from '../../appliance/src/cli/fatal-handlers.js';
import { REPO_ROOT } from '../support/shared-data.js';

test('an unhandled rejection is one line on stderr and exit code 1, in a real process', () => {
  const script = [
    `import { installFatalHandlers } from ${JSON.stringify(join(REPO_ROOT, 'appliance/src/cli/fatal-handlers.ts'))};`,
    'installFatalHandlers(process, (t) => process.stderr.write(t));',
    "Promise.reject(new Error('the broker adapter lost its socket'));",
    'setTimeout(() => process.stdout.write("still running"), 2000);',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^earshot: internal error, exiting: unhandled promise rejection: Error: the broker adapter lost its socket/);
});

test('a rejection with something that is not an Error is described too', () => {
  let exitCode: number | undefined;
  let listener: ((reason: unknown) => void) | undefined;
  let text = '';
  installFatalHandlers(
    {
      on: (_event, l) => (listener = l),
      exit: ((code: number) => {
        exitCode = code;
      }) as (code: number) => never,
    },
    (t) => (text += t),
  );
  listener!('timeout\nsecond line');
  assert.equal(exitCode, 1);
  assert.equal(text, 'earshot: internal error, exiting: unhandled promise rejection: timeout\n');
});
