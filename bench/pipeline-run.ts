// One timed pass of the offline pipeline over a capture, in its own process so its peak RSS is
// its own. Prints one JSON line: packets, seconds, peak RSS.

import { readFileSync } from 'node:fs';
import { FileSource } from '../appliance/src/capture/file-source.js';
import { runCapture } from '../appliance/src/pipeline/capture-run.js';

const file = process.argv[2];
let echoPackets = 0;
const run = await runCapture(new FileSource(file), {}, {
  packet: () => {
    echoPackets++;
  },
});
if (run.inputError) throw run.inputError;
console.log(
  JSON.stringify({
    frames: run.pipeline.counts.frames,
    echoPackets,
    seconds: run.wallSeconds,
    maxRssMb: peakRssMb(),
  }),
);

/** VmHWM, not getrusage: ru_maxrss is inherited from the parent across fork, which hid ours. */
function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}
