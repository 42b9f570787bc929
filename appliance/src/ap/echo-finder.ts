// Which station on the AP is the Echo, whether it is connected, and its address. Stations come
// from hostapd's control interface, addresses from dnsmasq's leases. The Echo is the configured
// MAC or, without one, the one station with an Amazon OUI; once chosen it stays chosen while it is
// associated, so a Fire TV joining later does not take its place. Pure: no I/O, an injected clock.
// For a box watching several Echos, `devices` lists every one: each listed MAC (config order),
// then every Amazon station that is not listed (first seen first). An unlisted one that leaves
// stays in the list, disconnected, for the rest of the run, so its alerts and address still name it.

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

/** One Echo of the multi-device view (`devices`). */
export interface FoundEcho {
  mac: string;
  /** The MAC is one of `listedMacs` (the config's devices); false: found by its Amazon OUI. */
  listed: boolean;
  recognisedBy: 'configured MAC' | 'Amazon OUI';
  connected: boolean;
  /** From its DHCP lease; follows the lease when it changes. */
  ip?: string;
  /** When it last associated (ISO-8601), while connected. */
  since?: string;
}

export interface EchoFinderOptions {
  /** `ap.echo.mac`, normalised. */
  echoMac?: string;
  /** The MACs of the configured devices, in config order; default: `echoMac`, if set. */
  listedMacs?: readonly string[];
  isAmazon?: (mac: string) => boolean;
  nowMs?: () => number;
}

export class EchoFinder extends EventEmitter<{ change: [state: EchoState]; devices: [devices: FoundEcho[]] }> {
  private readonly stations = new Map<string, number>();
  private leases: readonly Lease[] = [];
  private chosen: string | undefined;
  private current: EchoState = { connected: false };
  private readonly listed: string[];
  /** Amazon stations seen that are not listed, in the order they first associated. */
  private readonly unlisted: string[] = [];
  private currentDevices: FoundEcho[];
  private readonly isAmazon: (mac: string) => boolean;
  private readonly nowMs: () => number;

  constructor(private readonly options: EchoFinderOptions = {}) {
    super();
    this.isAmazon = options.isAmazon ?? isAmazonMac;
    this.nowMs = options.nowMs ?? Date.now;
    this.chosen = options.echoMac;
    this.listed = [...new Set((options.listedMacs ?? (options.echoMac ? [options.echoMac] : [])).map((mac) => mac.toLowerCase()))];
    this.currentDevices = this.listDevices();
  }

  get state(): EchoState {
    return this.current;
  }

  /** Every Echo known this run: listed ones first, connected or not, then unlisted Amazon ones. */
  get devices(): FoundEcho[] {
    return this.currentDevices;
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
    this.updateChosen();
    for (const mac of this.stations.keys()) if (!this.listed.includes(mac) && !this.unlisted.includes(mac) && this.isAmazon(mac)) this.unlisted.push(mac);
    const devices = this.listDevices();
    if (JSON.stringify(devices) === JSON.stringify(this.currentDevices)) return;
    this.currentDevices = devices;
    this.emit('devices', devices);
  }

  private listDevices(): FoundEcho[] {
    const entry = (mac: string, listed: boolean): FoundEcho => {
      const connectedAt = this.stations.get(mac);
      const ip = addressOf(this.leases, mac, this.nowMs() / 1000);
      return {
        mac,
        listed,
        recognisedBy: listed ? 'configured MAC' : 'Amazon OUI',
        connected: connectedAt !== undefined,
        ...(ip ? { ip } : {}),
        ...(connectedAt !== undefined ? { since: new Date(connectedAt).toISOString() } : {}),
      };
    };
    return [...this.listed.map((mac) => entry(mac, true)), ...this.unlisted.map((mac) => entry(mac, false))];
  }

  /** The single-Echo view (`change`), as before several Echos. */
  private updateChosen(): void {
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
