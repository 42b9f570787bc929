// `make bench` (issue 14, item 4): what block-when-muted lets through, for uploads from real
// client stacks (curl, Python's socket, Node's http2) sent from the Echo's namespace through the
// box (rendered nftables with NAT, live capture -> judge -> enforcer) while the ring is muted.
// Prints case × stack × shape → alert, latency from the episode's first packet, when the block
// was in place, the bytes that reached the cloud after the alert, and whether every flow of the
// episode was cut. About 40 s; needs root and netns.
//
//   node --import tsx bench/enforcement-matrix-bench.ts [CASE_NAME...]

import { netnsUnavailableReason } from '../test/support/netns.js';
import { EnforceLab } from '../test/support/enforce-lab.js';
import { ENFORCE_CASES, formatRows, runCase, type EnforceRow } from '../test/support/enforce-cases.js';

const unavailable = netnsUnavailableReason();
if (unavailable) {
  console.log(`enforcement matrix: skipped (${unavailable})`);
  process.exit(0);
}

const wanted = process.argv.slice(2);
const cases = wanted.length ? ENFORCE_CASES.filter((c) => wanted.includes(c.name)) : ENFORCE_CASES;
const lab = await EnforceLab.create({ mode: 'block-when-muted', hold_new_flows: false, block_timeout_s: 3600 });
const rows: EnforceRow[] = [];
try {
  for (const c of cases) {
    rows.push(await runCase(lab, c));
    if (process.env.EARSHOT_BENCH_VERBOSE) console.error(JSON.stringify(rows.at(-1)));
  }
} finally {
  await lab.cleanup();
}
console.log('enforcement matrix (issue 14): block-when-muted, ring muted, real client stacks through the box');
console.log(formatRows(rows));
