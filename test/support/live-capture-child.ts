// Runs the simulator's live capture (LiveSource into a pcap file) on an interface inside a test's
// network namespace. Prints JSON lines: {"event":"ready"} once capturing, then {"event":"done",...}
// after the marker bytes passed or stdin closed.
//   live-capture-child.ts IFACE OUT.pcap MARKER_HEX

import { runLiveCapture } from '../../sim/src/live-capture.js';

const [iface, outPath, markerHex] = process.argv.slice(2);
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

try {
  await runLiveCapture(iface, outPath, markerHex, (report) => {
    if (report.event === 'capturing') print({ event: 'ready' });
    else print({ event: 'done', stopReason: report.stopReason, frames: report.frames, stats: { received: report.received, dropped: report.dropped, interfaceDropped: report.interfaceDropped } });
  });
  // node_pcap releases its poll handle only when another packet arrives, so exit explicitly.
  process.exit(0);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
