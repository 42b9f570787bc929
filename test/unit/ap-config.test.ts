// The `ap:` section's validation, field by field: valid values pass, and each invalid one gives
// the exact one-line message naming the field and the value (or, for the passphrase, its length).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkApSection, checkEnforcementSection, checkApConfigFile } from '../../appliance/src/ap/config.js';
import { ConfigError } from '../../appliance/src/ap/config-errors.js';
import { minimalAp, VALID_VARIANTS, type ApInput } from '../support/ap-configs.js';

function issues(section: unknown): string[] {
  const result = checkApSection(section);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

const lan = (patch: ApInput): ApInput => ({ lan: { subnet: '192.0.2.0/24', ...patch } });

describe('the ap section', () => {
  test('fills the documented defaults into a minimal section', () => {
    const result = checkApSection({ country_code: 'DE', ssid: 'earshot', wpa_passphrase: 'correct horse battery' });
    assert.ok(result.ok);
    const { wpa_passphrase: _secret, ...rest } = result.value;
    assert.deepEqual(rest, {
      country_code: 'DE',
      ssid: 'earshot',
      interface: 'wlan0',
      uplink: 'eth0',
      hidden: false,
      client_isolation: true,
      security: 'wpa2',
      hw_mode: 'g',
      channel: 6,
      ieee80211n: true,
      ieee80211ac: false,
      channel_width: 20,
      ctrl_interface: '/run/hostapd',
      lan: {
        subnet: '192.168.73.0/24',
        prefix: 24,
        netmask: '255.255.255.0',
        address: '192.168.73.1',
        dhcp_range: { start: '192.168.73.128', end: '192.168.73.254' },
        lease_time: '12h',
        lease_file: '/var/lib/misc/dnsmasq.leases',
      },
    });
  });

  test('defaults the channel to 36 on 5 GHz', () => {
    const result = checkApSection(minimalAp({ hw_mode: 'a' }));
    assert.ok(result.ok);
    assert.equal(result.value.channel, 36);
  });

  for (const [name, section] of Object.entries(VALID_VARIANTS)) {
    test(`accepts ${name}`, () => assert.deepEqual(issues(section), []));
  }

  test('normalises the Echo MAC to lower case with colons', () => {
    const result = checkApSection(VALID_VARIANTS['an Echo known by MAC only']);
    assert.ok(result.ok);
    assert.deepEqual(result.value.echo, { mac: '44:65:0d:12:34:56' });
  });

  test('does not change the object it was given', () => {
    const section = minimalAp();
    const copy = structuredClone(section);
    checkApSection(section);
    assert.deepEqual(section, copy);
  });

  test('reports every problem at once, in one list', () => {
    assert.equal(issues(minimalAp({ ssid: '', channel: 99, country_code: 'de' })).length, 3);
  });
});

const REJECTED: [string, unknown, string][] = [
  ['a missing section', undefined, "ap: required: the access point's settings (ssid, wpa_passphrase, country_code, ...)"],
  ['a section that is a list', [], 'ap: expected a mapping (got [])'],
  ['an unknown field, suggesting the near one', minimalAp({ chanel: 6 }), 'ap.chanel: unknown field (did you mean channel?)'],
  ['a missing SSID', minimalAp({ ssid: undefined }), 'ap.ssid: required: the network name the Echo joins, 1–32 bytes of UTF-8'],
  ['an empty SSID', minimalAp({ ssid: '' }), 'ap.ssid: expected 1–32 bytes of UTF-8 (got 0 bytes)'],
  ['a 33-byte SSID', minimalAp({ ssid: 'x'.repeat(33) }), 'ap.ssid: expected 1–32 bytes of UTF-8 (got 33 bytes)'],
  ['an SSID of 9 emoji, which is 36 bytes though only 18 UTF-16 units', minimalAp({ ssid: '🎤'.repeat(9) }), 'ap.ssid: expected 1–32 bytes of UTF-8 (got 36 bytes)'],
  ['an SSID with a line break', minimalAp({ ssid: 'echo\nnet' }), 'ap.ssid: control characters are not allowed (got "echo\\nnet")'],
  ['an SSID that YAML read as a number', minimalAp({ ssid: 1234 }), 'ap.ssid: expected a string (got 1234)'],
  ['a missing passphrase', minimalAp({ wpa_passphrase: undefined }), 'ap.wpa_passphrase: required: 8–63 printable ASCII characters, or 64 hex digits'],
  ['a 7-character passphrase', minimalAp({ wpa_passphrase: 'hunter2' }), 'ap.wpa_passphrase: expected 8–63 printable ASCII characters or 64 hex digits (got 7 characters)'],
  ['a 64-character passphrase that is not hex', minimalAp({ wpa_passphrase: 'g'.repeat(64) }), 'ap.wpa_passphrase: expected 8–63 printable ASCII characters or 64 hex digits (got 64 characters, not all of them hex digits)'],
  ['a passphrase with a non-ASCII letter', minimalAp({ wpa_passphrase: 'passwört!' }), 'ap.wpa_passphrase: expected 8–63 printable ASCII characters or 64 hex digits (got 9 characters, not all of them printable ASCII)'],
  ['a passphrase YAML read as a number, without showing it', minimalAp({ wpa_passphrase: 12345678 }), 'ap.wpa_passphrase: expected a string (got an integer; quote it in YAML)'],
  ['a raw PSK for WPA3-SAE', minimalAp({ security: 'wpa3', wpa_passphrase: 'ab'.repeat(32) }), 'ap.wpa_passphrase: WPA3-SAE needs 8–63 printable ASCII characters (got 64 characters, a raw PSK, which SAE cannot use)'],
  ['a short passphrase in transition mode', minimalAp({ security: 'wpa2-wpa3', wpa_passphrase: 'short' }), 'ap.wpa_passphrase: WPA2/WPA3 transition mode needs 8–63 printable ASCII characters (got 5 characters)'],
  ['an unknown security mode', minimalAp({ security: 'wep' }), 'ap.security: expected one of "wpa2", "wpa3", "wpa2-wpa3" (got "wep")'],
  ['a missing country code', minimalAp({ country_code: undefined }), 'ap.country_code: required: the regulatory domain, an ISO 3166-1 alpha-2 code such as DE or US'],
  ['a lower-case country code', minimalAp({ country_code: 'de' }), 'ap.country_code: expected an ISO 3166-1 alpha-2 country code in capitals, such as DE or US (got "de")'],
  ['a three-letter country code', minimalAp({ country_code: 'DEU' }), 'ap.country_code: expected an ISO 3166-1 alpha-2 country code in capitals, such as DE or US (got "DEU")'],
  ['hw_mode n, which is not a band', minimalAp({ hw_mode: 'n' }), 'ap.hw_mode: expected one of "g", "a" (got "n")'],
  ['channel banana, which hostapd would take as automatic', minimalAp({ channel: 'banana' }), 'ap.channel: expected an integer (got "banana")'],
  ['a fractional channel', minimalAp({ channel: 6.5 }), 'ap.channel: expected an integer (got 6.5)'],
  ['channel 0', minimalAp({ channel: 0 }), 'ap.channel: 2.4 GHz (hw_mode g) channels are 1–13 (got 0)'],
  ['channel 14', minimalAp({ channel: 14 }), 'ap.channel: 2.4 GHz (hw_mode g) channels are 1–13 (got 14): 14 is 802.11b-only, and only in Japan'],
  ['a 5 GHz channel on 2.4 GHz', minimalAp({ channel: 36 }), 'ap.channel: 2.4 GHz (hw_mode g) channels are 1–13 (got 36) (36 is a 5 GHz channel: set hw_mode a)'],
  ['a DFS channel', minimalAp({ hw_mode: 'a', channel: 52 }), 'ap.channel: 5 GHz (hw_mode a) channels are 36, 40, 44, 48, 149, 153, 157, 161, 165 (got 52): 52 needs radar detection (DFS), which earshot does not enable'],
  ['a 2.4 GHz channel on 5 GHz', minimalAp({ hw_mode: 'a', channel: 6 }), 'ap.channel: 5 GHz (hw_mode a) channels are 36, 40, 44, 48, 149, 153, 157, 161, 165 (got 6) (6 is a 2.4 GHz channel: set hw_mode g)'],
  ['802.11ac on 2.4 GHz', minimalAp({ ieee80211ac: true }), 'ap.ieee80211ac: 802.11ac needs hw_mode a, i.e. 5 GHz (got true with hw_mode g)'],
  ['802.11ac without 802.11n', minimalAp({ hw_mode: 'a', ieee80211n: false, ieee80211ac: true }), 'ap.ieee80211ac: 802.11ac needs ieee80211n: true (got true with ieee80211n false)'],
  ['40 MHz without 802.11n', minimalAp({ ieee80211n: false, channel_width: 40 }), 'ap.channel_width: 40 MHz needs ieee80211n: true (got 40 with ieee80211n false)'],
  ['80 MHz without 802.11ac', minimalAp({ hw_mode: 'a', channel_width: 80 }), 'ap.channel_width: 80 MHz needs ieee80211ac: true (got 80 with ieee80211ac false)'],
  ['40 MHz at channel 165', minimalAp({ hw_mode: 'a', channel: 165, channel_width: 40 }), 'ap.channel_width: 40 MHz does not fit at channel 165 (only 36–48 and 149–161 pair up)'],
  ['a width that is not 20, 40 or 80', minimalAp({ channel_width: 160 }), 'ap.channel_width: expected one of 20, 40, 80 (got 160)'],
  ['hidden: "yes"', minimalAp({ hidden: 'yes' }), 'ap.hidden: expected true or false (got "yes")'],
  ['client_isolation: 1', minimalAp({ client_isolation: 1 }), 'ap.client_isolation: expected true or false (got 1)'],
  ['an interface name with a space', minimalAp({ interface: 'wlan 0' }), `ap.interface: expected a Linux interface name: 1–15 letters, digits, '_', '.' or '-' (got "wlan 0")`],
  ['a 16-character interface name', minimalAp({ uplink: 'e'.repeat(16) }), `ap.uplink: expected a Linux interface name: 1–15 letters, digits, '_', '.' or '-' (got "${'e'.repeat(16)}")`],
  ['an uplink that is the AP interface', minimalAp({ uplink: 'wlan0' }), 'ap.uplink: must differ from ap.interface (both "wlan0")'],
  ['a relative control-interface path', minimalAp({ ctrl_interface: 'run/hostapd' }), 'ap.ctrl_interface: expected an absolute path without spaces (got "run/hostapd")'],
  ['a subnet that is not CIDR', minimalAp(lan({ subnet: '192.0.2.0' })), 'ap.lan.subnet: expected an IPv4 network in CIDR form, such as 192.168.73.0/24 (got "192.0.2.0")'],
  ['a subnet with host bits set', minimalAp(lan({ subnet: '192.0.2.1/24' })), 'ap.lan.subnet: host bits are set (got "192.0.2.1/24"; the network is 192.0.2.0/24)'],
  ['a /31 subnet', minimalAp(lan({ subnet: '192.0.2.0/31' })), 'ap.lan.subnet: expected a prefix from /16 to /30 (got "192.0.2.0/31")'],
  ['a subnet with a leading-zero octet', minimalAp(lan({ subnet: '192.0.02.0/24' })), 'ap.lan.subnet: expected an IPv4 network in CIDR form, such as 192.168.73.0/24 (got "192.0.02.0/24")'],
  ['a box address outside the subnet', minimalAp(lan({ address: '198.51.100.1' })), 'ap.lan.address: expected a host address inside 192.0.2.0/24, not its network or broadcast address (got "198.51.100.1")'],
  ['the broadcast address as the box address', minimalAp(lan({ address: '192.0.2.255' })), 'ap.lan.address: expected a host address inside 192.0.2.0/24, not its network or broadcast address (got "192.0.2.255")'],
  ['a DHCP range that runs backwards', minimalAp(lan({ dhcp_range: { start: '192.0.2.200', end: '192.0.2.100' } })), 'ap.lan.dhcp_range: start must not be after end (got 192.0.2.200–192.0.2.100)'],
  ['a DHCP range over the box address', minimalAp(lan({ dhcp_range: { start: '192.0.2.1', end: '192.0.2.50' } })), "ap.lan.dhcp_range: the range 192.0.2.1–192.0.2.50 includes the box's own address 192.0.2.1"],
  ['a DHCP range that leaves the subnet', minimalAp(lan({ dhcp_range: { start: '192.0.2.100', end: '192.0.3.10' } })), 'ap.lan.dhcp_range.end: expected a host address inside 192.0.2.0/24, not its network or broadcast address (got "192.0.3.10")'],
  ['a DHCP range without an end', minimalAp(lan({ dhcp_range: { start: '192.0.2.100' } })), 'ap.lan.dhcp_range.end: required'],
  ['a lease shorter than dnsmasq allows', minimalAp(lan({ lease_time: '90s' })), 'ap.lan.lease_time: expected a duration of at least 2m, such as 12h, 30m or 1d, or "infinite" (got "90s")'],
  ['a lease time with an unknown unit', minimalAp(lan({ lease_time: '1y' })), 'ap.lan.lease_time: expected a duration of at least 2m, such as 12h, 30m or 1d, or "infinite" (got "1y")'],
  ['a relative lease file', minimalAp(lan({ lease_file: 'leases' })), 'ap.lan.lease_file: expected an absolute path without spaces (got "leases")'],
  ['a lease file path with a space', minimalAp(lan({ lease_file: '/var/lib/my leases' })), 'ap.lan.lease_file: expected an absolute path without spaces (got "/var/lib/my leases")'],
  ['an Echo MAC that is not one', minimalAp({ echo: { mac: '44:65:0d:12:34' } }), 'ap.echo.mac: expected a MAC address such as 44:65:0d:12:34:56 (got "44:65:0d:12:34")'],
  ['a multicast Echo MAC', minimalAp({ echo: { mac: '01:00:5e:00:00:01' } }), 'ap.echo.mac: a multicast address cannot be a station (got "01:00:5e:00:00:01")'],
  ['an Echo address without a MAC', minimalAp({ echo: { ip: '192.0.2.10' } }), 'ap.echo.mac: required'],
  ['an Echo address outside the LAN', minimalAp({ echo: { mac: '44:65:0d:12:34:56', ip: '203.0.113.5' } }), 'ap.echo.ip: expected a host address inside 192.0.2.0/24 (got "203.0.113.5")'],
  ["the box's own address for the Echo", minimalAp({ echo: { mac: '44:65:0d:12:34:56', ip: '192.0.2.1' } }), 'ap.echo.ip: is the box\'s own address (got "192.0.2.1")'],
];

describe('rejecting a bad ap section', () => {
  for (const [name, section, expected] of REJECTED) {
    test(`rejects ${name}`, () => assert.deepEqual(issues(section), [expected]));
  }

  test('never puts the passphrase itself into an error', () => {
    for (const secret of ['hunter2', 'g'.repeat(64), 'passwört!', 'x'.repeat(70)]) {
      const text = issues(minimalAp({ wpa_passphrase: secret })).join('\n');
      assert.ok(text.startsWith('ap.wpa_passphrase:'), text);
      assert.ok(!text.includes(secret), `the error shows the secret: ${text}`);
    }
  });
});

describe('the enforcement section', () => {
  test('defaults to alert, no holding, and an hour-long safety timeout', () => {
    assert.deepEqual(checkEnforcementSection(undefined), { ok: true, value: { mode: 'alert', hold_new_flows: false, block_timeout_s: 3600 } });
  });

  test('rejects an unknown mode with the modes it knows', () => {
    const result = checkEnforcementSection({ mode: 'block' });
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [{ path: 'enforcement.mode', message: 'expected one of "off", "alert", "block-when-muted" (got "block")' }]);
  });

  test('rejects a safety timeout under a minute', () => {
    const result = checkEnforcementSection({ block_timeout_s: 5 });
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [{ path: 'enforcement.block_timeout_s', message: 'expected at least 60 (got 5)' }]);
  });
});

describe('a whole config file', () => {
  test('leaves the other sections to the rest of earshot and checks ap and enforcement together', () => {
    assert.throws(
      () => checkApConfigFile({ id: 'kitchen', mqtt: { url: 'mqtt://x' }, ap: minimalAp({ channel: 99 }), enforcement: { mode: 'on' } }, 'box.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, 'box.yaml: ap.channel: 2.4 GHz (hw_mode g) channels are 1–13 (got 99); enforcement.mode: expected one of "off", "alert", "block-when-muted" (got "on")');
        assert.ok(!error.message.includes('\n'));
        return true;
      },
    );
  });

  test('rejects a file whose top level is not a mapping', () => {
    assert.throws(() => checkApConfigFile(['ap'], 'box.yaml'), /^ConfigError: box\.yaml: \(top level\): expected a mapping with an ap: section \(got a list\)$/);
  });
});
