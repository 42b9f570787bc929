// `make bench` (service part): the compiled service, as systemd runs it, over a generated
// 300k-frame capture with no broker: its peak RSS (goal <= 80 MB with the model loaded) and
// throughput. The service reports its own peak memory when it stops.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchmarkSession, sessionToPcap } from '../appliance/src/synth/echo-session.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'earshot-service-bench-'));
try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  const capture = join(dir, 'bench.pcap');
  const session = benchmarkSession(Number(process.env.EARSHOT_BENCH_PACKETS ?? 300_000));
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  const config = join(dir, 'earshot.json');
  writeFileSync(config, JSON.stringify({ id: 'bench', capture: { file: capture, pace: 'fast' }, device: { ip: session.echo.ip }, state: { path: join(dir, 'state.json') } }));
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [join(root, 'dist/appliance/src/cli/bin.js'), 'run', '--config', config], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`service failed: ${run.stderr}${run.stdout}`);
  const stopped = /stopped after (\d+) frames; peak memory ([\d.]+) MB/.exec(run.stdout);
  if (!stopped) throw new Error(`no shutdown line in: ${run.stdout}`);
  const frames = Number(stopped[1]);
  console.log(`service (compiled, no broker): ${frames.toLocaleString('en-US')} frames in ${seconds.toFixed(2)} s including start-up (${Math.round(frames / seconds).toLocaleString('en-US')} frames/s), peak RSS ${stopped[2]} MB (goal <= 80 MB)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
