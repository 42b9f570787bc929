// decode -> flows (the packet context) -> features/labels for one capture, as a synchronous push
// pipeline. Every stage is pure; this class only sequences them and keeps the counts the
// summary reports. Each sink gets the one PacketContext the flow table built for the packet and
// the Echo (lane) it belongs to: a box can watch several Echos, each judged on its own.

import { DEFAULT_DEVICE_ID, DEFAULT_DEVICE_NAME, ELECTION, GRACE_S } from '../defaults.js';
import { DecodeCounters, decodeFrame } from '../decode/decode-frame.js';
import type { CapturedFrame, DecodedPacket } from '../decode/types.js';
import { FlowTable } from '../flows/flow-table.js';
import type { PacketContext } from '../flows/packet-context.js';
import { isApplicationDataClass, PACKET_CLASSES, type PacketClass } from '../features/packet-class.js';
import { contextClass, paperFeatures, type PaperFeatures } from '../features/paper-features.js';
import type { PacketClassifier } from '../classify/packet-classifier.js';
import type { MicContext, MicStateSource } from '../mic/mic-state.js';
import { BusiestLocalSender, DeviceMatcher, type DeviceSpec } from './device-selector.js';

/** One Echo the pipeline watches: its id and name (alerts name it), address and ring. */
export interface WatchedDevice {
  /** config devices[].id: a slug such as "kitchen"; DEFAULT_DEVICE.id for the one Echo of a single-device box. */
  id: string;
  name: string;
  /** Absent: learned from the access point, else elected (only the sole device may lack one). */
  spec?: DeviceSpec;
  mic?: MicStateSource;
}

/** The Echo of a box that names none, or one (a version 2 config's `device`). */
export const DEFAULT_DEVICE = { id: DEFAULT_DEVICE_ID, name: DEFAULT_DEVICE_NAME } as const;

/** One watched Echo inside the pipeline: its matcher once known, and its packet count. */
export class DeviceLane {
  matcher: DeviceMatcher | undefined;
  echoPackets = 0;

  constructor(
    /** Position in `lanes`: the analysis keeps one judge per lane under it. */
    readonly index: number,
    readonly device: WatchedDevice,
  ) {
    if (device.spec) this.matcher = new DeviceMatcher(device.spec);
  }

  get id(): string {
    return this.device.id;
  }
}

export interface PipelineOptions {
  /** The Echos to watch; without it, one Echo (`device`, else learned or elected) with `mic`. */
  devices?: readonly WatchedDevice[];
  device?: DeviceSpec;
  mic?: MicStateSource;
  /** Uploads within this long after listening ends are expected (default 30 s). */
  graceS?: number;
  /** Without --device, the Echo is elected after this many packets or this much capture time. */
  electionPackets?: number;
  electionWindowUs?: number;
  /** The per-packet forest; without one the labelling rules' class is reported. */
  classifier?: PacketClassifier;
}

/** Receives every TCP packet an Echo sent, with its context, features and label. */
export type EchoPacketSink = (lane: DeviceLane, context: PacketContext, features: PaperFeatures, mic: MicContext) => void;

/** Receives every TCP/UDP packet sent to an Echo (the judge weighs downloads against uploads). */
export type DeviceReceivedSink = (lane: DeviceLane, context: PacketContext) => void;

/** Receives every UDP packet an Echo sent: the paper's features are TCP-only, the judge is not. */
export type DeviceUdpSink = (lane: DeviceLane, context: PacketContext) => void;

const emptyClassCounts = (): Record<PacketClass, number> => Object.fromEntries(PACKET_CLASSES.map((c) => [c, 0])) as Record<PacketClass, number>;

export interface PipelineCounts {
  frames: number;
  echoPackets: number;
  byClass: Record<PacketClass, number>;
  firstTimeUs: number;
  lastTimeUs: number;
}

export class PacketPipeline {
  readonly decodeCounters = new DecodeCounters();
  readonly flows = new FlowTable();
  readonly counts: PipelineCounts;
  readonly lanes: DeviceLane[] = [];
  /** The lane whose Echo is still to be learned (AP) or elected; undefined once every lane is known. */
  private unknownLane: DeviceLane | undefined;
  private election: BusiestLocalSender | undefined;
  private pending: DecodedPacket[] = [];
  private readonly graceUs: number;
  private readonly electionPackets: number;
  private readonly electionWindowUs: number;
  /** The packet the latest push decoded (undefined when it was skipped): the recorder reads it instead of decoding again. */
  lastDecoded: DecodedPacket | undefined;

  constructor(
    private readonly options: PipelineOptions,
    private readonly sink: EchoPacketSink,
    private readonly receivedSink?: DeviceReceivedSink,
    private readonly sentUdpSink?: DeviceUdpSink,
  ) {
    this.graceUs = (options.graceS ?? GRACE_S) * 1e6;
    this.electionPackets = options.electionPackets ?? ELECTION.packets;
    this.electionWindowUs = options.electionWindowUs ?? ELECTION.window_s * 1e6;
    const devices = options.devices?.length ? options.devices : [{ ...DEFAULT_DEVICE, spec: options.device, mic: options.mic }];
    for (const device of devices) this.addLane(device);
    this.counts = { frames: 0, echoPackets: 0, byClass: emptyClassCounts(), firstTimeUs: 0, lastTimeUs: 0 };
  }

