// Access-point configs the tests share: a minimal valid `ap:` section, and the set of valid
// variants that together use every field's values, for round trips through the real binaries.

export type ApInput = Record<string, unknown>;

/** The smallest valid section, on the test LAN. */
export function minimalAp(overrides: ApInput = {}): ApInput {
  return {
    country_code: 'DE',
    ssid: 'earshot',
    wpa_passphrase: 'correct horse battery',
    lan: { subnet: '192.0.2.0/24' },
    ...overrides,
  };
}

/** Valid configs covering every field's variants; names read as what they exercise. */
export const VALID_VARIANTS: Record<string, ApInput> = {
  'defaults: WPA2 on 2.4 GHz channel 6 at 20 MHz': minimalAp(),
  '2.4 GHz channel 1 at HT40+': minimalAp({ channel: 1, channel_width: 40 }),
  '2.4 GHz channel 13 at HT40-': minimalAp({ channel: 13, channel_width: 40, country_code: 'FR' }),
  '802.11g without 802.11n': minimalAp({ ieee80211n: false, channel: 11, country_code: 'US' }),
  '5 GHz channel 36 at 20 MHz': minimalAp({ hw_mode: 'a' }),
  '5 GHz channel 48 802.11ac at 40 MHz': minimalAp({ hw_mode: 'a', channel: 48, ieee80211ac: true, channel_width: 40 }),
  '5 GHz channel 157 802.11ac at 80 MHz': minimalAp({ hw_mode: 'a', channel: 157, ieee80211ac: true, channel_width: 80, country_code: 'US' }),
  '5 GHz channel 165 at 20 MHz with 802.11ac': minimalAp({ hw_mode: 'a', channel: 165, ieee80211ac: true, country_code: 'US' }),
  'WPA3-SAE': minimalAp({ security: 'wpa3' }),
  'WPA2/WPA3 transition mode': minimalAp({ security: 'wpa2-wpa3' }),
  'WPA2 with a 64-hex-digit PSK': minimalAp({ wpa_passphrase: 'a'.repeat(32) + 'F0'.repeat(16) }),
  'WPA2 with an 8-character passphrase of symbols': minimalAp({ wpa_passphrase: ' #=|\\"x ' }),
  'WPA2 with a 63-character passphrase': minimalAp({ wpa_passphrase: 'p'.repeat(63) }),
  'a 32-byte UTF-8 SSID with spaces at both ends': minimalAp({ ssid: ' Küche 🎤 Echo und Mikrofön ' }),
  'a one-byte SSID': minimalAp({ ssid: 'e' }),
  'a hidden SSID without client isolation': minimalAp({ hidden: true, client_isolation: false }),
  'custom interfaces and paths': minimalAp({ interface: 'wlan1', uplink: 'end0.10', ctrl_interface: '/run/earshot-hostapd' }),
  'a /28 LAN with its own address, range and lease time': minimalAp({
    lan: { subnet: '192.0.2.16/28', address: '192.0.2.30', dhcp_range: { start: '192.0.2.20', end: '192.0.2.29' }, lease_time: '2m', lease_file: '/var/lib/earshot/leases' },
  }),
  'an infinite lease': minimalAp({ lan: { subnet: '192.0.2.0/24', lease_time: 'infinite' } }),
  'an Echo with a static lease': minimalAp({ echo: { mac: '44:65:0D:12:34:56', ip: '192.0.2.10' } }),
  'an Echo known by MAC only': minimalAp({ echo: { mac: '44-65-0d-12-34-56' } }),
};
