// Enforcement: what earshot does about a leak besides telling Home Assistant.
//   off               nothing.
//   alert (default)   a critical verdict or a muted warning becomes `would-block` events,
//                     nothing is blocked.
//   block-when-muted  a critical verdict or a muted warning puts every flow of its episode
//                     (TCP and UDP) into the blocked_flows set, which resets them both ways, and
//                     the Echo's address into cutting_echo until the episode ends, so connections
//                     it opens meanwhile (which the alert could not name) are refused. Unmute, or
//                     acknowledging the alert, lifts both. While muted the Echo sits in
//                     capped_echo, whose cap keeps any upload slow enough to be cut. With
//                     hold_new_flows, it also sits in muted_echo while muted, so TLS flows it
//                     opens then pass only heartbeat-sized packets (render-nftables.ts).
// nftables calls run one at a time in the order the events came. A failed call is an `error`
// event, never an exception: the service must keep judging and alerting whatever nft does.

import { EventEmitter } from 'node:events';
import type { AlertEvent, FlowTuple } from '../judge/judge-events.js';
import type { MicState } from '../mic/mic-state.js';
import type { EnforcementConfig, EnforcementMode } from './config.js';
import { BLOCKED_FLOWS_SET, CAPPED_ECHO_SET, CUTTING_ECHO_SET, flowElement, MUTED_CAP_KBYTES_PER_S, MUTED_ECHO_SET, setRef } from './nft-names.js';
import type { NftRunner } from './nft-runner.js';

export type EnforcementEvent =
  | { type: 'enforcement'; action: 'block' | 'would-block'; time: string; alert_id: string; flow: FlowTuple; reason: string }
  | { type: 'enforcement'; action: 'unblock'; time: string; alert_id: string; flow: FlowTuple; reason: 'unmuted' | 'acknowledged' | 'enforcement turned off' }
  | { type: 'enforcement'; action: 'cut' | 'uncut'; time: string; alert_id: string; ip: string; reason: string }
  | { type: 'enforcement'; action: 'hold' | 'release' | 'cap' | 'uncap'; time: string; ip: string; reason: string }
  | { type: 'enforcement'; action: 'error'; time: string; message: string };

/** A critical verdict, or a warning about an upload while muted (audio-shaped or not), is cut. */
export function isEnforceable(alert: AlertEvent): boolean {
  return alert.severity === 'critical' || alert.mic === 'muted';
}

export interface EnforcerOptions {
  nowMs?: () => number;
  /** How long a hold lives in nftables without a refresh; refreshed at half that while muted. */
  holdTimeoutS?: number;
}

interface Block {
  alertId: string;
  flow: FlowTuple;
}

type LiftReason = 'unmuted' | 'acknowledged' | 'enforcement turned off';

/** Removes an element whether or not nftables already expired it (nft 1.0.6 has no "destroy"). */
const removeElement = (set: string, element: string): string[] => [`add element ${setRef(set)} { ${element} }`, `delete element ${setRef(set)} { ${element} }`];

export class Enforcer extends EventEmitter<{ event: [event: EnforcementEvent] }> {
  private mode: EnforcementMode;
  private mic: MicState | undefined;
  private echoIp: string | undefined;
  private heldIp: string | undefined;
  private cappedIp: string | undefined;
  private readonly blocks = new Map<string, Block>();
  /** Episodes being cut: alert id -> the Echo's address in cutting_echo. */
  private readonly cuts = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly nowMs: () => number;
  private readonly holdTimeoutS: number;

  constructor(
    private readonly config: EnforcementConfig,
    private readonly nft: NftRunner,
    options: EnforcerOptions = {},
  ) {
    super();
    this.mode = config.mode;
    this.nowMs = options.nowMs ?? Date.now;
    this.holdTimeoutS = options.holdTimeoutS ?? 600;
  }

  get activeBlocks(): FlowTuple[] {
    return [...this.blocks.values()].map((b) => b.flow);
  }

  get currentMode(): EnforcementMode {
    return this.mode;
  }

