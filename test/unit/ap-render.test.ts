// What `earshot ap render` writes: golden files for the docs' example, and the lines each setting
// turns into. The real binaries read the same output in test/integration/ap-real-binaries.test.ts.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { checkApSection, type ApConfig } from '../../appliance/src/ap/config.js';
import { readConfigDocument } from '../../appliance/src/ap/config-file.js';
import { checkApConfigFile } from '../../appliance/src/ap/config.js';
import { renderAll } from '../../appliance/src/ap/render.js';
import { renderDnsmasqConf } from '../../appliance/src/ap/render-dnsmasq.js';
import { renderHostapdConf } from '../../appliance/src/ap/render-hostapd.js';
import { renderNftables } from '../../appliance/src/ap/render-nftables.js';
import { minimalAp, type ApInput } from '../support/ap-configs.js';

const fixture = (name: string): URL => new URL(`../fixtures/ap/${name}`, import.meta.url);

function ap(overrides: ApInput = {}): ApConfig {
  const result = checkApSection(minimalAp(overrides));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.value;
}

const settings = (text: string): Map<string, string> =>
  new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

describe('rendering the example config', () => {
  test('gives exactly the golden hostapd.conf, dnsmasq.conf and earshot.nft', async () => {
    const { ap: config } = checkApConfigFile(await readConfigDocument(fixture('example.yaml').pathname), 'example.yaml');
    for (const file of renderAll(config)) {
      assert.equal(file.content, await readFile(fixture(`golden/${file.name}`), 'utf8'), `${file.name} differs from its golden file`);
    }
  });

  test('makes hostapd.conf, which holds the passphrase, readable by root only', () => {
    const modes = Object.fromEntries(renderAll(ap()).map((f) => [f.name, f.mode]));
    assert.deepEqual(modes, { 'hostapd.conf': 0o600, 'dnsmasq.conf': 0o644, 'earshot.nft': 0o644 });
  });
});

describe('hostapd.conf', () => {
  test('writes a plain ASCII SSID as it is', () => {
    const conf = settings(renderHostapdConf(ap({ ssid: 'earshot echo' })));
    assert.equal(conf.get('ssid'), 'earshot echo');
    assert.ok(!conf.has('ssid2') && !conf.has('utf8_ssid'));
  });

  test('writes a UTF-8 SSID as hex and flags it as UTF-8', () => {
    const conf = settings(renderHostapdConf(ap({ ssid: 'Küche' })));
    assert.equal(conf.get('ssid2'), Buffer.from('Küche').toString('hex'));
    assert.equal(conf.get('utf8_ssid'), '1');
    assert.ok(!conf.has('ssid'));
  });

  test('writes an SSID with spaces at its ends as hex, since hostapd would keep them invisibly', () => {
    const conf = settings(renderHostapdConf(ap({ ssid: ' echo ' })));
    assert.equal(conf.get('ssid2'), '206563686f20');
    assert.ok(!conf.has('utf8_ssid'));
  });

  test('writes a 64-hex-digit key as wpa_psk and a passphrase as wpa_passphrase', () => {
    const psk = 'AB'.repeat(32);
    assert.equal(settings(renderHostapdConf(ap({ wpa_passphrase: psk }))).get('wpa_psk'), psk.toLowerCase());
    assert.equal(settings(renderHostapdConf(ap())).get('wpa_passphrase'), 'correct horse battery');
  });

  const security: [string, Record<string, string>][] = [
    ['wpa2', { wpa: '2', wpa_key_mgmt: 'WPA-PSK', ieee80211w: '0', rsn_pairwise: 'CCMP' }],
    ['wpa3', { wpa: '2', wpa_key_mgmt: 'SAE', ieee80211w: '2', sae_require_mfp: '1', rsn_pairwise: 'CCMP' }],
    ['wpa2-wpa3', { wpa: '2', wpa_key_mgmt: 'WPA-PSK SAE', ieee80211w: '1', sae_require_mfp: '1', rsn_pairwise: 'CCMP' }],
  ];
  for (const [mode, expected] of security) {
    test(`sets key management and frame protection for ${mode}`, () => {
      const conf = settings(renderHostapdConf(ap({ security: mode })));
      for (const [key, value] of Object.entries(expected)) assert.equal(conf.get(key), value, key);
      if (mode === 'wpa2') assert.ok(!conf.has('sae_require_mfp'));
    });
  }

  const radios: [string, ApInput, Record<string, string | undefined>][] = [
    ['2.4 GHz at 20 MHz', {}, { hw_mode: 'g', channel: '6', ieee80211n: '1', ht_capab: undefined, ieee80211ac: undefined }],
    ['2.4 GHz channel 3 at 40 MHz above', { channel: 3, channel_width: 40 }, { ht_capab: '[HT40+]' }],
    ['2.4 GHz channel 11 at 40 MHz below', { channel: 11, channel_width: 40 }, { ht_capab: '[HT40-]' }],
    ['5 GHz channel 40 at 40 MHz below', { hw_mode: 'a', channel: 40, channel_width: 40 }, { hw_mode: 'a', ht_capab: '[HT40-]' }],
    ['5 GHz channel 149 802.11ac at 80 MHz', { hw_mode: 'a', channel: 149, ieee80211ac: true, channel_width: 80 }, { ht_capab: '[HT40+]', ieee80211ac: '1', vht_oper_chwidth: '1', vht_oper_centr_freq_seg0_idx: '155' }],
    ['5 GHz 802.11ac at 20 MHz', { hw_mode: 'a', ieee80211ac: true }, { ieee80211ac: '1', vht_oper_chwidth: '0', vht_oper_centr_freq_seg0_idx: undefined }],
    ['802.11g only', { ieee80211n: false }, { ieee80211n: '0', ht_capab: undefined }],
  ];
  for (const [name, overrides, expected] of radios) {
    test(`lays out the radio for ${name}`, () => {
      const conf = settings(renderHostapdConf(ap(overrides)));
      for (const [key, value] of Object.entries(expected)) assert.equal(conf.get(key), value, key);
    });
  }

  test('always names the country and advertises it (802.11d)', () => {
    const conf = settings(renderHostapdConf(ap({ country_code: 'JP' })));
    assert.equal(conf.get('country_code'), 'JP');
    assert.equal(conf.get('ieee80211d'), '1');
  });

  test('hides the SSID and turns isolation off when asked', () => {
    const conf = settings(renderHostapdConf(ap({ hidden: true, client_isolation: false })));
    assert.equal(conf.get('ignore_broadcast_ssid'), '1');
    assert.equal(conf.get('ap_isolate'), '0');
  });

  test('uses the interface, control directory and driver it is given', () => {
    const conf = settings(renderHostapdConf(ap({ interface: 'wlan1', ctrl_interface: '/run/x' }), { driver: 'none' }));
    assert.deepEqual([conf.get('interface'), conf.get('ctrl_interface'), conf.get('driver')], ['wlan1', '/run/x', 'none']);
  });
});

