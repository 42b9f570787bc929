// `make bench` (live part): capture drops at 20k and 50k packets/s on a veth between two
// network namespaces, with every frame going through the full pipeline. Budget: 0 drops at 20k.

import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsUnavailableReason, ProcessOutput, VethLab } from '../test/support/netns.js';

const here = dirname(fileURLToPath(import.meta.url));
const RATES = (process.env.EARSHOT_BENCH_LIVE_RATES ?? '20000,50000').split(',').map(Number);
const SECONDS = Number(process.env.EARSHOT_BENCH_LIVE_SECONDS ?? 5);
const PORT = 9999;

const unavailable = netnsUnavailableReason();
if (unavailable) {
  console.log(`live capture bench skipped: ${unavailable}`);
  process.exit(0);
}
const cleanups: (() => Promise<void>)[] = [];
try {
  const lab = await VethLab.create((fn) => cleanups.push(fn));
  const node = (script: string, ...args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', join(here, 'support', script), ...args]];
  for (const rate of RATES) {
    const marker = randomBytes(16).toString('hex');
    const capture = new ProcessOutput(lab.spawn(lab.a.ns, ...node('live-pipeline-child.ts', lab.a.iface, lab.b.ip, String(PORT), marker, String((SECONDS + 30) * 1000))));
    const parse = (event: string) => (line: string) => (line.startsWith('{') && JSON.parse(line).event === event ? JSON.parse(line) : undefined);
    await capture.waitFor(parse('ready'), 20_000, 'the capture to open');
    const sender = await lab.run(lab.b.ns, ...node('udp-sender.ts', lab.a.ip, String(PORT), String(rate), String(SECONDS), marker), (SECONDS + 30) * 1000);
    if (sender.code !== 0) throw new Error(`sender failed: ${sender.stderr}`);
    const sent = JSON.parse(sender.stdout.trim().split('\n').at(-1)!) as { sent: number; seconds: number };
    const done = await capture.waitFor(parse('done'), (SECONDS + 30) * 1000, 'the capture to finish');
    const achieved = Math.round(sent.sent / sent.seconds);
    console.log(
      `live ${rate.toLocaleString('en-US')} pkt/s target (${achieved.toLocaleString('en-US')} achieved, ${sent.sent} sent): ` +
        `captured ${done.frames}, libpcap received ${done.stats.received}, dropped ${done.stats.dropped}, ` +
        `interface dropped ${done.stats.interfaceDropped}, peak RSS ${done.peakRssMb.toFixed(0)} MB`,
    );
  }
} finally {
  for (const cleanup of cleanups) await cleanup();
}
