// Runs LiveSource on an interface (inside a network namespace, started by a test) and writes
// what it captured to a pcap file. Prints JSON lines: {"event":"ready"} once capturing, then
// {"event":"done",...} after it saw the marker bytes, stdin closed, or the timeout passed.
//   live-capture-child.ts IFACE OUT.pcap MARKER_HEX TIMEOUT_MS

import { writeFileSync } from 'node:fs';
import { pcapFileHeader, pcapRecord } from '../../appliance/src/capture/capture-writer.js';
import { LiveSource } from '../../appliance/src/capture/live-source.js';

const [iface, outPath, markerHex, timeoutText] = process.argv.slice(2);
const marker = Buffer.from(markerHex, 'hex');
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

const warnings: string[] = [];
let linkType = 1;
const source = new LiveSource(iface, {
  onOpen: (type) => {
    linkType = type;
    print({ event: 'ready', linkType });
  },
  onWarning: (message) => warnings.push(message),
});
const records: Uint8Array[] = [];
let stopReason = 'marker';
const timer = setTimeout(() => {
  stopReason = 'timeout';
  source.stop();
}, Number(timeoutText));
process.stdin.on('end', () => {
  stopReason = 'stdin closed';
  source.stop();
});
process.stdin.resume();

try {
  await source.run((frame) => {
    records.push(pcapRecord(frame.timeUs, frame.bytes, frame.originalLength));
    if (Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.length).includes(marker)) source.stop();
  });
  clearTimeout(timer);
  writeFileSync(outPath, Buffer.concat([pcapFileHeader(linkType), ...records]));
  print({ event: 'done', stopReason, frames: records.length, stats: source.stats(), warnings });
  // node_pcap releases its poll handle only when another packet arrives, so exit explicitly.
  process.exit(0);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
