// Issue 18: the bedroom Echo's muted-upload alert latency with the kitchen Echo downloading flat
// out, and with it silent, side by side. Each round is one run of the live two-Echo test
// (test/integration/service-two-echoes.test.ts, about 11 s), rounds interleaved.

import { spawnSync } from 'node:child_process';

const ROUNDS = Number(process.env.EARSHOT_BENCH_TWO_ECHO_ROUNDS ?? 3);
type Row = { deliveredMs: number; decidedMs: number; kitchenPps: number };
const results: Record<'busy' | 'silent', Row[]> = { busy: [], silent: [] };

for (let round = 0; round < ROUNDS; round++) {
  for (const mode of ['busy', 'silent'] as const) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/integration/service-two-echoes.test.ts'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, EARSHOT_TWO_ECHO_KITCHEN_SILENT: mode === 'silent' ? '1' : '0' },
    });
    const m = /bedroom alert on MQTT (\d+) ms after its first write \(decided (\d+) ms .*kitchen (\d+) packets\/s/.exec(run.stdout);
    if (!m || run.status !== 0) {
      console.log(`round ${round + 1} (${mode}): failed (exit ${run.status}); ${run.stdout.split('\n').filter((l) => /skipping|not ok|Error/.test(l)).slice(0, 3).join(' ')}`);
      continue;
    }
    results[mode].push({ deliveredMs: Number(m[1]), decidedMs: Number(m[2]), kitchenPps: Number(m[3]) });
  }
}

const median = (xs: number[]): number => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
console.log('| kitchen | rounds | bedroom delivered (median / max) | decided (median / max) | kitchen packets/s (median) |');
console.log('|---|---|---|---|---|');
for (const mode of ['busy', 'silent'] as const) {
  const rows = results[mode];
  const d = rows.map((r) => r.deliveredMs);
  const c = rows.map((r) => r.decidedMs);
  console.log(`| ${mode} | ${rows.length} | ${median(d)} / ${Math.max(...d)} ms | ${median(c)} / ${Math.max(...c)} ms | ${median(rows.map((r) => r.kitchenPps))} |`);
}
console.log(`busy / silent (median delivered): ${(median(results.busy.map((r) => r.deliveredMs)) / median(results.silent.map((r) => r.deliveredMs))).toFixed(2)}`);
