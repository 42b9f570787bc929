// The rendered files, read by the real binaries inside a network namespace made here: hostapd
// (which fails at driver init for want of a radio, after parsing), `dnsmasq --test`, `nft -c`
// and a real nft load, and hostapd's own view of the settings through its control interface.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPythonBridge } from '../../appliance/src/ap/ctrl-bridge.js';
import { HostapdClient } from '../../appliance/src/ap/hostapd-ctrl.js';
import { parseKeyValueReply } from '../../appliance/src/ap/hostapd-events.js';
import { renderDnsmasqConf } from '../../appliance/src/ap/render-dnsmasq.js';
import { renderHostapdConf } from '../../appliance/src/ap/render-hostapd.js';
import { renderNftables } from '../../appliance/src/ap/render-nftables.js';
import { Namespaces } from '../support/ap-lab.js';
import { minimalAp, VALID_VARIANTS, type ApInput } from '../support/ap-configs.js';
import { checkedAp, hostapdUnescape, waitForPath } from '../support/ap-hostapd.js';
import { netnsUnavailableReason } from '../support/netns.js';

const skip = netnsUnavailableReason();
if (skip) console.log(`# skipping the real-binary checks of the rendered AP files: ${skip}`);

const CONFIG_ERRORS = /Line \d+:|errors found in configuration file/;

describe('the rendered files, read by the real hostapd, dnsmasq and nft', { skip, timeout: 120_000 }, () => {
  const spaces = new Namespaces();
  let ns = '';
  let dir = '';
  let n = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-ap-bin-'));
    ns = await spaces.add('bin');
  });
  after(async () => {
    await spaces.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, content: string): Promise<string> {
    const path = join(dir, `${++n}-${name}`);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  }

  /** hostapd on an interface that does not exist: it parses the file, then fails at driver init. */
  async function hostapdOutput(conf: string): Promise<string> {
    const result = await spaces.run(ns, 'hostapd', ['-i', 'es-noradio0', await file('hostapd.conf', conf)], 15_000);
    assert.notEqual(result.code, 0, 'hostapd cannot have started without a radio');
    return result.stdout + result.stderr;
  }

  const section = (input: ApInput): ApInput => ({ ...input, ctrl_interface: join(dir, 'ctrl') });

  for (const [name, input] of Object.entries(VALID_VARIANTS)) {
    test(`hostapd parses the file for ${name} with no configuration errors and reaches driver init`, async () => {
      const output = await hostapdOutput(renderHostapdConf(checkedAp(section(input))));
      assert.doesNotMatch(output, CONFIG_ERRORS);
      assert.match(output, /nl80211|driver/i, `hostapd stopped before driver init: ${output}`);
    });

    test(`dnsmasq --test accepts the file for ${name}`, async () => {
      const result = await spaces.run(ns, 'dnsmasq', ['--test', '-C', await file('dnsmasq.conf', renderDnsmasqConf(checkedAp(input)))]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr + result.stdout, /syntax check OK/);
    });

    test(`nft -c accepts the ruleset for ${name}`, async () => {
      const result = await spaces.run(ns, 'nft', ['-c', '-f', await file('earshot.nft', renderNftables(checkedAp(input)))]);
      assert.equal(result.code, 0, result.stderr);
    });
  }

  test('the hostapd check does catch a configuration error (a line hostapd does not know)', async () => {
    const output = await hostapdOutput(`${renderHostapdConf(checkedAp(section(minimalAp())))}wpa_passphrase_typo=1\n`);
    assert.match(output, /Line \d+: unknown configuration item 'wpa_passphrase_typo'/);
    assert.match(output, /1 errors found in configuration file/);
  });

  test('hostapd takes channel=banana without a word, which is why earshot checks channels itself', async () => {
    const conf = renderHostapdConf(checkedAp(section(minimalAp()))).replace('channel=6', 'channel=banana');
    assert.doesNotMatch(await hostapdOutput(conf), CONFIG_ERRORS);
  });

  test('the dnsmasq check does catch a bad dhcp-range', async () => {
    const conf = renderDnsmasqConf(checkedAp(minimalAp())).replace(/^dhcp-range=.*$/m, 'dhcp-range=192.0.2.300,192.0.2.200');
    const result = await spaces.run(ns, 'dnsmasq', ['--test', '-C', await file('dnsmasq.conf', conf)]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /bad dhcp-range/);
  });

  test('loading the ruleset twice replaces earshot\'s table and leaves another table alone', async () => {
    const other = 'table inet someone_else {\n\tchain forward {\n\t\ttype filter hook forward priority 10; policy accept;\n\t\tcounter\n\t}\n}\n';
    assert.equal((await spaces.run(ns, 'nft', ['-f', await file('other.nft', other)])).code, 0);
    const rules = await file('earshot.nft', renderNftables(checkedAp(minimalAp({ interface: 'wlan1', uplink: 'end0' }))));
    for (let i = 0; i < 2; i++) {
      const load = await spaces.run(ns, 'nft', ['-f', rules]);
      assert.equal(load.code, 0, load.stderr);
    }
    const listing = JSON.parse((await spaces.run(ns, 'nft', ['-j', 'list', 'ruleset'])).stdout).nftables as Record<string, any>[];
    const tables = listing.filter((o) => o.table).map((o) => `${o.table.family} ${o.table.name}`);
    assert.deepEqual(tables.sort(), ['inet earshot', 'inet someone_else']);
    const sets = listing.filter((o) => o.set).map((o) => `${o.set.name}: ${[o.set.type].flat().join(' . ')}`);
    assert.deepEqual(sets.sort(), ['blocked_flows: inet_proto . ipv4_addr . inet_service . ipv4_addr . inet_service', 'capped_echo: ipv4_addr', 'cutting_echo: ipv4_addr', 'muted_echo: ipv4_addr']);
    const chains = listing.filter((o) => o.chain?.table === 'earshot').map((o) => o.chain.name);
    assert.deepEqual(chains.sort(), ['forward', 'input', 'postrouting']);
    const masquerade = listing.filter((o) => o.rule?.chain === 'postrouting' && JSON.stringify(o.rule.expr).includes('"masquerade"'));
    assert.equal(masquerade.length, 1);
    assert.match(JSON.stringify(masquerade[0].rule.expr), /"oifname"\}\},"right":"end0"/);
  });
});

