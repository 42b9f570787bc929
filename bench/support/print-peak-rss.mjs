// Preloaded by bench/memory-bench.ts: prints the process's peak resident memory (VmHWM) when it
// exits, however it exits, so the bench reads the true peak rather than its last sample.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  process.stderr.write(`earshot-peak-rss-kb ${match ? match[1] : 0}\n`);
});
