// The judge on real Echo traffic: each capture holds one command spoken five times. The mic
// timeline is made up for each case, and the commands are found by tshark (support/echo-commands).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { runCapture } from '../../appliance/src/pipeline/capture-run.js';
import type { AlertEvent } from '../../appliance/src/judge/judge-events.js';
import type { MicState } from '../../appliance/src/mic/mic-state.js';
import { MicTimeline, type MicChange } from '../../appliance/src/mic/mic-timeline.js';
import { echoCommands, type EchoCommand } from '../support/echo-commands.js';
import { sharedDataDir } from '../support/shared-data.js';

const S = 1_000_000;

function captures(): string[] | undefined {
  const dir = sharedDataDir('echo-pcaps');
  if (!dir) return undefined;
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
  } catch {
    console.log('skipping: tshark is not installed');
    return undefined;
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => join(dir, f));
}

/** Alerts, each with the end of its episode (from alert_end). */
type EndedAlert = AlertEvent & { endUs: number };

async function alertsFor(capture: string, changes: MicChange[]): Promise<EndedAlert[]> {
  const alerts: EndedAlert[] = [];
  await runCapture(new FileSource(capture), { mic: new MicTimeline(changes) }, {
    judge: (e) => {
      if (e.type === 'alert') alerts.push({ ...e, endUs: Infinity });
      else for (const a of alerts) if (a.id === e.id) a.endUs = us(e.end);
    },
  });
  return alerts;
}

const us = (iso: string): number => Date.parse(iso) * 1000;

/**
 * Each command has an alert of this severity that began with its upload and was raised within
 * 1 s, or (muted) falls inside an episode that had already alerted and was still going on: the
 * ring stayed red, so the judge does not restart the upload at a pause.
 */
function assertEveryCommandAlerted(file: string, commands: EchoCommand[], alerts: EndedAlert[], severity: 'critical' | 'warning'): number[] {
  const latencies: number[] = [];
  for (const command of commands) {
    const alert = alerts.find((a) => us(a.start) >= command.startUs - 1 * S && us(a.start) <= command.startUs + 2.5 * S);
    const ongoing = alerts.find((a) => us(a.time) < command.startUs && a.endUs >= command.startUs);
    if (!alert && ongoing && severity === 'critical') {
      assert.equal(ongoing.severity, severity, `${file}: ${ongoing.reason}`);
      continue;
    }
    assert.ok(alert, `${file}: no alert for the command at ${new Date(command.startUs / 1000).toISOString()}`);
    assert.equal(alert.severity, severity, `${file}: ${alert.reason}`);
    const latency = us(alert.time) - us(alert.start);
    assert.ok(latency <= 1 * S, `${file}: alert raised ${latency / 1000} ms after its upload began`);
    latencies.push(latency);
  }
  return latencies;
}

/** Alerts away from every command (and its follow-up, 30 s) would be false alarms. */
function assertNoStrayAlerts(file: string, commands: EchoCommand[], alerts: AlertEvent[]): void {
  for (const alert of alerts) {
    const near = commands.some((c) => us(alert.start) >= c.startUs - 1 * S && us(alert.start) <= c.startUs + 30 * S);
    assert.ok(near, `${file}: an alert far from any command: ${alert.reason} at ${alert.start}`);
  }
}

const throughout = (state: MicState): MicChange[] => [{ timeUs: 0, state }];

test('with the mic muted throughout, every command in the real captures raises a critical alert within 1 s', async (t) => {
  const files = captures();
  if (!files) return t.skip('../shared/data/echo-pcaps or tshark is absent');
  const latencies: number[] = [];
  for (const file of files) {
    const commands = echoCommands(file);
    assert.equal(commands.length, 5, `${file}: five commands found by tshark`);
    const alerts = await alertsFor(file, throughout('muted'));
    latencies.push(...assertEveryCommandAlerted(file, commands, alerts, 'critical'));
    assertNoStrayAlerts(file, commands, alerts);
  }
  latencies.sort((a, b) => a - b);
  console.log(`${latencies.length} commands, alert latency median ${latencies[latencies.length >> 1] / 1000} ms, max ${latencies.at(-1)! / 1000} ms`);
});

test('with the mic idle throughout, every command raises a warning within 1 s, as a possible misactivation', async (t) => {
  const files = captures();
  if (!files) return t.skip('../shared/data/echo-pcaps or tshark is absent');
  for (const file of files) {
    const commands = echoCommands(file);
    const alerts = await alertsFor(file, throughout('idle'));
    assertEveryCommandAlerted(file, commands, alerts, 'warning');
    assertNoStrayAlerts(file, commands, alerts);
  }
});

test('with listening windows around each command and idle elsewhere, the real captures raise no alert at all', async (t) => {
  const files = captures();
  if (!files) return t.skip('../shared/data/echo-pcaps or tshark is absent');
  let commandsSeen = 0;
  for (const file of files) {
    const commands = echoCommands(file);
    // The ring turns blue at the wake word, just before the upload, and stays on while it runs.
    const changes: MicChange[] = [{ timeUs: 0, state: 'idle' }];
    for (const c of commands) changes.push({ timeUs: c.startUs - 0.5 * S, state: 'listening' }, { timeUs: c.startUs + 8 * S, state: 'idle' });
    const alerts = await alertsFor(file, changes);
    assert.deepEqual(alerts.map((a) => a.reason), [], file);
    commandsSeen += commands.length;
  }
  assert.equal(commandsSeen, files.length * 5);
});

test('a real Echo watched beside a second, listening Echo gets the same alerts as alone, and the second gets none', async (t) => {
  const files = captures();
  if (!files) return t.skip('needs ../shared/data/echo-pcaps and tshark');
  for (const capture of files.slice(0, 4)) {
    const alone: AlertEvent[] = [];
    const single = await runCapture(new FileSource(capture), { mic: new MicTimeline(throughout('muted')) }, { judge: (e) => void (e.type === 'alert' && alone.push(e)) });
    const ip = single.pipeline.device?.addresses[0];
    assert.ok(ip, `${capture}: an Echo was elected`);
    const beside: AlertEvent[] = [];
    const both = await runCapture(
      new FileSource(capture),
      {
        devices: [
          { id: 'echo', name: 'Echo', spec: { ip }, mic: new MicTimeline(throughout('muted')) },
          // Another local address of the same capture's network, listening: it must not take the Echo's packets.
          { id: 'bedroom', name: 'Bedroom', spec: { ip: '192.0.2.250' }, mic: new MicTimeline(throughout('listening')) },
        ],
      },
      { judge: (e) => void (e.type === 'alert' && beside.push(e)) },
    );
    assert.ok(alone.length > 0, `${capture}: the muted Echo is alerted`);
    assert.deepEqual(beside.map((a) => [a.id, a.severity, a.time, a.bytes]), alone.map((a) => [a.id, a.severity, a.time, a.bytes]), capture);
    assert.ok(beside.every((a) => a.device === 'echo'));
    assert.equal(both.judges[1].counts.episodes, 0, 'the second Echo saw none of the first one\'s uploads');
  }
});
