// `make bench` (status page part): what the page costs the service, measured side by side in one
// run. The compiled service, with the systemd unit's Node options, replays the same 300k-frame
// capture as fast as it goes, alternately with the page off and on, five times each. With the page
// on, a viewer does what a browser does: loads the page and its assets, then holds the event
// stream open while the packets flow. Reported: the capture path's cost per packet (between the
// service's "capturing" and "stopped" log lines, so start-up is left out) and peak RSS.
// Goals: the page adds <= 10 MB of RSS and nothing to the per-packet cost (it has no per-packet
// hook: it reads the service's counters once a second, so any difference here is the page's
// once-a-second work, and noise).

import { execFileSync, spawn } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchmarkSession, sessionToPcap } from '../sim/src/echo-session.js';
import { freePort } from '../test/support/mosquitto.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'earshot-page-bench-'));
// The Node options the systemd unit runs the service with (a small young generation, for one).
const unit = readFileSync(join(root, 'appliance/systemd/earshot.service'), 'utf8');
const nodeOptions = /^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(unit)?.[1] ?? '';
const ROUNDS = 5;

interface Run {
  usPerPacket: number;
  peakMb: number;
  frames: number;
  streamEvents: number;
}

/** What a browser does: loads the page and its assets, then holds the event stream open. */
function watch(url: string): { events: () => number; close: () => void } {
  let events = 0;
  for (const asset of ['/', '/page.js', '/page.css', '/api/status']) get(new URL(asset, url), (r) => r.resume()).on('error', () => {});
  const request = get(new URL('/api/events', url), (response) => {
    response.setEncoding('utf8').on('data', (chunk: string) => (events += chunk.split('\n\n').length - 1));
  });
  request.on('error', () => {});
  return { events: () => events, close: () => request.destroy() };
}

async function runOnce(capture: string, echoIp: string, page: boolean, index: number): Promise<Run> {
  const config = join(dir, `run-${index}.json`);
  const port = await freePort();
  writeFileSync(
    config,
    JSON.stringify({ id: 'bench', capture: { file: capture, pace: 'fast' }, device: { ip: echoIp }, state: { path: join(dir, `state-${index}.json`) }, status_page: { enabled: page, bind: '127.0.0.1', port, token: 'bench-token-0123456789' } }),
  );
  const child = spawn(process.execPath, [join(root, 'dist/appliance/src/cli/bin.js'), 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  let out = '';
  let viewer: ReturnType<typeof watch> | undefined;
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    out += data;
    const url = /status page: (http:\S+)/.exec(out)?.[1];
    if (url && !viewer) viewer = watch(url);
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => (out += data));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  const streamEvents = viewer?.events() ?? 0;
  viewer?.close();
  if (code !== 0) throw new Error(`service failed (${code}): ${out}`);
  const stamp = (pattern: RegExp): number => Date.parse(new RegExp(`^(\\S+) \\w+ ${pattern.source}`, 'm').exec(out)?.[1] ?? 'x');
  const stopped = /stopped after (\d+) frames; peak memory ([\d.]+) MB/.exec(out);
  if (!stopped) throw new Error(`no shutdown line in: ${out}`);
  const frames = Number(stopped[1]);
  const ms = stamp(/stopped after/) - stamp(/earshot bench: capturing/);
  if (page && !/status page: http/.test(out)) throw new Error(`the page did not start: ${out}`);
  return { usPerPacket: (ms * 1000) / frames, peakMb: Number(stopped[2]), frames, streamEvents };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  const session = benchmarkSession(Number(process.env.EARSHOT_BENCH_PACKETS ?? 300_000));
  const capture = join(dir, 'capture.pcap');
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  const off: Run[] = [];
  const on: Run[] = [];
  // Alternating, so a machine that gets busier during the run burdens both sides alike.
  for (let round = 0; round < ROUNDS; round++) {
    off.push(await runOnce(capture, session.echo.ip, false, round * 2));
    on.push(await runOnce(capture, session.echo.ip, true, round * 2 + 1));
  }
  const offUs = median(off.map((r) => r.usPerPacket));
  const onUs = median(on.map((r) => r.usPerPacket));
  const offMb = median(off.map((r) => r.peakMb));
  const onMb = median(on.map((r) => r.peakMb));
  const frames = off[0].frames.toLocaleString('en-US');
  console.log(`status page, ${frames} frames x ${ROUNDS} rounds each (node ${nodeOptions || 'defaults'}), medians:`);
  console.log(`  per packet: ${offUs.toFixed(2)} us off, ${onUs.toFixed(2)} us on (${(onUs - offUs >= 0 ? '+' : '') + (onUs - offUs).toFixed(2)} us; goal: nothing beyond noise; each side's spread ${spread(off)} / ${spread(on)} us)`);
  console.log(`  peak RSS: ${offMb.toFixed(1)} MB off, ${onMb.toFixed(1)} MB on (+${(onMb - offMb).toFixed(1)} MB; goal <= 10 MB), with a live view that got ${median(on.map((r) => r.streamEvents))} events per run`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function spread(runs: Run[]): string {
  const us = runs.map((r) => r.usPerPacket);
  return `${Math.min(...us).toFixed(2)}-${Math.max(...us).toFixed(2)}`;
}