  /** Empties the sets: whatever a previous run left there is no longer tracked by anyone. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.mode === 'off') return;
      await this.nftApply([BLOCKED_FLOWS_SET, MUTED_ECHO_SET, CUTTING_ECHO_SET, CAPPED_ECHO_SET].map((set) => `flush set ${setRef(set)}`));
    });
  }

  stop(): void {
    clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  onAlert(alert: AlertEvent): Promise<void> {
    return this.enqueue(async () => {
      if (this.mode === 'off' || !isEnforceable(alert)) return;
      const reason = `${alert.severity}: ${alert.reason}`;
      // Every connection of the episode, TCP and UDP: an upload split over several is cut whole.
      const flows = alert.flows?.length ? alert.flows : [alert.flow];
      if (this.mode === 'alert') {
        for (const flow of flows) this.publish({ action: 'would-block', alert_id: alert.id, flow, reason });
        return;
      }
      // The verdict may arrive just after an unmute, which has already lifted every block.
      if (this.mic !== undefined && this.mic !== 'muted') return;
      const toBlock: FlowTuple[] = [];
      for (const flow of flows) {
        const key = flowElement(flow);
        if (this.blocks.has(key) || toBlock.some((f) => flowElement(f) === key)) continue;
        if (flow.src.includes(':') || flow.dst.includes(':')) {
          this.publish({ action: 'error', message: `cannot block IPv6 flow ${key}: the AP LAN is IPv4 only and its IPv6 is dropped anyway` });
          continue;
        }
        toBlock.push(flow);
      }
      // The episode goes on after the alert, maybe on connections the alert could not name yet.
      const echoIp = alert.flow.src.includes(':') || this.cuts.has(alert.id) ? undefined : alert.flow.src;
      if (toBlock.length === 0 && !echoIp) return;
      const timeout = `timeout ${this.config.block_timeout_s}s`;
      const commands = toBlock.map((flow) => `add element ${setRef(BLOCKED_FLOWS_SET)} { ${flowElement(flow)} ${timeout} }`);
      if (echoIp) commands.push(`add element ${setRef(CUTTING_ECHO_SET)} { ${echoIp} ${timeout} }`);
      if (!(await this.nftApply(commands))) return;
      for (const flow of toBlock) {
        this.blocks.set(flowElement(flow), { alertId: alert.id, flow });
        this.publish({ action: 'block', alert_id: alert.id, flow, reason });
      }
      if (echoIp) {
        this.cuts.set(alert.id, echoIp);
        this.publish({ action: 'cut', alert_id: alert.id, ip: echoIp, reason: 'new connections of the Echo are refused until the episode ends' });
      }
    });
  }

  /** The episode is over: connections the Echo opens from now on are not part of it. */
  onAlertEnd(alertId: string): Promise<void> {
    return this.enqueue(() => this.uncut([alertId], 'episode over'));
  }

  onMicState(state: MicState): Promise<void> {
    return this.enqueue(async () => {
      this.mic = state;
      if (state === 'idle' || state === 'listening') {
        await this.unblock([...this.blocks.values()], 'unmuted');
        await this.uncut([...this.cuts.keys()], 'unmuted');
      }
      await this.syncMutedSets();
    });
  }

  onAcknowledge(alertId: string): Promise<void> {
    return this.enqueue(async () => {
      await this.unblock([...this.blocks.values()].filter((b) => b.alertId === alertId), 'acknowledged');
      await this.uncut([alertId], 'acknowledged');
    });
  }

  /** The Echo's current address (from the finder), which the hold is about. */
  setEchoAddress(ip: string | undefined): Promise<void> {
    return this.enqueue(async () => {
      this.echoIp = ip;
      await this.syncMutedSets();
    });
  }

  /** Home Assistant's enforcement switch. Leaving block-when-muted lifts everything. */
  setMode(mode: EnforcementMode): Promise<void> {
    return this.enqueue(async () => {
      this.mode = mode;
      if (mode !== 'block-when-muted') {
        await this.unblock([...this.blocks.values()], 'enforcement turned off');
        await this.uncut([...this.cuts.keys()], 'enforcement turned off');
      }
      await this.syncMutedSets();
    });
  }

  private async unblock(blocks: Block[], reason: LiftReason): Promise<void> {
    if (blocks.length === 0) return;
    const commands = blocks.flatMap((b) => removeElement(BLOCKED_FLOWS_SET, flowElement(b.flow)));
    if (!(await this.nftApply(commands))) return;
    for (const b of blocks) {
      this.blocks.delete(flowElement(b.flow));
      this.publish({ action: 'unblock', alert_id: b.alertId, flow: b.flow, reason });
    }
  }

