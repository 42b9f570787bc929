// Which host is the Echo. Given by IP or MAC, or elected as the busiest local sender.

import { isIPv4, isIPv6 } from 'node:net';
import type { DecodedPacket } from '../decode/types.js';
import { addressKey, macKey } from '../decode/address-keys.js';
import { isLocalAddressAt } from '../flows/local-address.js';

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

/** Matches the Echo's packets once it is known, by numeric keys (address-keys.ts), never by text. */
export class DeviceMatcher {
  private readonly keys = new Set<number>();
  private readonly texts: string[] = [];
  private readonly macKey: number;

  constructor(private readonly spec: DeviceSpec) {
    this.macKey = 'mac' in spec ? macKey(spec.mac) : -1;
    if ('ip' in spec) {
      const key = addressKey(spec.ip);
      if (key !== undefined) this.keys.add(key);
      this.texts.push(spec.ip);
    }
  }

  sameDevice(spec: DeviceSpec): boolean {
    return 'mac' in spec ? 'mac' in this.spec && this.spec.mac === spec.mac : 'ip' in this.spec && this.spec.ip === spec.ip;
  }

  get addresses(): string[] {
    return [...this.texts];
  }

  get description(): string {
    return 'ip' in this.spec ? this.spec.ip : `${this.spec.mac} (${this.addresses.join(', ') || 'no IP seen yet'})`;
  }

  /** True when the Echo sent the packet. Learns the Echo's addresses when it is named by MAC. */
  isSentByDevice(packet: DecodedPacket): boolean {
    if (this.macKey >= 0) {
      if (packet.srcMacKey !== this.macKey) return false;
      if (!this.keys.has(packet.srcKey)) {
        this.keys.add(packet.srcKey);
        this.texts.push(packet.src);
      }
      return true;
    }
    return this.keys.has(packet.srcKey);
  }

  isSentToDevice(packet: DecodedPacket): boolean {
    return this.keys.has(packet.dstKey);
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
  private readonly counts = new Map<number, { count: number; ip: string }>();

  note(packet: DecodedPacket): void {
    if (packet.srcOffset < 0 || !isLocalAddressAt(packet.bytes, packet.srcOffset, packet.ipVersion)) return;
    const seen = this.counts.get(packet.srcKey);
    if (seen) seen.count++;
    else this.counts.set(packet.srcKey, { count: 1, ip: packet.src });
  }

  winner(): string | undefined {
    let best: string | undefined;
    let bestCount = 0;
    for (const { count, ip } of this.counts.values()) {
      if (count > bestCount) {
        best = ip;
        bestCount = count;
      }
    }
    return best;
  }
}
