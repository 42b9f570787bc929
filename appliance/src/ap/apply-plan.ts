// What `earshot ap apply` runs after the files are in place. Pure: the same config and the same
// set of changed files always give the same commands, which the tests compare exactly.

import type { ApConfig } from './config.js';
import { RENDERED_NAMES } from './render.js';

/** The systemd units of the earshot OS image (docs/access-point.md has their text). */
export const AP_UNITS = {
  nftables: 'earshot-nftables.service',
  hostapd: 'earshot-hostapd.service',
  dnsmasq: 'earshot-dnsmasq.service',
} as const;

export type Command = [string, ...string[]];

/** The checks run on the new files before they replace the old ones. */
export function checksFor(changed: ReadonlyMap<string, string>): Command[] {
  const checks: Command[] = [];
  const dnsmasq = changed.get(RENDERED_NAMES.dnsmasq);
  const nft = changed.get(RENDERED_NAMES.nftables);
  if (dnsmasq) checks.push(['dnsmasq', '--test', '-C', dnsmasq]);
  if (nft) checks.push(['nft', '-c', '-f', nft]);
  return checks;
}

/**
 * Restarts only what changed: restarting hostapd drops the Echo off the Wi-Fi for a few seconds.
 * The firewall goes first so NAT and the forward rules exist before stations can join.
 */
export function reloadCommands(ap: ApConfig, changed: ReadonlySet<string>, force = false): Command[] {
  const commands: Command[] = [
    ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
    ['ip', 'address', 'replace', `${ap.lan.address}/${ap.lan.prefix}`, 'dev', ap.interface],
  ];
  const order: [string, string][] = [
    [RENDERED_NAMES.nftables, AP_UNITS.nftables],
    [RENDERED_NAMES.hostapd, AP_UNITS.hostapd],
    [RENDERED_NAMES.dnsmasq, AP_UNITS.dnsmasq],
  ];
  for (const [file, unit] of order) if (force || changed.has(file)) commands.push(['systemctl', 'restart', unit]);
  return commands;
}
