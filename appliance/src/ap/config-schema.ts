// The JSON schemas of the `ap:` and `enforcement:` sections. They describe shape, types and
// defaults; what a schema cannot say (bytes of UTF-8, channel plans, addresses inside a subnet)
// is checked in config-semantics.ts. The service config (`earshot run --config`) embeds both
// under its own top-level keys. `x-expected` is earshot's annotation: the phrase an error uses
// when a pattern does not match.

import { ENFORCEMENT_DEFAULTS } from '../defaults.js';

export const INTERFACE_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$';
const interfaceName = {
  type: 'string',
  pattern: INTERFACE_NAME_PATTERN,
  'x-expected': "a Linux interface name: 1–15 letters, digits, '_', '.' or '-'",
} as const;

// hostapd and dnsmasq read a value up to the end of its line; a space is legal in neither's paths
// without quoting rules that differ between the two, so paths have none.
const absolutePath = { type: 'string', pattern: '^/\\S*$', 'x-expected': 'an absolute path without spaces' } as const;

export const AP_SCHEMA = {
  $id: 'earshot/ap',
  description: 'The access point the Echo joins: hostapd, dnsmasq and the nftables ruleset are rendered from it.',
  type: 'object',
  additionalProperties: false,
  'x-expected': 'access-point settings',
  required: ['country_code', 'ssid', 'wpa_passphrase'],
  properties: {
    interface: { ...interfaceName, default: 'wlan0', description: 'The Wi-Fi interface hostapd runs the AP on.' },
    uplink: { ...interfaceName, default: 'eth0', description: 'The interface towards the home router; AP traffic is NATed out of it.' },
    country_code: {
      type: 'string',
      pattern: '^[A-Z]{2}$',
      'x-expected': 'an ISO 3166-1 alpha-2 country code in capitals, such as DE or US',
      description: 'The regulatory domain. Required: it decides which channels and powers are legal.',
    },
    ssid: { type: 'string', description: '1–32 bytes of UTF-8.' },
    hidden: { type: 'boolean', default: false, description: 'Do not broadcast the SSID (ignore_broadcast_ssid).' },
    client_isolation: { type: 'boolean', default: true, description: 'Stations on the AP cannot reach each other (ap_isolate).' },
    security: {
      enum: ['wpa2', 'wpa3', 'wpa2-wpa3'],
      default: 'wpa2',
      description: 'wpa2: WPA2-PSK; wpa3: WPA3-SAE; wpa2-wpa3: transition mode (both, management frames protected when the station can).',
    },
    wpa_passphrase: { type: 'string', description: '8–63 printable ASCII characters, or 64 hex digits (WPA2 only).' },
    hw_mode: { enum: ['g', 'a'], default: 'g', description: 'g: 2.4 GHz; a: 5 GHz.' },
    channel: { type: 'integer', description: 'Default 6 on 2.4 GHz, 36 on 5 GHz.' },
    ieee80211n: { type: 'boolean', default: true },
    ieee80211ac: { type: 'boolean', default: false, description: '5 GHz only.' },
    channel_width: { enum: [20, 40, 80], default: 20, description: 'MHz. 40 needs ieee80211n, 80 needs ieee80211ac.' },
    ctrl_interface: { ...absolutePath, default: '/run/hostapd', description: "The directory of hostapd's control sockets." },
    lan: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        subnet: {
          type: 'string',
          default: '192.168.73.0/24',
          description: 'The AP LAN, IPv4 CIDR with a prefix of /16 to /30.',
        },
        address: { type: 'string', description: "The box's own address on the AP LAN. Default: the subnet's first host." },
        dhcp_range: {
          type: 'object',
          additionalProperties: false,
          required: ['start', 'end'],
          properties: { start: { type: 'string' }, end: { type: 'string' } },
          description: "Default: the upper half of the subnet's hosts.",
        },
        lease_time: { type: 'string', default: '12h', description: 'dnsmasq lease time: a number with s, m, h, d or w, or "infinite".' },
        lease_file: { ...absolutePath, default: '/var/lib/misc/dnsmasq.leases', description: "dnsmasq's leases file, which the Echo finder reads." },
      },
    },
    echo: {
      type: 'object',
      additionalProperties: false,
      required: ['mac'],
      description: 'The Echo, when it should not be found by its Amazon OUI. With ip, dnsmasq gives it a static lease.',
      properties: { mac: { type: 'string' }, ip: { type: 'string' } },
    },
  },
} as const;

export const ENFORCEMENT_MODES = ['off', 'alert', 'block-when-muted'] as const;

export const ENFORCEMENT_SCHEMA = {
  $id: 'earshot/enforcement',
  type: 'object',
  additionalProperties: false,
  'x-expected': 'a mapping of settings',
  properties: {
    mode: {
      enum: ENFORCEMENT_MODES,
      'x-expected': '"off", "alert" or "block-when-muted"',
      default: ENFORCEMENT_DEFAULTS.mode,
      description: 'off: no enforcement; alert: say what would be blocked; block-when-muted: cut the flow of a critical verdict.',
    },
    hold_new_flows: {
      type: 'boolean',
      'x-expected': 'true or false',
      default: ENFORCEMENT_DEFAULTS.hold_new_flows,
      description: 'While muted, TLS flows the Echo opens pass only heartbeat-sized packets until unmute.',
    },
    block_timeout_s: {
      type: 'integer',
      minimum: 60,
      maximum: 86400,
      'x-expected': 'whole seconds between 60 and 86400',
      default: ENFORCEMENT_DEFAULTS.block_timeout_s,
      description: 'nftables drops a block by itself after this long, in case earshot is not there to lift it.',
    },
  },
} as const;
