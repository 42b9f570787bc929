// dnsmasq's leases file: one lease per line, `expiry mac ip hostname client-id`, where expiry is
// epoch seconds (0: never), and `*` stands for a missing hostname or client id. DHCPv6 leases
// follow a `duid` line and have no MAC; they are skipped, as the AP LAN is IPv4 only.

import { parseIpv4 } from './ipv4.js';

export interface Lease {
  /** Epoch seconds; Infinity for a lease that never expires. */
  expiry: number;
  mac: string;
  ip: string;
  hostname?: string;
  clientId?: string;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function parseLeases(text: string): Lease[] {
  const leases: Lease[] = [];
  for (const line of text.split('\n')) {
    const [expiryText, macText, ip, hostname, clientId] = line.trim().split(/\s+/);
    const mac = macText?.toLowerCase();
    if (!mac || !MAC.test(mac) || ip === undefined || parseIpv4(ip) === undefined || !/^\d+$/.test(expiryText)) continue;
    const expiry = Number(expiryText);
    leases.push({
      expiry: expiry === 0 ? Infinity : expiry,
      mac,
      ip,
      ...(hostname && hostname !== '*' ? { hostname } : {}),
      ...(clientId && clientId !== '*' ? { clientId } : {}),
    });
  }
  return leases;
}

/** The address currently leased to `mac`: the unexpired lease that runs longest. */
export function addressOf(leases: readonly Lease[], mac: string, nowS: number): string | undefined {
  let best: Lease | undefined;
  for (const lease of leases) if (lease.mac === mac && lease.expiry > nowS && (!best || lease.expiry > best.expiry)) best = lease;
  return best?.ip;
}
