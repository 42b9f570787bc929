// A LiveSource with a BPF filter inside a test's namespace: prints {"event":"ready"}, then one
// {"src":MAC,"dst":MAC} line per frame, and exits after a frame that carries the marker bytes.
//   filtered-capture-child.ts IFACE FILTER|'' MARKER

import { LiveSource } from '../../appliance/src/capture/live-source.js';

const [iface, filter, marker] = process.argv.slice(2);
const markerBytes = new TextEncoder().encode(marker);
const mac = (bytes: Uint8Array, at: number): string => [...bytes.subarray(at, at + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
const holds = (bytes: Uint8Array): boolean => Buffer.from(bytes).includes(Buffer.from(markerBytes));

const source = new LiveSource(iface, { filter: filter || undefined, bufferTimeoutMs: 10, onOpen: () => console.log(JSON.stringify({ event: 'ready' })) });
await source.run((frame) => {
  console.log(JSON.stringify({ src: mac(frame.bytes, 6), dst: mac(frame.bytes, 0) }));
  if (holds(frame.bytes)) source.stop();
});
// node_pcap releases its poll handle only when another packet arrives, so exit explicitly.
process.exit(0);
