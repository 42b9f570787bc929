// `earshot` as a child process follows the usual conventions: --version, --help per command, and
// one-line usage errors with exit 2 (docs/cli.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('earshot run on a capture interface that does not exist: one line naming it, exit 3', (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('opening a live interface needs root (CAP_NET_RAW); not root here');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'earshot-hw-'));
  try {
    const config = join(dir, 'earshot.yaml');
    writeFileSync(config, `capture:\n  interface: es-nosuch0\nstate:\n  path: ${join(dir, 'state.json')}\nstatus_page:\n  enabled: false\n`);
    const r = earshot('run', '--config', config);
    assert.equal(r.code, 3, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('earshot run:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], /^earshot run: interface es-nosuch0: cannot open/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('output that is not a terminal has no escape codes (doctor labels, replay help)', () => {
  const r = earshot('doctor');
  assert.match(r.stdout, /^ {2}(ok|WARN|FAIL|skip) /m, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /\u001b\[/);
});

test('doctor --json prints the checks as one JSON object on stdout', () => {
  const r = earshot('doctor', '--json');
  assert.ok(r.code === 0 || r.code === 3, r.stderr);
  const report = JSON.parse(r.stdout) as { config: null; ok: boolean; checks: Array<{ name: string; status: string }> };
  assert.equal(report.config, null);
  assert.ok(report.checks.length > 0);
  assert.ok(report.checks.every((c) => ['ok', 'warn', 'fail', 'skip'].includes(c.status) && c.name.length > 0));
  assert.equal(report.ok, !report.checks.some((c) => c.status === 'fail'));
  assert.equal(r.code, report.ok ? 0 : 3);
});

test('earshot completion bash completes commands and each command\'s options', () => {
  const r = earshot('completion', 'bash');
  assert.equal(r.code, 0, r.stderr);
  const complete = (...words: string[]): string[] => {
    const script = `${r.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _earshot; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const b = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(b.status, 0, b.stderr);
    return b.stdout.split('\n').filter(Boolean);
  };
  assert.deepEqual(complete('earshot', 'rep'), ['replay']);
  assert.ok(complete('earshot', 'replay', '--').includes('--jsonl'));
  assert.ok(!complete('earshot', 'doctor', '--').includes('--jsonl'));
});
