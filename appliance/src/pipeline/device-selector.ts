// Which host is the Echo. Given by IP or MAC, or elected as the busiest local sender.

import { isIPv4, isIPv6 } from 'node:net';
import type { DecodedPacket } from '../decode/types.js';
import { isLocalAddress } from '../flows/local-address.js';

export { isLocalAddress } from '../flows/local-address.js';

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

/** Matches the Echo's packets once it is known. */
export class DeviceMatcher {
  private readonly ips = new Set<string>();

  constructor(private readonly spec: DeviceSpec) {
    if ('ip' in spec) this.ips.add(spec.ip);
  }

  sameDevice(spec: DeviceSpec): boolean {
    return 'mac' in spec ? 'mac' in this.spec && this.spec.mac === spec.mac : 'ip' in this.spec && this.spec.ip === spec.ip;
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

/**
 * The live capture's BPF filter for a known Echo: only frames to or from its MAC reach the
 * decoder, so the box never decodes its own or other hosts' traffic.
 */
export function echoCaptureFilter(mac: string): string {
  const normalised = mac.toLowerCase().replaceAll('-', ':');
  if (!MAC.test(normalised)) throw new Error(`not a MAC address: '${mac}'`);
  return `ether host ${normalised}`;
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
