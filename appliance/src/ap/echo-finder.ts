// Which station on the AP is the Echo, whether it is connected, and its address. Stations come
// from hostapd's control interface, addresses from dnsmasq's leases. The Echo is the configured
// MAC or, without one, the one station with an Amazon OUI; once chosen it stays chosen while it is
// associated, so a Fire TV joining later does not take its place. Pure: no I/O, an injected clock.

import { EventEmitter } from 'node:events';
import { isAmazonMac } from './amazon-oui.js';
import type { CtrlEvent } from './hostapd-events.js';
import { addressOf, type Lease } from './leases.js';

export interface EchoState {
  /** The Echo is associated with the AP right now (Home Assistant's "Echo connected"). */
  connected: boolean;
  mac?: string;
  /** From its DHCP lease; follows the lease when it changes. */
  ip?: string;
  recognisedBy?: 'configured MAC' | 'Amazon OUI';
  /** When it last associated (ISO-8601). */
  since?: string;
  /** Without a configured MAC, more than one Amazon station was associated and none was chosen. */
  candidates?: string[];
}

export interface EchoFinderOptions {
  /** `ap.echo.mac`, normalised. */
  echoMac?: string;
  isAmazon?: (mac: string) => boolean;
  nowMs?: () => number;
}

export class EchoFinder extends EventEmitter<{ change: [state: EchoState] }> {
  private readonly stations = new Map<string, number>();
  private leases: readonly Lease[] = [];
  private chosen: string | undefined;
  private current: EchoState = { connected: false };
  private readonly isAmazon: (mac: string) => boolean;
  private readonly nowMs: () => number;

  constructor(private readonly options: EchoFinderOptions = {}) {
    super();
    this.isAmazon = options.isAmazon ?? isAmazonMac;
    this.nowMs = options.nowMs ?? Date.now;
    this.chosen = options.echoMac;
  }

  get state(): EchoState {
    return this.current;
  }

  /** The stations hostapd listed on (re)attaching: replaces what was known. */
  setStations(macs: readonly string[]): void {
    const now = this.nowMs();
    const previous = new Map(this.stations);
    this.stations.clear();
    for (const mac of macs) this.stations.set(mac.toLowerCase(), previous.get(mac.toLowerCase()) ?? now);
    this.update();
  }

  handleEvent({ event }: CtrlEvent): void {
    if (event.kind === 'station-connected') {
      this.stations.set(event.mac, this.nowMs());
      this.update();
    } else if (event.kind === 'station-disconnected') {
      this.stations.delete(event.mac);
      this.update();
    } else if (event.kind === 'ap-disabled' || event.kind === 'terminating') {
      // The AP is down: nobody is associated any more.
      this.stations.clear();
      this.update();
    }
  }

  setLeases(leases: readonly Lease[]): void {
    this.leases = leases;
    this.update();
  }

  private update(): void {
    const configured = this.options.echoMac;
    let candidates: string[] | undefined;
    if (!configured && (this.chosen === undefined || !this.stations.has(this.chosen))) {
      const amazon = [...this.stations.keys()].filter((mac) => this.isAmazon(mac)).sort();
      // Keep the last Echo's MAC while it is away, so its address and state still name it.
      if (amazon.length === 1) this.chosen = amazon[0];
      else if (amazon.length > 1) candidates = amazon;
    }
    const mac = candidates ? undefined : this.chosen;
    const connectedAt = mac === undefined ? undefined : this.stations.get(mac);
    const ip = mac === undefined ? undefined : addressOf(this.leases, mac, this.nowMs() / 1000);
    const next: EchoState = {
      connected: connectedAt !== undefined,
      ...(mac ? { mac, recognisedBy: configured ? 'configured MAC' : 'Amazon OUI' } : {}),
      ...(ip ? { ip } : {}),
      ...(connectedAt !== undefined ? { since: new Date(connectedAt).toISOString() } : {}),
      ...(candidates ? { candidates } : {}),
    };
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.emit('change', next);
  }
}
