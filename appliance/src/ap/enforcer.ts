// Enforcement: what earshot does about a leak besides telling Home Assistant.
//   off               nothing.
//   alert (default)   a critical verdict or a muted warning becomes `would-block` events,
//                     nothing is blocked.
//   block-when-muted  a critical verdict or a muted warning puts every flow of its episode
//                     (TCP and UDP) into the blocked_flows set, which resets them both ways; unmute, or acknowledging the alert, lifts the block. With
//                     hold_new_flows, the Echo's address sits in muted_echo while muted, so TLS
//                     flows it opens then pass only heartbeat-sized packets (render-nftables.ts).
// nftables calls run one at a time in the order the events came. A failed call is an `error`
// event, never an exception: the service must keep judging and alerting whatever nft does.

import { EventEmitter } from 'node:events';
import type { AlertEvent, FlowTuple } from '../judge/judge-events.js';
import type { MicState } from '../mic/mic-state.js';
import type { EnforcementConfig, EnforcementMode } from './config.js';
import { BLOCKED_FLOWS_SET, flowElement, MUTED_ECHO_SET, setRef } from './nft-names.js';
import type { NftRunner } from './nft-runner.js';

export type EnforcementEvent =
  | { type: 'enforcement'; action: 'block' | 'would-block'; time: string; alert_id: string; flow: FlowTuple; reason: string }
  | { type: 'enforcement'; action: 'unblock'; time: string; alert_id: string; flow: FlowTuple; reason: 'unmuted' | 'acknowledged' | 'enforcement turned off' }
  | { type: 'enforcement'; action: 'hold' | 'release'; time: string; ip: string; reason: string }
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

export class Enforcer extends EventEmitter<{ event: [event: EnforcementEvent] }> {
  private mode: EnforcementMode;
  private mic: MicState | undefined;
  private echoIp: string | undefined;
  private heldIp: string | undefined;
  private readonly blocks = new Map<string, Block>();
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
      await this.nftApply([`flush set ${setRef(BLOCKED_FLOWS_SET)}`, `flush set ${setRef(MUTED_ECHO_SET)}`]);
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
      if (toBlock.length === 0) return;
      const commands = toBlock.map((flow) => `add element ${setRef(BLOCKED_FLOWS_SET)} { ${flowElement(flow)} timeout ${this.config.block_timeout_s}s }`);
      if (!(await this.nftApply(commands))) return;
      for (const flow of toBlock) {
        this.blocks.set(flowElement(flow), { alertId: alert.id, flow });
        this.publish({ action: 'block', alert_id: alert.id, flow, reason });
      }
    });
  }

  onMicState(state: MicState): Promise<void> {
    return this.enqueue(async () => {
      this.mic = state;
      if (state === 'idle' || state === 'listening') await this.unblock([...this.blocks.values()], 'unmuted');
      await this.syncHold();
    });
  }

  onAcknowledge(alertId: string): Promise<void> {
    return this.enqueue(() => this.unblock([...this.blocks.values()].filter((b) => b.alertId === alertId), 'acknowledged'));
  }

  /** The Echo's current address (from the finder), which the hold is about. */
  setEchoAddress(ip: string | undefined): Promise<void> {
    return this.enqueue(async () => {
      this.echoIp = ip;
      await this.syncHold();
    });
  }

  /** Home Assistant's enforcement switch. Leaving block-when-muted lifts everything. */
  setMode(mode: EnforcementMode): Promise<void> {
    return this.enqueue(async () => {
      this.mode = mode;
      if (mode !== 'block-when-muted') await this.unblock([...this.blocks.values()], 'enforcement turned off');
      await this.syncHold();
    });
  }

  private async unblock(blocks: Block[], reason: 'unmuted' | 'acknowledged' | 'enforcement turned off'): Promise<void> {
    if (blocks.length === 0) return;
    // add-then-delete removes an element whether or not nftables already expired it (nft 1.0.6
    // has no "destroy"); both happen in one transaction.
    const commands = blocks.flatMap((b) => {
      const element = flowElement(b.flow);
      return [`add element ${setRef(BLOCKED_FLOWS_SET)} { ${element} }`, `delete element ${setRef(BLOCKED_FLOWS_SET)} { ${element} }`];
    });
    if (!(await this.nftApply(commands))) return;
    for (const b of blocks) {
      this.blocks.delete(flowElement(b.flow));
      this.publish({ action: 'unblock', alert_id: b.alertId, flow: b.flow, reason });
    }
  }

  /** Makes muted_echo hold exactly the address that should be held now. */
  private async syncHold(): Promise<void> {
    const wanted = this.mode === 'block-when-muted' && this.config.hold_new_flows && this.mic === 'muted' ? this.echoIp : undefined;
    if (wanted === this.heldIp) return;
    const commands: string[] = [];
    if (this.heldIp) commands.push(`add element ${setRef(MUTED_ECHO_SET)} { ${this.heldIp} }`, `delete element ${setRef(MUTED_ECHO_SET)} { ${this.heldIp} }`);
    if (wanted) commands.push(`add element ${setRef(MUTED_ECHO_SET)} { ${wanted} timeout ${this.holdTimeoutS}s }`);
    if (!(await this.nftApply(commands))) return;
    const released = this.heldIp;
    this.heldIp = wanted;
    if (released) this.publish({ action: 'release', ip: released, reason: wanted ? 'the Echo has a new address' : this.mic === 'muted' ? 'enforcement turned off' : 'unmuted' });
    if (wanted) this.publish({ action: 'hold', ip: wanted, reason: 'muted: new TLS flows pass only heartbeat-sized packets' });
    this.scheduleRefresh();
  }

  /** A long mute must not let the hold's safety timeout expire. */
  private scheduleRefresh(): void {
    clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    if (!this.heldIp) return;
    this.refreshTimer = setInterval(() => {
      void this.enqueue(async () => {
        const ip = this.heldIp;
        if (!ip) return;
        // Re-adding an element resets its timeout only on recent kernels; delete and add does on all.
        const element = `${setRef(MUTED_ECHO_SET)} { ${ip} }`;
        await this.nftApply([`add element ${element}`, `delete element ${element}`, `add element ${setRef(MUTED_ECHO_SET)} { ${ip} timeout ${this.holdTimeoutS}s }`]);
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
