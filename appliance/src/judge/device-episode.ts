// An upload episode of the whole device: the Echo's upstream payload on all of its connections
// and destinations together, TCP and UDP, from the first packet of a surge until it goes quiet.
// It holds what an alert reports (totals, connections); the evidence is in device-rates.ts.
// Running sums only, never payload.

import type { FlowTuple } from './judge-events.js';
import { BACKGROUND_WINDOW_US, MAX_FLOWS_PER_ALERT } from './upload-thresholds.js';
import { SlidingSum } from './window-sums.js';

/** One upstream packet, as the judge is fed it: the wiring point reuses one object for all. */
export interface UploadPacket {
  timeUs: number;
  /** Payload bytes (TLS app data, plain TCP or UDP payload); retransmissions already excluded. */
  bytes: number;
  /** The flow table's stream index: the connection's identity everywhere inside the judge. */
  stream: number;
  /** The connection as alerts name it: asked once per connection and episode, never per packet. */
  flowTuple(): FlowTuple;
}

interface FlowShare {
  flow: FlowTuple;
  bytes: number;
}

/** Connections tracked by name per episode; bytes of any further ones still count. */
const MAX_TRACKED_FLOWS = 4 * MAX_FLOWS_PER_ALERT;

export class DeviceEpisode {
  startUs = 0;
  lastUs = 0;
  bytes = 0;
  packets = 0;
  /** Payload the internet sent to the Echo meanwhile, on any connection. */
  downstreamBytes = 0;
  /** The most bytes the device sent inside one volume window (about a second) during the episode. */
  peakWindowBytes = 0;
  private readonly flows = new Map<number, FlowShare>();
  /** The episode's own bytes in the background window: an earlier episode's never count. */
  private readonly recent = new SlidingSum(BACKGROUND_WINDOW_US / 10, 10);
  recentBytes = 0;

  /** Bytes sent after the ring had been muted for a while, for an upload that began as expected. */
  bytesSinceMuted = 0;

  begin(timeUs: number): void {
    this.startUs = timeUs;
    this.lastUs = timeUs;
    this.bytes = 0;
    this.packets = 0;
    this.downstreamBytes = 0;
    this.peakWindowBytes = 0;
    this.bytesSinceMuted = 0;
    this.flows.clear();
    this.recent.reset();
    this.recentBytes = 0;
  }

  /**
   * The traffic that showed audio began before this episode did (an upload in lumps, a pause
   * over the re-anchoring gap apart): the episode starts where that traffic did, with its bytes.
   * Its earlier connections are not known any more.
   */
  reachBack(firstUs: number, bytes: number): void {
    if (firstUs <= 0 || firstUs >= this.startUs) return;
    this.startUs = firstUs;
    this.bytes = Math.max(this.bytes, bytes);
  }

  get durationUs(): number {
    return this.lastUs - this.startUs;
  }

  /** Counts the packet; `inWindow` is the device's bytes in the volume window ending at it. */
  add(packet: UploadPacket, inWindow: number): void {
    this.lastUs = packet.timeUs;
    this.packets++;
    this.bytes += packet.bytes;
    const share = this.flows.get(packet.stream);
    if (share) share.bytes += packet.bytes;
    else if (this.flows.size < MAX_TRACKED_FLOWS) {
      this.flows.set(packet.stream, { flow: packet.flowTuple(), bytes: packet.bytes });
    }
    if (inWindow > this.peakWindowBytes) this.peakWindowBytes = inWindow;
    this.recentBytes = this.recent.add(packet.timeUs, packet.bytes);
  }

  /** Whether the episode's downstream dwarfs its upstream (music, a download and its requests). */
  downloadDominated(ratio: number): boolean {
    return this.downstreamBytes > 0 && this.downstreamBytes >= ratio * this.bytes;
  }

  /** The episode's connections, busiest first, at most MAX_FLOWS_PER_ALERT. */
  busiestFlows(): FlowTuple[] {
    return [...this.flows.values()]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, MAX_FLOWS_PER_ALERT)
      .map((share) => share.flow);
  }

  get connectionCount(): number {
    return this.flows.size;
  }
}
