// `make bench` (service part): the compiled service run as the systemd unit runs it (same Node
// options, a broker URL configured so mqtt.js is loaded), no broker listening, over (a) a
// 300k-frame capture as fast as it goes (a stress case, ~150k pkt/s) and (b) the five-minute demo
// capture (a realistic volume). The service reports its own peak memory when it stops.
// Goal: RSS <= 80 MB with the model loaded.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchmarkSession, demoSession, sessionToPcap, type GeneratedSession } from '../sim/src/echo-session.js';
import { freePort } from '../test/support/mosquitto.js';

const root = resolve(import.meta.dirname, '..');
const unit = readFileSync(join(root, 'appliance/systemd/earshot.service'), 'utf8');
const nodeOptions = /^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(unit)?.[1] ?? "";
/** The flags the unit gives node on its command line (ExecStart=/usr/bin/node FLAGS .../bin.js). */
const nodeFlags = (/^ExecStart=\S*node((?: --[\w-]+(?:=\S+)?)*) /m.exec(unit)?.[1] ?? '').trim().split(' ').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'earshot-service-bench-'));

async function measure(name: string, session: GeneratedSession): Promise<void> {
  const capture = join(dir, `${name}.pcap`);
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  const config = join(dir, `${name}.json`);
  // A port on loopback with nothing listening: mqtt.js is loaded and retries, nothing leaves the box.
  const mqtt = { url: `mqtt://127.0.0.1:${await freePort()}` };
  writeFileSync(config, JSON.stringify({ id: 'bench', capture: { file: capture, pace: 'fast' }, device: { ip: session.echo.ip }, state: { path: join(dir, `${name}-state.json`) }, mqtt }));
  const started = process.hrtime.bigint();
  // Through NODE_OPTIONS, as the unit sets them: Node refuses some flags there, and so must the bench.
  const run = spawnSync(process.execPath, [...nodeFlags, join(root, 'dist/appliance/src/cli/bin.js'), 'run', '--config', config], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`service failed: ${run.stderr}${run.stdout}`);
  const stopped = /stopped after (\d+) frames; peak memory ([\d.]+) MB/.exec(run.stdout);
  if (!stopped) throw new Error(`no shutdown line in: ${run.stdout}`);
  const frames = Number(stopped[1]);
  console.log(`service, ${name}: ${frames.toLocaleString('en-US')} frames in ${seconds.toFixed(2)} s with start-up, peak RSS ${stopped[2]} MB (goal <= 80 MB; node ${[...nodeFlags, nodeOptions].join(' ') || 'defaults'})`);
}

try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  await measure('300k frames as fast as possible', benchmarkSession(Number(process.env.EARSHOT_BENCH_PACKETS ?? 300_000)));
  await measure('the five-minute demo capture', demoSession());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
