// `earshot ap render` and `earshot ap apply`, run in-process: the files they write, the commands
// apply runs (through a recording runner: systemctl cannot run here), and the exit codes.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandRunner } from '../../appliance/src/ap/command-runner.js';
import { createApCommand } from '../../appliance/src/cli/ap-command.js';
import { UsageError } from '../../appliance/src/cli/cli-io.js';
import { runCli } from '../../appliance/src/cli/main.js';

let dir = '';
before(async () => void (dir = await mkdtemp(join(tmpdir(), 'earshot-ap-cli-'))));
after(async () => void (dir && (await rm(dir, { recursive: true, force: true }))));

const CONFIG = `ap:
  interface: wlan0
  uplink: eth0
  country_code: DE
  ssid: earshot
  wpa_passphrase: "correct horse battery"
  lan: { subnet: 192.0.2.0/24 }
`;

async function config(text = CONFIG, name = 'earshot.yaml'): Promise<string> {
  const folder = await mkdtemp(join(dir, 'case-'));
  const path = join(folder, name);
  await writeFile(path, text);
  return path;
}

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

/** Records every command; `fail` picks commands that exit 1. */
function recorder(fail: (command: string, args: string[]) => boolean = () => false) {
  const commands: string[] = [];
  const runner: CommandRunner = {
    run: async (command, args) => {
      commands.push([command, ...args].join(' '));
      return fail(command, args) ? { code: 1, stdout: '', stderr: `${command}: simulated failure\nsecond line` } : { code: 0, stdout: '', stderr: '' };
    },
  };
  return { commands, runner };
}

describe('earshot ap render', () => {
  test('writes hostapd.conf, dnsmasq.conf and earshot.nft into a new folder', async () => {
    const out = join(await mkdtemp(join(dir, 'render-')), 'ap');
    const { out: printed, io: cli } = io();
    assert.equal(await runCli(['ap', 'render', '--config', await config(), '--out', out], cli), 0);
    assert.deepEqual((await readdir(out)).sort(), ['dnsmasq.conf', 'earshot.nft', 'hostapd.conf']);
    assert.equal(printed.stdout, ['hostapd.conf', 'dnsmasq.conf', 'earshot.nft'].map((f) => `wrote ${join(out, f)}\n`).join(''));
    assert.equal((await stat(join(out, 'hostapd.conf'))).mode & 0o777, 0o600);
    assert.match(await readFile(join(out, 'hostapd.conf'), 'utf8'), /^ssid=earshot$/m);
  });

  test('reads a JSON config too', async () => {
    const out = join(dir, 'json-out');
    const json = JSON.stringify({ ap: { country_code: 'US', ssid: 'e', wpa_passphrase: '12345678' } });
    assert.equal(await runCli(['ap', 'render', '--config', await config(json, 'earshot.json'), '--out', out], io().io), 0);
    assert.match(await readFile(join(out, 'hostapd.conf'), 'utf8'), /^country_code=US$/m);
  });

  test('exits 2 with one line naming the file, the field and the value, and writes nothing', async () => {
    const out = join(dir, 'never-written');
    const path = await config(CONFIG.replace('"correct horse battery"', 'hunter2').replace('country_code: DE', 'country_code: de'));
    const { out: printed, io: cli } = io();
    assert.equal(await runCli(['ap', 'render', '--config', path, '--out', out], cli), 2);
    assert.equal(
      printed.stderr,
      `earshot ap: ${path}: ap.country_code: expected an ISO 3166-1 alpha-2 country code in capitals, such as DE or US (got "de"); ap.wpa_passphrase: expected 8–63 printable ASCII characters or 64 hex digits (got 7 characters)\n`,
    );
    await assert.rejects(stat(out), { code: 'ENOENT' });
  });

  test('exits 2 naming the line of a YAML syntax error', async () => {
    const path = await config('ap:\n  ssid: [unclosed\n');
    const { out: printed, io: cli } = io();
    assert.equal(await runCli(['ap', 'render', '--config', path, '--out', join(dir, 'x')], cli), 2);
    assert.match(printed.stderr, new RegExp(`^earshot ap: ${path}: line \\d+: not valid YAML: .+\\n$`));
  });

  test('exits 2 for a config file that does not exist', async () => {
    const { out: printed, io: cli } = io();
    assert.equal(await runCli(['ap', 'render', '--config', join(dir, 'missing.yaml'), '--out', join(dir, 'x')], cli), 2);
    assert.equal(printed.stderr, `earshot ap: ${join(dir, 'missing.yaml')}: (file): no such file\n`);
  });

  test('exits 2 without --out, and for an unknown subcommand', async () => {
    const { out: printed, io: cli } = io();
    assert.equal(await runCli(['ap', 'render', '--config', await config()], cli), 2);
    assert.equal(await runCli(['ap', 'start'], cli), 2);
    assert.deepEqual(printed.stderr.trim().split('\n'), [
      'earshot ap: ap render: --out DIR is required',
      'earshot ap: expected "render" or "apply" after "ap" (got "start"); usage: earshot ap render --config FILE --out DIR | ap apply --config FILE [--out DIR] [--force] [--dry-run]',
    ]);
  });
});