  /** Ends the cut of these alerts' episodes; an address leaves cutting_echo when no episode of it is cut any more. */
  private async uncut(alertIds: string[], reason: LiftReason | 'episode over'): Promise<void> {
    const ending = alertIds.filter((id) => this.cuts.has(id));
    if (ending.length === 0) return;
    const still = new Set([...this.cuts].filter(([id]) => !ending.includes(id)).map(([, ip]) => ip));
    const freed = [...new Set(ending.map((id) => this.cuts.get(id)!))].filter((ip) => !still.has(ip));
    if (freed.length && !(await this.nftApply(freed.flatMap((ip) => removeElement(CUTTING_ECHO_SET, ip))))) return;
    for (const id of ending) {
      const ip = this.cuts.get(id)!;
      this.cuts.delete(id);
      this.publish({ action: 'uncut', alert_id: id, ip, reason });
    }
  }

  /** Makes muted_echo (the hold) and capped_echo (the cap) hold exactly the address each should hold now. */
  private async syncMutedSets(): Promise<void> {
    const muted = this.mode === 'block-when-muted' && this.mic === 'muted' ? this.echoIp : undefined;
    const hold = this.config.hold_new_flows ? muted : undefined;
    const commands: string[] = [];
    const change = (set: string, from: string | undefined, to: string | undefined, timeoutS: number): void => {
      if (from === to) return;
      if (from) commands.push(...removeElement(set, from));
      if (to) commands.push(`add element ${setRef(set)} { ${to} timeout ${timeoutS}s }`);
    };
    change(CAPPED_ECHO_SET, this.cappedIp, muted, this.holdTimeoutS);
    change(MUTED_ECHO_SET, this.heldIp, hold, this.holdTimeoutS);
    if (commands.length === 0 || !(await this.nftApply(commands))) return;
    const why = (to: string | undefined): string => (to ? 'the Echo has a new address' : this.mic === 'muted' ? 'enforcement turned off' : 'unmuted');
    const [uncapped, released] = [this.cappedIp, this.heldIp];
    this.cappedIp = muted;
    this.heldIp = hold;
    if (uncapped && uncapped !== muted) this.publish({ action: 'uncap', ip: uncapped, reason: why(muted) });
    if (muted && muted !== uncapped) this.publish({ action: 'cap', ip: muted, reason: `muted: data packets through the box share a cap of ${MUTED_CAP_KBYTES_PER_S} KiB/s` });
    if (released && released !== hold) this.publish({ action: 'release', ip: released, reason: why(hold) });
    if (hold && hold !== released) this.publish({ action: 'hold', ip: hold, reason: 'muted: new TLS flows pass only heartbeat-sized packets' });
    this.scheduleRefresh();
  }

  /** A long mute must not let the hold's and the cap's safety timeouts expire. */
  private scheduleRefresh(): void {
    clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    if (!this.heldIp && !this.cappedIp) return;
    this.refreshTimer = setInterval(() => {
      void this.enqueue(async () => {
        // Re-adding an element resets its timeout only on recent kernels; delete and add does on all.
        const refresh = (set: string, ip: string | undefined): string[] => (ip ? [...removeElement(set, ip), `add element ${setRef(set)} { ${ip} timeout ${this.holdTimeoutS}s }`] : []);
        const commands = [...refresh(CAPPED_ECHO_SET, this.cappedIp), ...refresh(MUTED_ECHO_SET, this.heldIp)];
        if (commands.length) await this.nftApply(commands);
      });
    }, (this.holdTimeoutS * 1000) / 2);
    this.refreshTimer.unref();
  }

  private async nftApply(commands: string[]): Promise<boolean> {
    try {
      await this.nft.apply(commands);
      return true;
    } catch (error) {
      this.publish({ action: 'error', message: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  private publish(event: DistributiveOmit<EnforcementEvent, 'type' | 'time'>): void {
    this.emit('event', { type: 'enforcement', time: new Date(this.nowMs()).toISOString(), ...event } as EnforcementEvent);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => {});
    return next;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