  /** The first Echo, once known (the only one on a single-device box). */
  get device(): DeviceMatcher | undefined {
    return this.lanes[0].matcher;
  }

  /**
   * Watches one more Echo from now on (an Amazon device the access point found that the config
   * does not list). Returns its lane; an Echo already watched keeps its lane.
   */
  addDevice(device: WatchedDevice & { spec: DeviceSpec }): DeviceLane {
    const known = this.lanes.find((lane) => lane.matcher?.sameDevice(device.spec) || lane.id === device.id);
    return known ?? this.addLane(device);
  }

  laneOf(id: string): DeviceLane | undefined {
    return this.lanes.find((lane) => lane.id === id);
  }

  private addLane(device: WatchedDevice): DeviceLane {
    const lane = new DeviceLane(this.lanes.length, device);
    this.lanes.push(lane);
    if (!lane.matcher) {
      if (this.unknownLane) throw new Error(`only one Echo may be left to find: '${this.unknownLane.id}' and '${lane.id}' have no address`);
      this.unknownLane = lane;
      this.election = new BusiestLocalSender();
    }
    return lane;
  }

  push(frame: CapturedFrame): void {
    const counts = this.counts;
    if (counts.frames === 0) counts.firstTimeUs = frame.timeUs;
    counts.frames++;
    if (frame.timeUs > counts.lastTimeUs) counts.lastTimeUs = frame.timeUs;
    const result = decodeFrame(frame);
    this.decodeCounters.record(result);
    if (!result.ok) {
      this.lastDecoded = undefined;
      return;
    }
    const packet = result.packet;
    this.lastDecoded = packet;
    if (!this.unknownLane) {
      this.process(packet);
      return;
    }
    // The election is for the Echo still to be found: a listed Echo's packets never vote.
    if (!this.sentByKnownLane(packet)) this.election!.note(packet);
    this.pending.push(packet);
    if (this.pending.length >= this.electionPackets || packet.timeUs - this.pending[0].timeUs >= this.electionWindowUs) this.elect();
  }

  /**
   * The access point names the Echo (its MAC, from hostapd and the leases): from now on its
   * packets are the Echo's, whatever the election would have said. Packets held for an open
   * election are judged under the new name.
   */
  setDevice(spec: DeviceSpec): void {
    const lane = this.unknownLane ?? this.lanes[0];
    if (lane.matcher?.sameDevice(spec)) return;
    lane.matcher = new DeviceMatcher(spec);
    this.unknownLane = undefined;
    this.election = undefined;
    const pending = this.pending;
    this.pending = [];
    for (const packet of pending) this.process(packet);
  }

  /** Ends the capture: settles the election if it is still open. */
  finish(): void {
    if (this.unknownLane) this.elect();
  }

  private elect(): void {
    const winner = this.election?.winner();
    this.election = undefined;
    const pending = this.pending;
    this.pending = [];
    if (winner === undefined) {
      // No local sender yet: keep electing on the next window rather than guessing.
      this.election = new BusiestLocalSender();
      return;
    }
    this.unknownLane!.matcher = new DeviceMatcher({ ip: winner });
    this.unknownLane = undefined;
    for (const packet of pending) this.process(packet);
  }

  private sentByKnownLane(packet: DecodedPacket): boolean {
    for (const lane of this.lanes) if (lane.matcher?.isSentByDevice(packet)) return true;
    return false;
  }

  private process(packet: DecodedPacket): void {
    // A handful of Echos at most: each lane's test is two numeric comparisons.
    const lanes = this.lanes;
    let lane: DeviceLane | undefined;
    let sentByDevice = false;
    for (let i = 0; i < lanes.length; i++) {
      const matcher = lanes[i].matcher;
      if (!matcher) continue;
      if (matcher.isSentByDevice(packet)) {
        lane = lanes[i];
        sentByDevice = true;
        break;
      }
      if (lane === undefined && matcher.isSentToDevice(packet)) lane = lanes[i];
    }
    if (!lane) return;
    const context = this.flows.observe(packet);
    if (!context) return;
    if (!sentByDevice) {
      this.receivedSink?.(lane, context);
      return;
    }
    if (packet.udp) {
      this.sentUdpSink?.(lane, context);
      return;
    }
    const laneMic = lane.device.mic;
    const mic: MicContext = laneMic ? laneMic.contextAt(packet.timeUs, this.graceUs) : 'unknown';
    const features = paperFeatures(context, mic);
    if (!features) return;
    if (this.options.classifier) {
      // The forest names the kind of packet (app data against the rest: precision 1.0 in
      // models/REPORT.md) for what earshot reports; whether app data was wanted is the ring's to
      // say, as in the rules. The judge's bytes follow the context, whatever the forest says.
      const kind = this.options.classifier.classify(features);
      features.reportedClass = isApplicationDataClass(kind) ? contextClass(mic) : kind;
    }
    this.counts.echoPackets++;
    this.counts.byClass[features.reportedClass]++;
    lane.echoPackets++;
    this.sink(lane, context, features, mic);
  }
}
