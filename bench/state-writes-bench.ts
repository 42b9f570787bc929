// `node --import tsx bench/state-writes-bench.ts`: how often the state file is rewritten in a day
// (SD card wear). The real StateStore, writing real files (fsync included) to a temporary folder,
// is driven exactly as the service drives it, countEchoPacket() per packet, commitCounters() every second and recordAlert() /
// acknowledge() on alerts, through one simulated day on a virtual clock so the day takes seconds.
// Traffic profiles: no Echo at all; idle (a heartbeat every 30 s); light (idle plus 20 voice
// commands and 2 alerts a day); busy (packets every second all day, an alert every hour).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATE_DEFAULTS } from '../appliance/src/defaults.js';
import { StateStore, type StoreTimers } from '../appliance/src/service/state-store.js';
import type { AlertEvent } from '../appliance/src/judge/judge-events.js';

const DAY_S = 86_400;
const dir = mkdtempSync(join(tmpdir(), 'earshot-state-bench-'));

/** A virtual clock: timers fire in order as the day advances, never in real time. */
class VirtualTimers implements StoreTimers {
  private clock = 0;
  private pending: { at: number; run: () => void; id: number }[] = [];
  private ids = 0;
  now(): number {
    return this.clock;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.pending.push({ at: this.clock + ms, run, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }
  advanceTo(ms: number): void {
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at);
      const next = this.pending[0];
      if (!next || next.at > ms) break;
      this.pending.shift();
      this.clock = next.at;
      next.run();
    }
    this.clock = ms;
  }
}

interface Profile {
  name: string;
  /** Packets the Echo sends in second `s` of the day. */
  packetsAt(s: number): number;
  alertAt(s: number): boolean;
}

const commandSeconds = new Set(Array.from({ length: 20 }, (_, i) => 1800 + i * 4000));
const PROFILES: Profile[] = [
  { name: 'no Echo', packetsAt: () => 0, alertAt: () => false },
  { name: 'idle', packetsAt: (s) => (s % 30 === 0 ? 1 : 0), alertAt: () => false },
  { name: 'light', packetsAt: (s) => (s % 30 === 0 ? 1 : 0) + ([...commandSeconds].some((c) => s >= c && s < c + 8) ? 40 : 0), alertAt: (s) => s === 20_000 || s === 60_000 },
  { name: 'busy', packetsAt: () => 120, alertAt: (s) => s % 3600 === 1800 },
];

function alert(id: string): AlertEvent {
  const flow = { protocol: 'tcp' as const, src: '192.0.2.10', srcPort: 49152, dst: '198.51.100.20', dstPort: 443 };
  return { type: 'alert', id, severity: 'warning', time: 't', start: 's', mic: 'idle', dst: '198.51.100.20:443', bytes: 30_000, packets: 25, reason: 'voice-like upload', flow, flows: [flow], evidence: { rule: 'volume', peak_bytes_per_s: 0, mean_bytes_per_s: 0, downstream_ratio: 0, connections: 1, threshold_factor: 1 } };
}

async function writesPerDay(profile: Profile, intervalS: number): Promise<number> {
  const timers = new VirtualTimers();
  const store = new StateStore({ path: join(dir, `${profile.name.replace(' ', '-')}-${intervalS}.json`), history: 200, minIntervalMs: intervalS * 1000, log: (l) => console.error(l), timers });
  await store.open();
  for (let s = 1; s <= DAY_S; s++) {
    const packets = profile.packetsAt(s);
    for (let p = 0; p < packets; p++) store.countEchoPacket('syn', 100);
    if (profile.alertAt(s)) {
      store.recordAlert(alert(`a${s}`));
      // Someone presses the acknowledge button a minute later.
      timers.setTimeout(() => store.acknowledge([`a${s}`]), 60_000);
    }
    store.commitCounters();
    timers.advanceTo(s * 1000);
  }
  await store.flush();
  return store.writes;
}

console.log(`state file writes per day (state.write_interval_s = ${STATE_DEFAULTS.write_interval_s} s, the default; before issue 17 it was ~43,000 even idle):`);
for (const profile of PROFILES) {
  const started = performance.now();
  const writes = await writesPerDay(profile, STATE_DEFAULTS.write_interval_s);
  const slower = await writesPerDay(profile, 300);
  console.log(`  ${profile.name.padEnd(8)} ${String(writes).padStart(5)} writes/day   (${slower} with write_interval_s = 300)   [${((performance.now() - started) / 1000).toFixed(1)} s]`);
}
rmSync(dir, { recursive: true, force: true });
