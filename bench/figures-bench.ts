// `node --import tsx bench/figures-bench.ts`: how long `earshot figures` takes on the paper's
// dataset (budget 30 s for every figure, SVG and PNG), split into reading + drawing and writing
// with PNG rendering. Runs the command in-process, as a user would run it, on a temporary folder.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../appliance/src/cli/main.js';
import { sharedDataDir } from '../test/support/shared-data.js';
import { writeFigureFixture } from '../test/support/figure-fixture.js';

const out = mkdtempSync(join(tmpdir(), 'earshot-figures-bench-'));
const quiet = { stdout: () => undefined, stderr: (t: string) => void process.stderr.write(t) };

async function timed(label: string, args: string[]): Promise<void> {
  const started = performance.now();
  const code = await runCli(args, quiet);
  const seconds = (performance.now() - started) / 1000;
  const files = readdirSync(args[args.indexOf('-o') + 1]);
  console.log(`${label}: ${seconds.toFixed(2)} s, exit ${code}, ${files.filter((f) => f.endsWith('.svg')).length} SVG + ${files.filter((f) => f.endsWith('.png')).length} PNG (budget 30 s)`);
}

try {
  const dataset = sharedDataDir('paper-dataset') ?? writeFigureFixture(join(out, 'fixture'));
  await timed(`figures, SVG only (${dataset.endsWith('fixture') ? 'generated fixture' : 'paper dataset'})`, ['figures', dataset, '-o', join(out, 'svg'), '--no-png']);
  await timed('figures, SVG and PNG', ['figures', dataset, '-o', join(out, 'png')]);
} finally {
  rmSync(out, { recursive: true, force: true });
}
