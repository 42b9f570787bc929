// `earshot` as a child process follows the usual conventions: --version, --help per command, and
// one-line usage errors with exit 2 (docs/cli.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { EARSHOT_VERSION } from '../../appliance/src/version.js';

function earshot(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'appliance/src/cli/bin.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version and -V print the version and exit 0', () => {
  for (const flag of ['--version', '-V']) {
    const r = earshot(flag);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${EARSHOT_VERSION}\n`);
  }
});

test('COMMAND --help and help COMMAND print the same usage with an example, exit 0', () => {
  const a = earshot('features', '--help');
  const b = earshot('help', 'features');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, /^Usage: earshot features CAPTURE \[options\]/);
  assert.match(a.stdout, /-o, --output <OUT\.csv>/);
  assert.match(a.stdout, /Examples:\n {2}earshot features /);
});

test('an option without its value is one line naming it, then the usage, exit 2', () => {
  const r = earshot('doctor', '--config');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "earshot doctor: option '-c, --config <FILE>' argument missing\nusage: earshot doctor [options]\n");
});

test('--device may be given more than once', () => {
  // Both are accepted by the commander layer; the capture then fails as a missing file (exit 2).
  const r = earshot('replay', 'no-such.pcap', '--device', '192.0.2.10', '--device', '192.0.2.11');
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stderr, /unknown option|argument missing/);
  assert.match(r.stderr, /no-such\.pcap/);
});
