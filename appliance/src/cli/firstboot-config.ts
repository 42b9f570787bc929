// First boot of the earshot image: turns the boot partition's earshot.conf into the files the
// box runs with. Pure: text in, file contents out, so tests can feed it sample configs. The user
// edits earshot.conf on a PC, so every error is one line naming the field, and no secret is ever
// echoed (docs/install.md).
//
// earshot.conf is the service config (docs/service.md), with its `ap:` section required, plus one
// image-only section, `ssh: { authorized_keys: [...] }`, that turns SSH on.

import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { ConfigError as ApConfigError } from '../ap/config-errors.js';
import { checkApConfigFile, type ApConfig } from '../ap/config.js';
import { migrateConfig } from '../config-version.js';
import { ConfigError, parseConfigText, resolveConfig } from '../service/load-config.js';

export interface FirstBootFiles {
  /** /etc/earshot/earshot.yaml: what `earshot run` reads. */
  serviceConfig: string;
  /** The systemd-networkd unit giving the AP interface its static address. */
  apNetwork: { name: string; content: string };
  /** root's authorized_keys when SSH is enabled, else undefined (SSH stays off). */
  authorizedKeys: string | undefined;
  /** What is left on the boot partition: the config with its secrets replaced. */
  redacted: string;
  /**
   * The status page's action token (docs/status-page.md), fresh, when earshot.conf sets none:
   * installed as /etc/earshot/status-page.token and shown on the card for the person.
   */
  statusPageToken: string | undefined;
}

const KEY_LINE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;
export const REMOVED = '(applied and removed from this card)';

export function prepareFirstBoot(text: string, file: string, newToken: () => string = () => randomBytes(18).toString('base64url')): FirstBootFiles {
  const document = parseConfigText(text, file);
  const { ssh, ...service } = document;
  const authorizedKeys = sshKeys(ssh, file);
  // The same validation as `earshot run`: a config that passes here starts the service.
  resolveConfig(service, file, {}, 'earshot');
  const ap = checkAp(service, file);
  // The box's copy says its format, so a later earshot knows which migration it needs.
  const migrated = migrateConfig(service);
  const current = migrated.ok ? migrated.config : service;
  return {
    serviceConfig: `# Written by earshot's first boot from the boot partition's earshot.conf.\n${stringify(current, { lineWidth: 0 })}`,
    apNetwork: { name: `20-earshot-${ap.interface}.network`, content: apNetworkUnit(ap) },
    authorizedKeys: authorizedKeys && `${authorizedKeys.join('\n')}\n`,
    redacted: redact(document),
    statusPageToken: (service.status_page as { token?: string } | undefined)?.token === undefined ? newToken() : undefined,
  };
}

/** The `earshot ap` validation, as one line in the service's format. */
function checkAp(service: Record<string, unknown>, file: string): ApConfig {
  if (service.ap === undefined) throw new ConfigError(file, 'ap', 'required: the Wi-Fi the Echo joins (ssid, wpa_passphrase, country_code)');
  try {
    return checkApConfigFile(service, file).ap;
  } catch (error) {
    if (!(error instanceof ApConfigError)) throw error;
    const [first, ...rest] = error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new ConfigError(file, first.path, first.message + more);
  }
}

function sshKeys(ssh: unknown, file: string): string[] | undefined {
  if (ssh === undefined || ssh === null) return undefined;
  const keys = (ssh as { authorized_keys?: unknown }).authorized_keys;
  const extra = typeof ssh === 'object' && !Array.isArray(ssh) ? Object.keys(ssh).filter((k) => k !== 'authorized_keys') : [];
  if (extra.length > 0) throw new ConfigError(file, `ssh.${extra[0]}`, 'unknown setting (known here: authorized_keys)');
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(file, 'ssh.authorized_keys', 'expected a list of public keys (SSH stays off without one)');
  keys.forEach((key, index) => {
    if (typeof key !== 'string' || !KEY_LINE.test(key.trim())) {
      throw new ConfigError(file, `ssh.authorized_keys.${index}`, 'expected one OpenSSH public key line, such as "ssh-ed25519 AAAA... me@laptop"');
    }
  });
  return keys.map((key: string) => key.trim());
}

function apNetworkUnit(ap: ApConfig): string {
  return [
    '# Written by earshot first boot: the Echo\'s access point. hostapd brings the link up.',
    '[Match]',
    `Name=${ap.interface}`,
    '',
    '[Link]',
    // The Echo's network must not hold up boot, nor count for "online".
    'RequiredForOnline=no',
    '',
    '[Network]',
    `Address=${ap.lan.address}/${ap.lan.prefix}`,
    'ConfigureWithoutCarrier=yes',
    'LinkLocalAddressing=no',
    'IPv6AcceptRA=no',
    '',
  ].join('\n');
}

function redact(document: Record<string, unknown>): string {
  const copy = structuredClone(document) as Record<string, any>;
  if (typeof copy.ap?.wpa_passphrase === 'string') copy.ap.wpa_passphrase = REMOVED;
  if (typeof copy.mqtt?.password === 'string') copy.mqtt.password = REMOVED;
  if (typeof copy.status_page?.token === 'string') copy.status_page.token = REMOVED;
  if (typeof copy.mqtt?.url === 'string') copy.mqtt.url = copy.mqtt.url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@');
  return `# earshot applied this config at first boot; the secrets were removed from this card.\n# To change settings, edit this file and rename it to earshot.conf (fill in the secrets again).\n${stringify(copy, { lineWidth: 0 })}`;
}
