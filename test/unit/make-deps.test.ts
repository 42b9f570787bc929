// Keeps the Makefile's apt lists honest without running apt: `make demo` must not pull the test
// or image tools, and every well-known binary the test suite runs must come from a package in the
// test list (or a live test would skip, or fail, on a fresh machine).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const repo = join(import.meta.dirname, '../..');
const makefile = readFileSync(join(repo, 'Makefile'), 'utf8');

/** The Makefile's `NAME := ...` variables, continuation lines joined and `$(OTHER)` expanded. */
function makeVariables(text: string): Map<string, string[]> {
  const raw = new Map<string, string>();
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const match = /^([A-Z_]+)\s*:=\s*(.*)$/.exec(line);
    if (match) raw.set(match[1]!, match[2]!);
  }
  const expand = (value: string): string[] =>
    value.split(/\s+/).filter(Boolean).flatMap((word) => {
      const reference = /^\$\(([A-Z_]+)\)$/.exec(word);
      if (!reference) return [word];
      const inner = raw.get(reference[1]!);
      assert.ok(inner !== undefined, `Makefile: $(${reference[1]}) is not defined`);
      return expand(inner);
    });
  return new Map([...raw].map(([name, value]) => [name, expand(value)]));
}

const variables = makeVariables(makefile);
function list(name: string): Set<string> {
  const packages = variables.get(name);
  assert.ok(packages && packages.length > 0, `Makefile: ${name} is missing or empty`);
  return new Set(packages);
}

/** Which Debian package gives each binary the tests run (bookworm). */
const BINARY_PACKAGE: Record<string, string> = {
  tshark: 'tshark',
  ip: 'iproute2',
  ethtool: 'ethtool',
  openssl: 'openssl',
  python3: 'python3',
  hostapd: 'hostapd',
  dnsmasq: 'dnsmasq-base',
  nft: 'nftables',
  mosquitto: 'mosquitto',
  mosquitto_sub: 'mosquitto-clients',
  mosquitto_pub: 'mosquitto-clients',
  curl: 'curl',
  tcpdump: 'tcpdump',
  nghttp: 'nghttp2-client',
  socat: 'socat',
  'systemd-analyze': 'systemd',
  shellcheck: 'shellcheck',
  '/usr/bin/chromium': 'chromium',
  sfdisk: 'fdisk',
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  mtype: 'mtools',
  mke2fs: 'e2fsprogs',
  'aarch64-linux-gnu-g++': 'g++-aarch64-linux-gnu',
  readelf: 'binutils',
  file: 'file',
};

/** Every .ts file under dir. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The map's binaries that test/ or bench/ names as a quoted string (how spawn and command -v get them). */
function binariesTheSuiteNames(): Set<string> {
  const text = [...sources(join(repo, 'test')), ...sources(join(repo, 'bench'))].map((file) => readFileSync(file, 'utf8')).join('\n');
  return new Set(Object.keys(BINARY_PACKAGE).filter((binary) => text.includes(`'${binary}'`) || text.includes(`command -v ${binary}`)));
}

describe('the Makefile apt lists', () => {
  const demo = list('DEMO_APT_PACKAGES');
  const test = list('TEST_APT_PACKAGES');
  const image = list('IMAGE_APT_PACKAGES');

  it('keep the test and image tools out of the demo', () => {
    const testOrImageOnly = ['shellcheck', 'chromium', 'g++-aarch64-linux-gnu', 'mmdebstrap', 'tshark', 'mosquitto', 'mosquitto-clients', 'hostapd', 'nftables', 'tcpdump', 'socat', 'curl', 'fonts-dejavu-core'];
    const leaked = [...demo].filter((name) => testOrImageOnly.includes(name) || name.startsWith('qemu-'));
    assert.deepEqual(leaked, [], `DEMO_APT_PACKAGES holds test/image-only packages: ${leaked.join(', ')}`);
  });

  it('give the demo what npm ci builds the native addons with', () => {
    for (const name of ['libpcap-dev', 'g++', 'make', 'python3']) assert.ok(demo.has(name), `DEMO_APT_PACKAGES lacks ${name}`);
  });

  it('include the demo set in the test and image sets', () => {
    for (const name of demo) {
      assert.ok(test.has(name), `TEST_APT_PACKAGES lacks the demo's ${name}`);
      assert.ok(image.has(name), `IMAGE_APT_PACKAGES lacks the demo's ${name}`);
    }
  });

  it('keep the image-only tools out of the test set', () => {
    const imageOnly = ['mmdebstrap', 'qemu-user-static', 'qemu-system-arm', 'binfmt-support'];
    assert.deepEqual([...test].filter((name) => imageOnly.includes(name)), []);
  });

  it('give every well-known binary the test suite runs from a package in the test list', () => {
    const named = binariesTheSuiteNames();
    // If the scan found none of these, it is broken, not the lists.
    for (const binary of ['tshark', 'ip', 'mosquitto', 'openssl', 'shellcheck']) assert.ok(named.has(binary), `the scan of test/ did not find '${binary}'`);
    const unprovided = [...named].filter((binary) => !test.has(BINARY_PACKAGE[binary]!)).map((binary) => `${binary} (${BINARY_PACKAGE[binary]})`);
    assert.deepEqual(unprovided, [], `TEST_APT_PACKAGES lacks the packages of: ${unprovided.join(', ')}`);
  });
});

describe('the make targets', () => {
  /** The commands `make -n TARGET` would run, in a checkout where nothing is built yet. */
  function dryRun(target: string): string {
    const result = spawnSync('make', ['-n', '-B', '-C', repo, target], { encoding: 'utf8' });
    assert.equal(result.status, 0, `make -n ${target}: ${result.stderr}`);
    return result.stdout;
  }
  const installs = (commands: string): string[][] =>
    commands.split('\n').filter((line) => line.startsWith('scripts/apt-install.sh ')).map((line) => line.split(/\s+/).slice(1));

  it('install only the demo set for make demo, and the test set for make test and make bench', () => {
    assert.deepEqual(installs(dryRun('demo')), [[...list('DEMO_APT_PACKAGES')]]);
    for (const target of ['test', 'bench']) {
      const lists = installs(dryRun(target));
      assert.ok(lists.some((packages) => packages.join(' ') === [...list('TEST_APT_PACKAGES')].join(' ')), `make ${target} does not install TEST_APT_PACKAGES`);
    }
  });
});
