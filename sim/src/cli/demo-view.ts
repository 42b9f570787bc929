// The demo's live terminal view: mic changes and alerts as they happen, and on a terminal one
// status line kept up to date underneath them. Pure formatting; the command feeds it.

import type { JudgeEvent } from '../../../appliance/src/judge/judge-events.js';
import { formatKilobytes } from '../../../appliance/src/judge/verdict.js';
import type { MicChange } from '../mic-plan.js';
import type { ServiceState } from '../../../appliance/src/service/service-state.js';
import { clockTime as clock } from '../../../appliance/src/time-format.js';

const CLEAR_LINE = '\r\x1b[K';

export class DemoView {
  private nextMic = 0;
  private statusShown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly mic: MicChange[],
    private readonly interactive: boolean,
  ) {}

  /** Prints the mic changes the capture clock has passed. */
  advance(nowUs: number): void {
    while (this.nextMic < this.mic.length && this.mic[this.nextMic].timeUs <= nowUs) {
      const change = this.mic[this.nextMic++];
      this.line(`${clock(change.timeUs)}  mic ${change.state}`);
    }
  }

  event(event: JudgeEvent): void {
    if (event.type === 'alert') {
      this.advance(Date.parse(event.time) * 1000);
      this.line(`${event.time.slice(11, 19)}  ${event.severity.toUpperCase().padEnd(8)} ${event.reason}`);
    } else {
      this.line(`${event.end.slice(11, 19)}  ended     ${formatKilobytes(event.bytes)} in ${event.packets} packets in all`);
    }
  }

  note(text: string): void {
    this.line(`          ${text}`);
  }

  status(state: ServiceState, nowUs: number): void {
    if (!this.interactive || nowUs === 0) return;
    const c = state.classes;
    const app = (c.expected ?? 0) + (c.justified ?? 0) + (c.not_justified ?? 0);
    // The timeline, not the service's state: that refreshes once a second, minutes at demo speed.
    const mic = this.nextMic > 0 ? this.mic[this.nextMic - 1].state : state.mic;
    const text =
      `${clock(nowUs)}  mic ${mic.padEnd(9)} packets: app ${app}, heartbeat ${c.syn ?? 0}, ack ${c.ack ?? 0}, ` +
      `handshake ${c.handshake ?? 0} | up ${formatKilobytes(state.upstream_bytes)} | alerts ${state.alerts_total}${state.problem === 'ON' ? ' (unacknowledged)' : ''}`;
    this.write(`${CLEAR_LINE}${text}`);
    this.statusShown = true;
  }

  finish(): void {
    if (this.statusShown) this.write('\n');
    this.statusShown = false;
  }

  private line(text: string): void {
    this.write(`${this.statusShown ? CLEAR_LINE : ''}${text}\n`);
    this.statusShown = false;
  }
}
