// What the enforcer knows about one Echo: its ring state, its address, and which address it last
// put into capped_echo and muted_echo. One of these per device (config devices[].id), so muting
// the kitchen Echo caps and holds the kitchen Echo only. Pure: it plans nft commands and the
// events they mean; the enforcer applies them and, only once nft took them, commits.

import type { MicState } from '../mic/mic-state.js';
import type { EnforcementMode } from './config.js';
import { CAPPED_ECHO_SET, MUTED_CAP_KBYTES_PER_S, MUTED_ECHO_SET, setRef } from './nft-names.js';

/** The device id of the single Echo of a config without `devices:` (and of an alert without `device`). */
export const DEFAULT_DEVICE = 'echo';

/** Removes an element whether or not nftables already expired it (nft 1.0.6 has no "destroy"). */
export const removeElement = (set: string, element: string): string[] => [`add element ${setRef(set)} { ${element} }`, `delete element ${setRef(set)} { ${element} }`];

export interface MutedSetChange {
  action: 'hold' | 'release' | 'cap' | 'uncap';
  device: string;
  ip: string;
  reason: string;
}

export interface MutedSetsPlan {
  commands: string[];
  /** Records the new set contents (call only after nft applied `commands`) and says what changed. */
  commit(): MutedSetChange[];
}

export class EchoEnforcement {
  mic: MicState | undefined;
  ip: string | undefined;
  private heldIp: string | undefined;
  private cappedIp: string | undefined;

  constructor(readonly device: string) {}

  /** Its last ring reading is idle, listening or unknown: a verdict arriving now is too late to block. */
  get unmuted(): boolean {
    return this.mic !== undefined && this.mic !== 'muted';
  }

  get inMutedSets(): boolean {
    return this.heldIp !== undefined || this.cappedIp !== undefined;
  }

  /** What makes capped_echo and muted_echo hold exactly this Echo's address when it should be there. */
  planMutedSets(mode: EnforcementMode, holdNewFlows: boolean, timeoutS: number): MutedSetsPlan {
    const muted = mode === 'block-when-muted' && this.mic === 'muted' ? this.ip : undefined;
    const hold = holdNewFlows ? muted : undefined;
    const commands: string[] = [];
    const change = (set: string, from: string | undefined, to: string | undefined): void => {
      if (from === to) return;
      if (from) commands.push(...removeElement(set, from));
      if (to) commands.push(`add element ${setRef(set)} { ${to} timeout ${timeoutS}s }`);
    };
    change(CAPPED_ECHO_SET, this.cappedIp, muted);
    change(MUTED_ECHO_SET, this.heldIp, hold);
    return {
      commands,
      commit: () => {
        const why = (to: string | undefined): string => (to ? 'the Echo has a new address' : this.mic === 'muted' ? 'enforcement turned off' : 'unmuted');
        const [uncapped, released] = [this.cappedIp, this.heldIp];
        this.cappedIp = muted;
        this.heldIp = hold;
        const changes: Omit<MutedSetChange, 'device'>[] = [];
        if (uncapped && uncapped !== muted) changes.push({ action: 'uncap', ip: uncapped, reason: why(muted) });
        if (muted && muted !== uncapped) changes.push({ action: 'cap', ip: muted, reason: `muted: data packets through the box share a cap of ${MUTED_CAP_KBYTES_PER_S} KiB/s` });
        if (released && released !== hold) changes.push({ action: 'release', ip: released, reason: why(hold) });
        if (hold && hold !== released) changes.push({ action: 'hold', ip: hold, reason: 'muted: new TLS flows pass only heartbeat-sized packets' });
        return changes.map((c) => ({ ...c, device: this.device }));
      },
    };
  }

  /** Deletes and re-adds this Echo's elements: re-adding alone resets a timeout only on recent kernels. */
  refreshCommands(timeoutS: number): string[] {
    const refresh = (set: string, ip: string | undefined): string[] => (ip ? [...removeElement(set, ip), `add element ${setRef(set)} { ${ip} timeout ${timeoutS}s }`] : []);
    return [...refresh(CAPPED_ECHO_SET, this.cappedIp), ...refresh(MUTED_ECHO_SET, this.heldIp)];
  }
}