describe('dnsmasq.conf', () => {
  test('serves the DHCP range with the box as router and DNS server, on the AP interface only', () => {
    const text = renderDnsmasqConf(ap({ lan: { subnet: '192.0.2.16/28', dhcp_range: { start: '192.0.2.20', end: '192.0.2.29' }, lease_time: '1h' } }));
    const lines = text.split('\n');
    for (const line of ['interface=wlan0', 'bind-dynamic', 'dhcp-range=192.0.2.20,192.0.2.29,255.255.255.240,1h', 'dhcp-option=option:router,192.0.2.17', 'dhcp-option=option:dns-server,192.0.2.17']) {
      assert.ok(lines.includes(line), `missing ${line}`);
    }
  });

  test('gives the Echo a static lease when its MAC and address are configured', () => {
    assert.ok(renderDnsmasqConf(ap({ echo: { mac: '44-65-0D-12-34-56', ip: '192.0.2.10' } })).split('\n').includes('dhcp-host=44:65:0d:12:34:56,192.0.2.10'));
  });

  test('has no static lease when only the MAC is known', () => {
    assert.ok(!renderDnsmasqConf(ap({ echo: { mac: '44:65:0d:12:34:56' } })).includes('dhcp-host'));
  });

  test('writes leases where the Echo finder reads them', () => {
    assert.ok(renderDnsmasqConf(ap({ lan: { subnet: '192.0.2.0/24', lease_file: '/var/lib/earshot/leases' } })).split('\n').includes('dhcp-leasefile=/var/lib/earshot/leases'));
  });
});

describe('earshot.nft', () => {
  const nft = renderNftables(ap({ interface: 'wlan1', uplink: 'end0', lan: { subnet: '192.0.2.0/24' } }));

  test('replaces its own table and no other', () => {
    const tables = nft.split('\n').filter((l) => /^(table|delete|flush)\b/.test(l));
    assert.deepEqual(tables, ['table inet earshot', 'delete table inet earshot', 'table inet earshot {']);
  });

  test('masquerades the AP LAN out of the uplink', () => {
    assert.match(nft, /oifname "end0" ip saddr 192\.0\.2\.0\/24 masquerade/);
  });

  test('forwards from the AP to the uplink, and back only for established flows', () => {
    assert.match(nft, /ct state established,related accept\n\t\tiifname "wlan1" oifname "end0" accept/);
  });

  test('resets blocked flows in both directions before anything is accepted', () => {
    const forward = nft.slice(nft.indexOf('chain forward'));
    const reset = forward.indexOf('@blocked_flows counter reject with tcp reset');
    assert.ok(reset > 0 && reset < forward.indexOf('accept\n\t\tiifname "wlan1" oifname "end0"'));
    assert.match(forward, /ip saddr \. th sport \. ip daddr \. th dport @blocked_flows/);
    assert.match(forward, /ip daddr \. th dport \. ip saddr \. th sport @blocked_flows/);
  });

  test('refuses the connections the Echo opens while an episode of its is being cut, TCP with a reset, before established flows pass', () => {
    const forward = nft.slice(nft.indexOf('chain forward'));
    const tcp = forward.indexOf('iifname "wlan1" oifname "end0" ip saddr @cutting_echo ct state new meta l4proto tcp counter reject with tcp reset');
    const rest = forward.indexOf('iifname "wlan1" oifname "end0" ip saddr @cutting_echo ct state new counter drop');
    assert.ok(tcp > 0 && tcp < rest && rest < forward.indexOf('ct state established,related accept'));
  });

  test('caps the muted Echo\'s data packets (not its ACKs or heartbeats), before established flows pass', () => {
    const forward = nft.slice(nft.indexOf('chain forward'));
    const cap = forward.indexOf('ip saddr @capped_echo meta length > 160 limit rate over 32 kbytes/second counter drop');
    assert.ok(cap > 0 && cap < forward.indexOf('ct state established,related accept'));
  });

  test('holds the muted Echo\'s new TLS flows to heartbeat-sized packets', () => {
    assert.match(nft, /ip saddr @muted_echo tcp dport 443 ct state new ct mark set ct mark \| 0x00000100/);
    assert.match(nft, /ip saddr @muted_echo ct mark & 0x00000100 == 0x00000100 meta length > 160 counter drop/);
  });
});
