// hostapd.conf from a checked ApConfig. hostapd reads each line up to the newline, with no
// trimming and no quoting, so values are written raw and anything that is not plain printable
// ASCII (the SSID) is written as hex instead.

import { radioLayout, isRadioProblem } from './channels.js';
import type { ApConfig } from './config.js';

const PLAIN_SSID = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const HEX64 = /^[0-9A-Fa-f]{64}$/;

export interface HostapdRenderOptions {
  /** nl80211 on the Pi; tests use "none" to get hostapd's control interface without a radio. */
  driver?: string;
}

export function renderHostapdConf(ap: ApConfig, options: HostapdRenderOptions = {}): string {
  const layout = radioLayout(ap);
  if (isRadioProblem(layout)) throw new Error(`renderHostapdConf: unchecked radio settings: ${layout.message}`);
  const lines: string[] = [
    '# Rendered by earshot (earshot ap render). Edit the earshot config instead: this file is replaced.',
    `interface=${ap.interface}`,
    `driver=${options.driver ?? 'nl80211'}`,
    `ctrl_interface=${ap.ctrl_interface}`,
    'ctrl_interface_group=0',
    '',
    '# Network name',
    ...ssidLines(ap.ssid),
    `ignore_broadcast_ssid=${ap.hidden ? 1 : 0}`,
    `ap_isolate=${ap.client_isolation ? 1 : 0}`,
    '',
    '# Regulatory domain and radio',
    `country_code=${ap.country_code}`,
    'ieee80211d=1',
    `hw_mode=${ap.hw_mode}`,
    `channel=${ap.channel}`,
    'wmm_enabled=1',
    `ieee80211n=${ap.ieee80211n ? 1 : 0}`,
  ];
  if (layout.ht40) lines.push(`ht_capab=${layout.ht40}`);
  if (ap.ieee80211ac) {
    lines.push('ieee80211ac=1', `vht_oper_chwidth=${layout.vhtChwidth ?? 0}`);
    if (layout.vhtCentre !== undefined) lines.push(`vht_oper_centr_freq_seg0_idx=${layout.vhtCentre}`);
  }
  lines.push('', '# Security', 'auth_algs=1', 'wpa=2', 'rsn_pairwise=CCMP', ...securityLines(ap), '');
  return lines.join('\n');
}

function ssidLines(ssid: string): string[] {
  if (PLAIN_SSID.test(ssid)) return [`ssid=${ssid}`];
  // ssid2 takes hex, which survives spaces at either end and any UTF-8; utf8_ssid tells stations.
  const hex = Buffer.from(ssid, 'utf8').toString('hex');
  const utf8 = /[^\x00-\x7f]/.test(ssid) ? ['utf8_ssid=1'] : [];
  return [`# ssid ${JSON.stringify(ssid)}, written as hex`, `ssid2=${hex}`, ...utf8];
}

function securityLines(ap: ApConfig): string[] {
  const secret = HEX64.test(ap.wpa_passphrase) ? `wpa_psk=${ap.wpa_passphrase.toLowerCase()}` : `wpa_passphrase=${ap.wpa_passphrase}`;
  switch (ap.security) {
    case 'wpa2':
      return ['wpa_key_mgmt=WPA-PSK', 'ieee80211w=0', secret];
    case 'wpa3':
      // WPA3 makes protected management frames mandatory.
      return ['wpa_key_mgmt=SAE', 'ieee80211w=2', 'sae_require_mfp=1', secret];
    case 'wpa2-wpa3':
      // Transition: WPA2 stations may skip PMF, SAE stations must use it.
      return ['wpa_key_mgmt=WPA-PSK SAE', 'ieee80211w=1', 'sae_require_mfp=1', secret];
  }
}
