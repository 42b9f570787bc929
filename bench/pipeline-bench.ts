// `make bench`: `earshot replay` end to end (the compiled CLI with the shipped forest: read ->
// decode -> flows -> features -> forest -> judge -> report, timed as a whole process) and the
// bare offline pipeline, against `tshark -T fields` on the same generated capture, interleaved
// in one run so machine noise hits all alike. Reports packets/s, the ratios, and peak RSS.
// Goals (issue 16): replay >= 300,000 packets/s on one core and >= 6x tshark.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkSession, sessionToPcap } from '../sim/src/echo-session.js';

const MIN_PACKETS = Number(process.env.EARSHOT_BENCH_PACKETS ?? 300_000);
const ROUNDS = Number(process.env.EARSHOT_BENCH_ROUNDS ?? 3);
const TSHARK_FIELDS = ['frame.time_epoch', 'frame.len', 'ip.src', 'ip.dst', 'tcp.dstport', 'tcp.time_delta', 'tcp.flags.ack', 'tls.record.content_type', 'tcp.len'];
const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'dist/appliance/src/cli/bin.js');

const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
try {
  const generated = Date.now();
  const session = benchmarkSession(MIN_PACKETS);
  const capture = join(dir, 'bench.pcap');
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  console.log(`generated ${session.frames.length.toLocaleString('en-US')} frames (${(statSync(capture).size / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - generated) / 1000).toFixed(1)} s`);

  const ours: number[] = [];
  const replay: number[] = [];
  const tshark: number[] = [];
  let rss = 0;
  let replayRss = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const replayStarted = process.hrtime.bigint();
    const run = spawnSync('/usr/bin/time', ['-f', 'maxrss-kb %M', process.execPath, BIN, 'replay', capture], { encoding: 'utf8' });
    const replaySeconds = Number(process.hrtime.bigint() - replayStarted) / 1e9;
    if (run.status !== 0) throw new Error(`earshot replay failed: ${run.stderr}`);
    if (!/throughput/.test(run.stdout)) throw new Error(`earshot replay printed no summary: ${run.stdout.slice(-500)}`);
    replay.push(session.frames.length / replaySeconds);
    replayRss = Math.max(replayRss, Number(/maxrss-kb (\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024);

    const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'pipeline-run.ts'), capture], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`pipeline run failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { frames: number; seconds: number; maxRssMb: number };
    ours.push(result.frames / result.seconds);
    rss = Math.max(rss, result.maxRssMb);

    const started = process.hrtime.bigint();
    const out = execFileSync('tshark', ['-r', capture, '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])], {
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const lines = out.toString('latin1').split('\n').length - 1;
    tshark.push(lines / seconds);
    console.log(`round ${round}: earshot replay ${fmt(replay[round - 1])} pkt/s, pipeline ${fmt(ours[round - 1])} pkt/s, tshark ${fmt(tshark[round - 1])} pkt/s (${lines} lines)`);
  }
  const best = (xs: number[]): number => Math.max(...xs);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('');
  console.log(`earshot replay, whole process: median ${fmt(median(replay))} pkt/s, best ${fmt(best(replay))} pkt/s (goal >= 300,000)`);
  console.log(`earshot pipeline alone (no forest, no report): median ${fmt(median(ours))} pkt/s`);
  console.log(`tshark -T fields: median ${fmt(median(tshark))} pkt/s`);
  console.log(`ratio replay/tshark (median/median): ${(median(replay) / median(tshark)).toFixed(1)}x (goal >= 6x); pipeline/tshark ${(median(ours) / median(tshark)).toFixed(1)}x`);
  console.log(`peak RSS: earshot replay ${replayRss.toFixed(0)} MB, pipeline process ${rss.toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
