// `make bench` (memory part): the two budgets of issue 17, each in a process of its own run from
// the compiled CLI:
//  (a) `earshot run`, with the node flags and NODE_OPTIONS of appliance/systemd/earshot.service, connected to a real Mosquitto (started here on loopback, with a subscriber
//      reading everything), fed 1,000 packets/s of generated Echo traffic (music, voice,
//      heartbeats) at recorded pace for EARSHOT_BENCH_MEMORY_S seconds (default 600: ten minutes);
//      RSS is sampled every second from /proc and the peak (VmHWM) is printed;
//  (b) `earshot replay` (summary, then --jsonl) on a 400k-frame capture as fast as it goes, its peak RSS likewise, with
//      no NODE_OPTIONS (a person at a shell sets none).
// Goal: both <= 80 MB.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchmarkSession, sessionToPcap, type GeneratedSession } from '../sim/src/echo-session.js';
import { MosquittoBroker, MqttRecorder } from '../test/support/mosquitto.js';

const root = resolve(import.meta.dirname, '..');
const unit = readFileSync(join(root, 'appliance/systemd/earshot.service'), 'utf8');
const nodeOptions = /^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(unit)?.[1] ?? '';
/** The flags the unit gives node on its command line (ExecStart=/usr/bin/node FLAGS .../bin.js). */
const nodeFlags = (/^ExecStart=\S*node((?: --[\w-]+(?:=\S+)?)*) /m.exec(unit)?.[1] ?? '').trim().split(' ').filter(Boolean);
const seconds = Number(process.env.EARSHOT_BENCH_MEMORY_S ?? 600);
const RATE = 1_000;
const BUDGET_MB = 80;
const dir = mkdtempSync(join(tmpdir(), 'earshot-memory-bench-'));
const bin = join(root, 'dist/appliance/src/cli/bin.js');

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // already gone
  }
}

/** Runs a CLI command, sampling its RSS each second; the peak is VmHWM read just before it ends (a preload prints it). */
async function peakOf(args: string[], env: Record<string, string>, flags: string[], onSample?: (rssMb: number, elapsedS: number) => void): Promise<{ peakMb: number; stdout: string; elapsedS: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, '--import', join(root, 'bench/support/print-peak-rss.mjs'), bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => void (stdout += t.length > 0 && stdout.length < 1e6 ? t : ''));
  child.stderr.setEncoding('utf8').on('data', (t: string) => void (stderr += t));
  const sampler = setInterval(() => {
    const rss = statusKb(child.pid!, 'VmRSS');
    if (rss !== undefined) onSample?.(rss / 1024, (performance.now() - started) / 1000);
  }, 1000);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${args[0]} failed (${code}): ${stderr.slice(-2000)}`);
  const peak = /earshot-peak-rss-kb (\d+)/.exec(stderr);
  if (!peak) throw new Error(`no peak line from ${args[0]}: ${stderr.slice(-500)}`);
  return { peakMb: Number(peak[1]) / 1024, stdout, elapsedS: (performance.now() - started) / 1000 };
}

/** The capture's own packet rate, so `capture.speed` can make it 1,000 packets/s. */
function rateOf(session: GeneratedSession): number {
  const first = session.frames[0].timeUs;
  const last = session.frames[session.frames.length - 1].timeUs;
  return session.frames.length / ((last - first) / 1e6);
}

async function serviceWithBroker(): Promise<void> {
  const session = benchmarkSession(RATE * seconds);
  const capture = join(dir, 'service.pcap');
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  const speed = RATE / rateOf(session);
  const broker = await MosquittoBroker.start();
  const subscriber = await MqttRecorder.connect(broker.url, ['earshot/#', 'homeassistant/#']);
  try {
    const config = join(dir, 'service.json');
    writeFileSync(config, JSON.stringify({ id: 'bench', capture: { file: capture, pace: 'recorded', speed }, device: { ip: session.echo.ip }, state: { path: join(dir, 'state.json') }, mqtt: { url: broker.url } }));
    let lastPrinted = 0;
    const samples: number[] = [];
    const { peakMb, elapsedS } = await peakOf(['run', '--config', config], { NODE_OPTIONS: nodeOptions }, nodeFlags, (rss, t) => {
      samples.push(rss);
      if (t - lastPrinted >= Math.max(60, seconds / 10)) {
        lastPrinted = t;
        console.log(`  ${t.toFixed(0).padStart(4)} s: RSS ${rss.toFixed(1)} MB`);
      }
    });
    const lateHalf = samples.slice(Math.floor(samples.length / 2));
    const growth = lateHalf.length > 1 ? lateHalf[lateHalf.length - 1] - lateHalf[0] : 0;
    const received = subscriber.messages.length;
    console.log(
      `service with MQTT, ${RATE} pkt/s for ${elapsedS.toFixed(0)} s (${session.frames.length.toLocaleString('en-US')} frames, ${received} messages reached a subscriber): peak RSS ${peakMb.toFixed(1)} MB, second-half drift ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB (goal <= ${BUDGET_MB} MB; node ${[...nodeFlags, nodeOptions].join(' ') || 'defaults'}, as the unit runs it)`,
    );
  } finally {
    await subscriber.close();
    await broker.dispose();
  }
}

async function replay(frames: number): Promise<void> {
  const session = benchmarkSession(frames);
  const capture = join(dir, 'replay.pcap');
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  for (const mode of [[], ['--jsonl']]) {
    const { peakMb, elapsedS } = await peakOf(['replay', capture, '--device', session.echo.ip, ...mode], { NODE_OPTIONS: '' }, []);
    console.log(`earshot replay ${mode.join(' ') || '(summary)'}, ${session.frames.length.toLocaleString('en-US')} frames in ${elapsedS.toFixed(1)} s: peak RSS ${peakMb.toFixed(1)} MB (goal <= ${BUDGET_MB} MB)`);
  }
}

try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  await replay(Number(process.env.EARSHOT_BENCH_REPLAY_FRAMES ?? 400_000));
  await serviceWithBroker();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
