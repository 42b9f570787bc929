// `make bench` (detection part): recall, false alerts and alert latency of the judge over the
// real Echo captures, with made-up mic timelines and tshark-found commands as ground truth.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileSource } from '../appliance/src/capture/file-source.js';
import { runCapture } from '../appliance/src/pipeline/capture-run.js';
import type { AlertEvent } from '../appliance/src/judge/judge-events.js';
import { MicTimeline, type MicChange } from '../appliance/src/mic/mic-timeline.js';
import { echoCommands, type EchoCommand } from '../test/support/echo-commands.js';
import { sharedDataDir } from '../test/support/shared-data.js';

const S = 1_000_000;
const dir = sharedDataDir('echo-pcaps');
if (!dir) process.exit(0);

const us = (iso: string): number => Date.parse(iso) * 1000;
const near = (alert: AlertEvent, c: EchoCommand, afterUs: number): boolean => us(alert.start) >= c.startUs - S && us(alert.start) <= c.startUs + afterUs;

type EndedAlert = AlertEvent & { endUs: number };

async function alertsFor(file: string, changes: MicChange[]): Promise<EndedAlert[]> {
  const alerts: EndedAlert[] = [];
  await runCapture(new FileSource(file), { mic: new MicTimeline(changes) }, {
    judge: (e) => {
      if (e.type === 'alert') alerts.push({ ...e, endUs: Infinity });
      else for (const a of alerts) if (a.id === e.id) a.endUs = us(e.end);
    },
  });
  return alerts;
}

const scenarios = ['muted', 'idle', 'listening windows'] as const;
const totals = Object.fromEntries(scenarios.map((s) => [s, { commands: 0, caught: 0, ongoing: 0, followUps: 0, falseAlerts: 0, latencies: [] as number[] }]));
for (const name of readdirSync(dir).filter((f) => f.endsWith('.pcap'))) {
  const file = join(dir, name);
  const commands = echoCommands(file);
  for (const scenario of scenarios) {
    const changes: MicChange[] =
      scenario === 'listening windows'
        ? [{ timeUs: 0, state: 'idle' }, ...commands.flatMap((c): MicChange[] => [{ timeUs: c.startUs - S / 2, state: 'listening' }, { timeUs: c.startUs + 8 * S, state: 'idle' }])]
        : [{ timeUs: 0, state: scenario }];
    const alerts = await alertsFor(file, changes);
    const total = totals[scenario];
    total.commands += commands.length;
    for (const c of commands) {
      const alert = alerts.find((a) => near(a, c, 2.5 * S));
      // Muted, a command inside an upload that has already alerted and is still going on is
      // part of it: the judge does not restart an upload at a pause while the ring stays red.
      if (!alert && scenario === 'muted' && alerts.some((a) => us(a.time) < c.startUs && a.endUs >= c.startUs)) {
        total.caught++;
        total.ongoing++;
        continue;
      }
      if (!alert) continue;
      total.caught++;
      total.latencies.push(us(alert.time) - us(alert.start));
    }
    for (const alert of alerts) {
      if (commands.some((c) => near(alert, c, 2.5 * S))) continue;
      if (scenario !== 'listening windows' && commands.some((c) => near(alert, c, 30 * S))) total.followUps++;
      else total.falseAlerts++;
    }
  }
}

console.log('judge on the real Echo captures (19 files, 5 commands each; ground truth from tshark):');
for (const scenario of scenarios) {
  const t = totals[scenario];
  const sorted = t.latencies.sort((a, b) => a - b);
  const latency = sorted.length ? `latency median ${Math.round(sorted[sorted.length >> 1] / 1000)} ms, max ${Math.round(sorted.at(-1)! / 1000)} ms` : 'no alerts';
  const ongoing = t.ongoing > 0 ? ` (${t.ongoing} inside an upload already alerted)` : '';
  const wanted = scenario === 'listening windows' ? `alerted ${t.caught}/${t.commands} commands (want 0)` : `recall ${t.caught}/${t.commands}${ongoing}`;
  console.log(`  mic ${scenario.padEnd(17)} ${wanted}, follow-up listens alerted ${t.followUps}, false alerts ${t.falseAlerts}, ${latency}`);
}
