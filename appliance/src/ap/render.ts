// Everything `earshot ap render` writes, as file names, contents and modes.

import type { ApConfig } from './config.js';
import { renderDnsmasqConf } from './render-dnsmasq.js';
import { renderHostapdConf } from './render-hostapd.js';
import { renderNftables } from './render-nftables.js';

export interface RenderedFile {
  name: string;
  content: string;
  /** hostapd.conf holds the passphrase, so only root may read it. */
  mode: number;
}

export const RENDERED_NAMES = { hostapd: 'hostapd.conf', dnsmasq: 'dnsmasq.conf', nftables: 'earshot.nft' } as const;

export function renderAll(ap: ApConfig): RenderedFile[] {
  return [
    { name: RENDERED_NAMES.hostapd, content: renderHostapdConf(ap), mode: 0o600 },
    { name: RENDERED_NAMES.dnsmasq, content: renderDnsmasqConf(ap), mode: 0o644 },
    { name: RENDERED_NAMES.nftables, content: renderNftables(ap), mode: 0o644 },
  ];
}
