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
// Each Echo (config devices[].id) is enforced on its own: its ring state, its address, its alerts.
// Muting the kitchen Echo caps and holds only the kitchen Echo, an alert about it blocks only its
// flows, and unmuting it lifts only its blocks. The mode is box-wide.
// nftables calls run one at a time in the order the events came. A failed call is an `error`
// event, never an exception: the service must keep judging and alerting whatever nft does.

import { EventEmitter } from 'node:events';
import type { AlertEvent, FlowTuple } from '../judge/judge-events.js';
import type { MicState } from '../mic/mic-state.js';
import type { EnforcementConfig, EnforcementMode } from './config.js';
import { DEFAULT_DEVICE, EchoEnforcement, removeElement } from './echo-enforcement.js';
import { BLOCKED_FLOWS_SET, CAPPED_ECHO_SET, CUTTING_ECHO_SET, flowElement, MUTED_ECHO_SET, setRef } from './nft-names.js';
import type { NftRunner } from './nft-runner.js';

export { DEFAULT_DEVICE } from './echo-enforcement.js';

/** `device`: the id of the Echo the flow or address belongs to (config devices[].id). */
export type EnforcementEvent =
  | { type: 'enforcement'; action: 'block' | 'would-block'; time: string; device: string; alert_id: string; flow: FlowTuple; reason: string }
  | { type: 'enforcement'; action: 'unblock'; time: string; device: string; alert_id: string; flow: FlowTuple; reason: 'unmuted' | 'acknowledged' | 'enforcement turned off' }
  | { type: 'enforcement'; action: 'cut' | 'uncut'; time: string; device: string; alert_id: string; ip: string; reason: string }
  | { type: 'enforcement'; action: 'hold' | 'release' | 'cap' | 'uncap'; time: string; device: string; ip: string; reason: string }
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
  device: string;
  flow: FlowTuple;
}

/** An episode being cut: its Echo's address is in cutting_echo. */
interface Cut {
  device: string;
  ip: string;
}

type LiftReason = 'unmuted' | 'acknowledged' | 'enforcement turned off';

export class Enforcer extends EventEmitter<{ event: [event: EnforcementEvent] }> {
  private mode: EnforcementMode;
  /** Per device id, created on first mention (a ring reading, an address or an alert). */
  private readonly echos = new Map<string, EchoEnforcement>();
  /** Blocked flows, keyed by their nft element (a flow's source address is its Echo's). */
  private readonly blocks = new Map<string, Block>();
  /** Episodes being cut, by alert id. */
  private readonly cuts = new Map<string, Cut>();
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
      const device = alert.device ?? DEFAULT_DEVICE;
      const reason = `${alert.severity}: ${alert.reason}`;
      // Every connection of the episode, TCP and UDP: an upload split over several is cut whole.
      const flows = alert.flows?.length ? alert.flows : [alert.flow];
      if (this.mode === 'alert') {
        for (const flow of flows) this.publish({ action: 'would-block', device, alert_id: alert.id, flow, reason });
        return;
      }
      // The verdict may arrive just after this Echo's unmute, which has already lifted its blocks.
      if (this.echo(device).unmuted) return;
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
        this.blocks.set(flowElement(flow), { alertId: alert.id, device, flow });
        this.publish({ action: 'block', device, alert_id: alert.id, flow, reason });
      }
      if (echoIp) {
        this.cuts.set(alert.id, { device, ip: echoIp });
        this.publish({ action: 'cut', device, alert_id: alert.id, ip: echoIp, reason: 'new connections of the Echo are refused until the episode ends' });
      }
    });
  }

  /** The episode is over: connections the Echo opens from now on are not part of it. */
  onAlertEnd(alertId: string): Promise<void> {
    return this.enqueue(() => this.uncut([alertId], 'episode over'));
  }

  /** One Echo's ring state: its unmute lifts its own blocks and cuts, nobody else's. */
  onMicState(state: MicState, device: string): Promise<void> {
    return this.enqueue(async () => {
      this.echo(device).mic = state;
      if (state === 'idle' || state === 'listening') {
        await this.unblock([...this.blocks.values()].filter((b) => b.device === device), 'unmuted');
        await this.uncut([...this.cuts].filter(([, cut]) => cut.device === device).map(([id]) => id), 'unmuted');
      }
      await this.syncMutedSets(this.echo(device));
    });
  }

  onAcknowledge(alertId: string): Promise<void> {
    return this.enqueue(async () => {
      await this.unblock([...this.blocks.values()].filter((b) => b.alertId === alertId), 'acknowledged');
      await this.uncut([alertId], 'acknowledged');
    });
  }

  /** One Echo's current address (from the finder), which its hold and cap are about. */
  setEchoAddress(ip: string | undefined, device: string): Promise<void> {
    return this.enqueue(async () => {
      this.echo(device).ip = ip;
      await this.syncMutedSets(this.echo(device));
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
      for (const echo of this.echos.values()) await this.syncMutedSets(echo);
    });
  }

  private echo(device: string): EchoEnforcement {
    let echo = this.echos.get(device);
    if (!echo) this.echos.set(device, (echo = new EchoEnforcement(device)));
    return echo;
  }

  private async unblock(blocks: Block[], reason: LiftReason): Promise<void> {
    if (blocks.length === 0) return;
    const commands = blocks.flatMap((b) => removeElement(BLOCKED_FLOWS_SET, flowElement(b.flow)));
    if (!(await this.nftApply(commands))) return;
    for (const b of blocks) {
      this.blocks.delete(flowElement(b.flow));
      this.publish({ action: 'unblock', device: b.device, alert_id: b.alertId, flow: b.flow, reason });
    }
  }

  /** Ends the cut of these alerts' episodes; an address leaves cutting_echo when no episode of it is cut any more. */
  private async uncut(alertIds: string[], reason: LiftReason | 'episode over'): Promise<void> {
    const ending = alertIds.filter((id) => this.cuts.has(id));
    if (ending.length === 0) return;
    const still = new Set([...this.cuts].filter(([id]) => !ending.includes(id)).map(([, cut]) => cut.ip));
    const freed = [...new Set(ending.map((id) => this.cuts.get(id)!.ip))].filter((ip) => !still.has(ip));
    if (freed.length && !(await this.nftApply(freed.flatMap((ip) => removeElement(CUTTING_ECHO_SET, ip))))) return;
    for (const id of ending) {
      const { device, ip } = this.cuts.get(id)!;
      this.cuts.delete(id);
      this.publish({ action: 'uncut', device, alert_id: id, ip, reason });
    }
  }

  /** Makes capped_echo and muted_echo hold exactly what they should of this Echo now. */
  private async syncMutedSets(echo: EchoEnforcement): Promise<void> {
    const plan = echo.planMutedSets(this.mode, this.config.hold_new_flows, this.holdTimeoutS);
    if (plan.commands.length === 0 || !(await this.nftApply(plan.commands))) return;
    for (const change of plan.commit()) this.publish(change);
    this.scheduleRefresh();
  }

  /** A long mute must not let the holds' and the caps' safety timeouts expire. */
  private scheduleRefresh(): void {
    clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    if (![...this.echos.values()].some((echo) => echo.inMutedSets)) return;
    this.refreshTimer = setInterval(() => {
      void this.enqueue(async () => {
        const commands = [...this.echos.values()].flatMap((echo) => echo.refreshCommands(this.holdTimeoutS));
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