describe("hostapd's own reading of the rendered settings, through its control interface", { skip, timeout: 60_000 }, () => {
  const spaces = new Namespaces();
  let ns = '';
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-ap-status-'));
    ns = await spaces.add('status');
  });
  after(async () => {
    await spaces.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs hostapd with driver=none (no radio needed), then asks it for STATUS and GET_CONFIG. */
  async function hostapdReads(input: ApInput, name: string): Promise<Record<string, string>> {
    const ctrl = join(dir, name);
    const config = checkedAp({ ...input, interface: `es${name}`, ctrl_interface: ctrl });
    const path = join(dir, `${name}.conf`);
    await writeFile(path, renderHostapdConf(config, { driver: 'none' }), { mode: 0o600 });
    const hostapd = spaces.spawn(ns, 'hostapd', [path]);
    await waitForPath(join(ctrl, config.interface), 10_000, () => hostapd.exitCode === null);
    const client = new HostapdClient(await openPythonBridge(join(ctrl, config.interface)), () => {});
    try {
      return { ...parseKeyValueReply(await client.request('STATUS')), ...parseKeyValueReply(await client.request('GET_CONFIG')) };
    } finally {
      client.close();
      hostapd.kill('SIGTERM');
    }
  }

  test('reads back a UTF-8 SSID with spaces at its ends, byte for byte', async () => {
    const ssid = VALID_VARIANTS['a 32-byte UTF-8 SSID with spaces at both ends'].ssid as string;
    const status = await hostapdReads(minimalAp({ ssid }), 'utf8');
    assert.equal(hostapdUnescape(status.ssid), ssid);
    assert.equal(hostapdUnescape(status['ssid[0]']), ssid);
  });

  test('reads back 5 GHz channel 157 with 802.11ac at 80 MHz around channel 155', async () => {
    const status = await hostapdReads(VALID_VARIANTS['5 GHz channel 157 802.11ac at 80 MHz'], 'vht80');
    assert.deepEqual(
      [status.channel, status.secondary_channel, status.ieee80211n, status.ieee80211ac, status.vht_oper_chwidth, status.vht_oper_centr_freq_seg0_idx],
      ['157', '1', '1', '1', '1', '155'],
    );
  });

  test('reads back 2.4 GHz channel 13 with its 40 MHz partner below', async () => {
    const status = await hostapdReads(VALID_VARIANTS['2.4 GHz channel 13 at HT40-'], 'ht40minus');
    assert.deepEqual([status.channel, status.secondary_channel, status.ieee80211n, status.ieee80211ac], ['13', '-1', '1', '0']);
  });

  const security: [string, string, string][] = [
    ['WPA2 with a 64-hex-digit PSK', 'psk', 'WPA-PSK'],
    ['WPA3-SAE', 'sae', 'SAE'],
    ['WPA2/WPA3 transition mode', 'mixed', 'WPA-PSK SAE'],
  ];
  for (const [variant, name, keyMgmt] of security) {
    test(`reads back WPA2/RSN with CCMP and key management ${keyMgmt} for ${variant}`, async () => {
      const config = await hostapdReads(VALID_VARIANTS[variant], name);
      assert.deepEqual([config.wpa, config.key_mgmt, config.rsn_pairwise_cipher], ['2', keyMgmt, 'CCMP']);
    });
  }
});
