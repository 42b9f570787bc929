// Which host is the Echo. Given by IP or MAC, or elected as the busiest local sender.

import { isIPv4, isIPv6 } from 'node:net';
import type { DecodedPacket } from '../decode/types.js';

export type DeviceSpec = { ip: string } | { mac: string };

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/**
 * Parses `--device`: an IPv4/IPv6 address or a MAC (any case, ':' or '-'). IPv6 is brought to
 * the RFC 5952 form the decoder writes, so the two always compare equal.
 */
export function parseDeviceSpec(text: string): DeviceSpec | undefined {
  const mac = text.toLowerCase().replaceAll('-', ':');
  if (MAC.test(mac)) return { mac };
  if (isIPv4(text)) return { ip: text };
  if (isIPv6(text)) return { ip: new URL(`http://[${text}]`).hostname.slice(1, -1) };
  return undefined;
}

/**
 * Addresses that belong to a home network: RFC 1918, CGNAT, link-local, IPv6 ULA and link-local,
 * multicast and broadcast, plus 192.0.2.0/24, the documentation range earshot's simulator and tests use as the AP's LAN.
 */
export function isLocalAddress(ip: string): boolean {
  if (ip.includes(':')) {
    const first = parseInt(ip.split(':')[0] || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
  }
  const dot = ip.indexOf('.');
  const a = Number(ip.slice(0, dot));
  const b = Number(ip.slice(dot + 1, ip.indexOf('.', dot + 1)));
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    a >= 224 || // multicast (mDNS, SSDP) and broadcast never leave the home network
    ip.startsWith('192.0.2.')
  );
}

/** Matches the Echo's packets once it is known. */
export class DeviceMatcher {
  private readonly ips = new Set<string>();

  constructor(private readonly spec: DeviceSpec) {
    if ('ip' in spec) this.ips.add(spec.ip);
  }

  get addresses(): string[] {
    return [...this.ips];
  }

  get description(): string {
    return 'ip' in this.spec ? this.spec.ip : `${this.spec.mac} (${this.addresses.join(', ') || 'no IP seen yet'})`;
  }

  /** True when the Echo sent the packet. Learns the Echo's addresses when it is named by MAC. */
  isSentByDevice(packet: DecodedPacket): boolean {
    if ('mac' in this.spec) {
      if (packet.srcMac !== this.spec.mac) return false;
      if (!this.ips.has(packet.src)) this.ips.add(packet.src);
      return true;
    }
    return this.ips.has(packet.src);
  }

  isSentToDevice(packet: DecodedPacket): boolean {
    return this.ips.has(packet.dst);
  }
}

/** Counts local senders until the election window closes. */
export class BusiestLocalSender {
  private readonly counts = new Map<string, number>();

  note(packet: DecodedPacket): void {
    if (isLocalAddress(packet.src)) this.counts.set(packet.src, (this.counts.get(packet.src) ?? 0) + 1);
  }

  winner(): string | undefined {
    let best: string | undefined;
    let bestCount = 0;
    for (const [ip, count] of this.counts) {
      if (count > bestCount) {
        best = ip;
        bestCount = count;
      }
    }
    return best;
  }
}