describe('earshot ap apply', () => {
  const RESTARTS = ['systemctl restart earshot-nftables.service', 'systemctl restart earshot-hostapd.service', 'systemctl restart earshot-dnsmasq.service'];
  const BASE = ['sysctl -w net.ipv4.ip_forward=1', 'ip address replace 192.0.2.1/24 dev wlan0'];

  test('checks the new files with dnsmasq and nft, puts them in place, then reloads every service', async () => {
    const out = join(dir, 'apply-first');
    const { commands, runner } = recorder();
    const { out: printed, io: cli } = io();
    assert.equal(await createApCommand({ runner })(['apply', '--config', await config(), '--out', out], cli), 0);
    assert.match(commands[0], new RegExp(`^dnsmasq --test -C ${out}/\\.dnsmasq\\.conf\\.tmp-[0-9a-f]{8}$`));
    assert.match(commands[1], new RegExp(`^nft -c -f ${out}/\\.earshot\\.nft\\.tmp-[0-9a-f]{8}$`));
    assert.deepEqual(commands.slice(2), [...BASE, ...RESTARTS]);
    assert.deepEqual((await readdir(out)).sort(), ['dnsmasq.conf', 'earshot.nft', 'hostapd.conf'], 'a temp file was left behind');
    assert.match(printed.stdout, /^ran systemctl restart earshot-hostapd\.service$/m);
  });

  test('restarts nothing when nothing changed, so the Echo stays on the Wi-Fi', async () => {
    const out = join(dir, 'apply-again');
    const path = await config();
    await createApCommand(recorder())(['apply', '--config', path, '--out', out], io().io);
    const { commands, runner } = recorder();
    assert.equal(await createApCommand({ runner })(['apply', '--config', path, '--out', out], io().io), 0);
    assert.deepEqual(commands, BASE);
  });

  test('restarts only hostapd when only the SSID changed', async () => {
    const out = join(dir, 'apply-ssid');
    await createApCommand(recorder())(['apply', '--config', await config(), '--out', out], io().io);
    const { commands, runner } = recorder();
    await createApCommand({ runner })(['apply', '--config', await config(CONFIG.replace('ssid: earshot', 'ssid: earshot2')), '--out', out], io().io);
    assert.deepEqual(commands, [...BASE, 'systemctl restart earshot-hostapd.service']);
  });

  test('restarts everything with --force', async () => {
    const out = join(dir, 'apply-force');
    const path = await config();
    await createApCommand(recorder())(['apply', '--config', path, '--out', out], io().io);
    const { commands, runner } = recorder();
    await createApCommand({ runner })(['apply', '--config', path, '--out', out, '--force'], io().io);
    assert.deepEqual(commands, [...BASE, ...RESTARTS]);
  });

  test('with --dry-run prints the plan and neither writes nor runs anything', async () => {
    const out = join(dir, 'apply-dry');
    const { commands, runner } = recorder();
    const { out: printed, io: cli } = io();
    assert.equal(await createApCommand({ runner })(['apply', '--config', await config(), '--out', out, '--dry-run'], cli), 0);
    assert.deepEqual(commands, []);
    await assert.rejects(stat(out), { code: 'ENOENT' });
    assert.match(printed.stdout, /^would write .*hostapd\.conf$/m);
    assert.match(printed.stdout, /^would run systemctl restart earshot-dnsmasq\.service$/m);
  });

  test('keeps the old files, leaves no temp file and reloads nothing when a check rejects a new file', async () => {
    const out = join(dir, 'apply-check-fails');
    await createApCommand(recorder())(['apply', '--config', await config(), '--out', out], io().io);
    const before = await readFile(join(out, 'dnsmasq.conf'), 'utf8');
    const { commands, runner } = recorder((command) => command === 'dnsmasq');
    const { out: printed, io: cli } = io();
    const changed = await config(CONFIG.replace('subnet: 192.0.2.0/24', 'subnet: 192.0.2.0/25'));
    assert.equal(await createApCommand({ runner })(['apply', '--config', changed, '--out', out], cli), 1);
    assert.equal(commands.length, 1);
    assert.equal(await readFile(join(out, 'dnsmasq.conf'), 'utf8'), before);
    assert.deepEqual((await readdir(out)).sort(), ['dnsmasq.conf', 'earshot.nft', 'hostapd.conf']);
    assert.match(printed.stderr, /^earshot ap apply: dnsmasq --test -C \S+ rejected the new file \(exit 1\): dnsmasq: simulated failure \/ second line\n$/);
  });

  test('replaces a file by rename, so a reader never sees half of it', async () => {
    const out = join(dir, 'apply-rename');
    await createApCommand(recorder())(['apply', '--config', await config(), '--out', out], io().io);
    const inode = (await stat(join(out, 'hostapd.conf'))).ino;
    let seenDuringCheck = '';
    const runner: CommandRunner = {
      run: async (command) => {
        if (command === 'nft') seenDuringCheck = await readFile(join(out, 'hostapd.conf'), 'utf8');
        return { code: 0, stdout: '', stderr: '' };
      },
    };
    const changed = CONFIG.replace('ssid: earshot', 'ssid: earshot2').replace('uplink: eth0', 'uplink: eth1');
    await createApCommand({ runner })(['apply', '--config', await config(changed), '--out', out], io().io);
    assert.match(seenDuringCheck, /^ssid=earshot$/m, 'the old file was gone while the new ones were checked');
    assert.match(await readFile(join(out, 'hostapd.conf'), 'utf8'), /^ssid=earshot2$/m);
    assert.notEqual((await stat(join(out, 'hostapd.conf'))).ino, inode);
  });

  test('stops at a failing systemctl with one line naming it, exit 1', async () => {
    const { runner } = recorder((command, args) => command === 'systemctl' && args[1] === 'earshot-hostapd.service');
    const { out: printed, io: cli } = io();
    assert.equal(await createApCommand({ runner })(['apply', '--config', await config(), '--out', join(dir, 'apply-systemctl')], cli), 1);
    assert.equal(printed.stderr, 'earshot ap apply: systemctl restart earshot-hostapd.service failed (exit 1): systemctl: simulated failure / second line\n');
  });

  test('rejects a bad config before writing or running anything', async () => {
    const out = join(dir, 'apply-bad');
    const { commands, runner } = recorder();
    const bad = await config(CONFIG.replace('ssid: earshot', `ssid: "${'x'.repeat(40)}"`));
    await assert.rejects(createApCommand({ runner })(['apply', '--config', bad, '--out', out], io().io), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, `${bad}: ap.ssid: expected 1–32 bytes of UTF-8 (got 40 bytes)`);
      return true;
    });
    assert.deepEqual(commands, []);
    await assert.rejects(stat(out), { code: 'ENOENT' });
  });
});
