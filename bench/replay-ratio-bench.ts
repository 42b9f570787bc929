// `make bench` (with EARSHOT_BASELINE=<checkout of an earlier commit>): the offline pipeline of
// this checkout against the baseline's on the same generated capture, interleaved in one run so
// the machine's noise hits both alike. Prints packets/s of each and the ratio. Without a
// baseline it says how to get one and exits.
//   git worktree add /tmp/earshot-base <commit> && ln -s "$PWD/node_modules" /tmp/earshot-base/
//   EARSHOT_BASELINE=/tmp/earshot-base node --import tsx bench/replay-ratio-bench.ts

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkSession, sessionToPcap } from '../sim/src/echo-session.js';

const baseline = process.env.EARSHOT_BASELINE;
const here = dirname(fileURLToPath(import.meta.url));
if (!baseline) {
  console.log('replay ratio: set EARSHOT_BASELINE to a checkout of an earlier commit to compare against (see the head of bench/replay-ratio-bench.ts)');
  process.exit(0);
}
const ROUNDS = Number(process.env.EARSHOT_BENCH_ROUNDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'earshot-ratio-'));
try {
  const capture = join(dir, 'bench.pcap');
  const session = benchmarkSession(Number(process.env.EARSHOT_BENCH_PACKETS ?? 300_000));
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  const run = (root: string) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'pipeline-run.ts'), capture], { encoding: 'utf8', cwd: root });
    if (child.status !== 0) throw new Error(`${root}: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { frames: number; seconds: number; maxRssMb: number };
    return { rate: result.frames / result.seconds, rss: result.maxRssMb };
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const pair = round % 2 === 0 ? [run(join(here, '..')), run(baseline)] : [run(baseline), run(join(here, '..'))].reverse();
    ours.push(pair[0].rate);
    theirs.push(pair[1].rate);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const ratio = median(ours.map((r, i) => r / theirs[i]));
  console.log(`replay on ${session.frames.length.toLocaleString('en-US')} frames, ${ROUNDS} interleaved rounds: this checkout ${Math.round(median(ours)).toLocaleString('en-US')} pkt/s, baseline ${Math.round(median(theirs)).toLocaleString('en-US')} pkt/s, ratio ${ratio.toFixed(3)} (median of per-round ratios)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
