// The fast checks of the OS image recipe (os-image/): they run in `make test` without building
// the image. Each skips with a printed reason when this machine lacks the tool it needs.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const osImage = join(repo, 'os-image');
const scripts = [
  ...readdirSync(osImage).filter((name) => name.endsWith('.sh')).map((name) => join(osImage, name)),
  ...readdirSync(join(osImage, 'overlay/usr/lib/earshot/bin')).map((name) => join(osImage, 'overlay/usr/lib/earshot/bin', name)),
];

function missing(...tools: string[]): string | undefined {
  const absent = tools.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (absent.length === 0) return undefined;
  const reason = `missing ${absent.join(', ')}`;
  console.log(`# skipping: ${reason}`);
  return reason;
}

async function fails(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  try {
    await run(file, args, { env: { ...process.env, ...env }, timeout: 60_000 });
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
  assert.fail(`${file} ${args.join(' ')} succeeded`);
}

describe('the image scripts', { skip: missing('shellcheck') }, () => {
  it('pass shellcheck', async () => {
    assert.ok(scripts.length >= 7, `found only ${scripts.length} scripts`);
    await run('shellcheck', scripts, { timeout: 60_000 });
  });
});

describe('the image units', { skip: missing('systemd-analyze') ?? (existsSync('/usr/lib/systemd/system/sysinit.target') ? undefined : 'no systemd units on this host') }, () => {
  let root: string;
  before(() => {
    // A throwaway root: the host's own units for targets, the image's units and drop-ins, and
    // stand-ins for the binaries the image's packages bring (verify checks they are executable).
    root = mkdtempSync(join(tmpdir(), 'earshot-units-'));
    cpSync(join(osImage, 'overlay'), root, { recursive: true });
    mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
    cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    cpSync(join(repo, 'appliance/systemd/earshot.service'), join(root, 'usr/lib/systemd/system/earshot.service'));
    for (const binary of ['usr/sbin/dnsmasq', 'usr/sbin/hostapd', 'usr/sbin/nft', 'usr/bin/node']) {
      mkdirSync(dirname(join(root, binary)), { recursive: true });
      writeFileSync(join(root, binary), '#!/bin/sh\n');
      chmodSync(join(root, binary), 0o755);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('pass systemd-analyze verify, with the service and its image drop-in', async () => {
    const units = readdirSync(join(root, 'etc/systemd/system')).filter((name) => name.endsWith('.service')).map((name) => join(root, 'etc/systemd/system', name));
    assert.ok(units.length >= 5, `found only ${units.length} units`);
    const { stderr } = await run('systemd-analyze', ['verify', `--root=${root}`, ...units, join(root, 'usr/lib/systemd/system/earshot.service')], {
      timeout: 30_000,
      env: { ...process.env, SYSTEMD_LOG_LEVEL: 'notice' },
    });
    assert.equal(stderr.trim(), '');
  });
});

describe('the service unit the image runs', () => {
  it('sets only NODE_OPTIONS that Node accepts there (Node refuses to start on any other)', async () => {
    const unit = readFileSync(join(repo, 'appliance/systemd/earshot.service'), 'utf8');
    const options = /^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(unit)?.[1];
    assert.ok(options !== undefined, 'earshot.service sets no NODE_OPTIONS');
    await run(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: options }, timeout: 30_000 });
  });
});

describe('the first-boot script on a fake root', () => {
  const firstboot = join(osImage, 'overlay/usr/lib/earshot/bin/earshot-firstboot');
  const env = (root: string): NodeJS.ProcessEnv => ({ EARSHOT_ROOT: root, EARSHOT_SKIP_SYSTEM: '1', EARSHOT_CLI: `${process.execPath} --import tsx ${join(repo, 'appliance/src/cli/bin.ts')}` });
  const roots: string[] = [];
  function fakeRoot(conf: string): string {
    const root = mkdtempSync(join(tmpdir(), 'earshot-firstboot-'));
    roots.push(root);
    mkdirSync(join(root, 'boot/firmware'), { recursive: true });
    writeFileSync(join(root, 'boot/firmware/earshot.conf'), conf);
    return root;
  }
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('installs the config and the rendered AP files, and removes the secrets from the card', { timeout: 60_000 }, async () => {
    const root = fakeRoot('ap: { ssid: Echo, wpa_passphrase: "correct horse battery", country_code: DE }\nmqtt: { url: "mqtt://192.0.2.200:1883", password: "hunter2hunter2" }\n');
    await run(firstboot, [], { env: { ...process.env, ...env(root) }, timeout: 60_000 });
    for (const file of ['etc/earshot/earshot.yaml', 'etc/earshot/ap/hostapd.conf', 'etc/earshot/ap/dnsmasq.conf', 'etc/earshot/ap/earshot.nft', 'etc/systemd/network/20-earshot-wlan0.network']) {
      assert.ok(existsSync(join(root, file)), `${file} was not installed`);
    }
    assert.match(readFileSync(join(root, 'etc/earshot/ap/hostapd.conf'), 'utf8'), /^ssid=Echo$/m);
    assert.equal(existsSync(join(root, 'boot/firmware/earshot.conf')), false);
    const left = readFileSync(join(root, 'boot/firmware/earshot.conf.applied'), 'utf8');
    assert.ok(!left.includes('hunter2hunter2') && !left.includes('correct horse battery'));
    assert.equal(existsSync(join(root, 'root/.ssh/authorized_keys')), false);
    const token = readFileSync(join(root, 'etc/earshot/status-page.token'), 'utf8').trim();
    assert.match(token, /^[A-Za-z0-9_-]{24}$/, 'a fresh status page token');
    assert.ok(readFileSync(join(root, 'boot/firmware/earshot-status-page-token.txt'), 'utf8').includes(token), 'shown on the card');
  });

  it('on an invalid config changes nothing and leaves the one-line error on the card', { timeout: 60_000 }, async () => {
    const root = fakeRoot('ap: { ssid: Echo, wpa_passphrase: "short", country_code: DE }\n');
    const { code, stderr } = await fails(firstboot, [], env(root));
    assert.equal(code, 1);
    assert.match(stderr, /ap\.wpa_passphrase/);
    const error = readFileSync(join(root, 'boot/firmware/earshot-error.txt'), 'utf8');
    assert.match(error, /^earshot firstboot: earshot\.conf: ap\.wpa_passphrase: .*\(got 5 characters\)\n$/);
    assert.equal(existsSync(join(root, 'etc/earshot')), false);
    assert.ok(existsSync(join(root, 'boot/firmware/earshot.conf')), 'the config to fix must stay on the card');
  });
});

describe('the image assembler on a tiny fake rootfs', { skip: missing('sfdisk', 'mkfs.vfat', 'mcopy', 'mtype', 'mke2fs', 'blkid') }, () => {
  let dir: string;
  let image: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-assemble-'));
    mkdirSync(join(dir, 'root/etc'), { recursive: true });
    mkdirSync(join(dir, 'root/boot/firmware'), { recursive: true });
    mkdirSync(join(dir, 'firmware'));
    writeFileSync(join(dir, 'root/etc/hostname'), 'earshot\n');
    writeFileSync(join(dir, 'firmware/config.txt'), 'arm_64bit=1\n');
    image = join(dir, 'card.img');
    await run(join(osImage, 'assemble-image.sh'), [join(dir, 'root'), join(dir, 'firmware'), image], {
      env: { ...process.env, EARSHOT_FIRMWARE_MB: '40', EARSHOT_ROOT_MB: '16' },
      timeout: 60_000,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an MBR with the FAT32 firmware partition at 4 MiB and the root right after it', async () => {
    const { stdout } = await run('sfdisk', ['--json', image]);
    const table = JSON.parse(stdout).partitiontable;
    assert.equal(table.label, 'dos');
    assert.deepEqual(
      table.partitions.map((p: { start: number; size: number; type: string }) => [p.start, p.size, p.type]),
      [
        [8192, 40 * 2048, 'c'],
        [8192 + 40 * 2048, 16 * 2048, '83'],
      ],
    );
  });

  it('labels the partitions RASPIFIRM (vfat) and RASPIROOT (ext4), as fstab and cmdline.txt expect', async () => {
    const probe = async (offsetMiB: number): Promise<string> => (await run('blkid', ['-p', '-O', String(offsetMiB * 1048576), '-o', 'export', image])).stdout;
    const firmware = await probe(4);
    assert.match(firmware, /^LABEL=RASPIFIRM$/m);
    assert.match(firmware, /^TYPE=vfat$/m);
    const root = await probe(44);
    assert.match(root, /^LABEL=RASPIROOT$/m);
    assert.match(root, /^TYPE=ext4$/m);
  });

  it('puts the firmware files on the FAT partition', async () => {
    const { stdout } = await run('mtype', ['-i', `${image}@@4M`, '::config.txt'], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    assert.equal(stdout, 'arm_64bit=1\n');
  });

  it('refuses a root whose boot/firmware is not empty', async () => {
    writeFileSync(join(dir, 'root/boot/firmware/stray'), '');
    const { stderr } = await fails(join(osImage, 'assemble-image.sh'), [join(dir, 'root'), join(dir, 'firmware'), join(dir, 'other.img')]);
    assert.match(stderr, /boot\/firmware is not empty/);
  });
});

const nodeHeaders = existsSync('/usr/include/node/node_version.h') ? undefined : 'no host Node headers in /usr/include/node';
describe('the cross-built capture addon', { skip: missing('aarch64-linux-gnu-g++', 'readelf', 'file') ?? nodeHeaders ?? (existsSync(join(repo, 'node_modules/pcap')) ? undefined : 'node_modules/pcap is not installed') }, () => {
  let modules: string;
  before(() => {
    modules = join(mkdtempSync(join(tmpdir(), 'earshot-cross-')), 'node_modules');
    for (const name of ['pcap', 'nan']) cpSync(join(repo, 'node_modules', name), join(modules, name), { recursive: true });
    rmSync(join(modules, 'pcap/build'), { recursive: true, force: true });
  });
  after(() => rmSync(dirname(modules), { recursive: true, force: true }));

  it('is an aarch64 object that needs libpcap.so.0.8', { timeout: 120_000 }, async () => {
    const { stdout } = await run(join(osImage, 'cross-build-addons.sh'), [modules, 'pcap'], { timeout: 120_000 });
    const addon = stdout.trim();
    assert.equal(addon, join(modules, 'pcap/build/Release/pcap_binding.node'));
    assert.match((await run('file', ['-b', addon])).stdout, /ELF 64-bit LSB shared object, ARM aarch64/);
    assert.match((await run('readelf', ['-d', addon])).stdout, /\(NEEDED\)\s+Shared library: \[libpcap\.so\.0\.8\]/);
  });

  it('is refused when the host Node ABI differs from the image\'s', async () => {
    const { stderr } = await fails(join(osImage, 'cross-build-addons.sh'), [modules, 'pcap'], { EARSHOT_TARGET_NODE_ABI: '999' });
    assert.match(stderr, /ABI 115 but the image's Node is ABI 999/);
  });
});
