// Live capture into the full pipeline, as the service will run it: LiveSource on IFACE, every
// frame decoded, tracked and labelled. Stops at the marker datagram (or the timeout) and prints
// libpcap's counters and the peak RSS.
//   live-pipeline-child.ts IFACE DEVICE_IP UDP_PORT MARKER_HEX TIMEOUT_MS

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { LiveSource } from '../../appliance/src/capture/live-source.js';
import { PacketPipeline } from '../../appliance/src/pipeline/packet-pipeline.js';

const [iface, deviceIp, portText, markerHex, timeoutText] = process.argv.slice(2);
const marker = Buffer.from(markerHex, 'hex');
// A bound socket keeps the kernel from answering every datagram with ICMP port unreachable.
const sink = createSocket('udp4').on('message', () => {});
sink.bind(Number(portText));
const pipeline = new PacketPipeline({ device: { ip: deviceIp } }, () => {});
let frames = 0;
const source = new LiveSource(iface, { onOpen: () => console.log(JSON.stringify({ event: 'ready' })) });
const timer = setTimeout(() => source.stop(), Number(timeoutText));
await source.run((frame) => {
  frames++;
  pipeline.push(frame);
  const b = frame.bytes;
  if (b.length - 42 === marker.length && Buffer.from(b.buffer, b.byteOffset + 42, marker.length).equals(marker)) source.stop();
});
clearTimeout(timer);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
console.log(JSON.stringify({ event: 'done', frames, decoded: pipeline.decodeCounters.decoded, stats: source.stats(), peakRssMb: hwm ? Number(hwm[1]) / 1024 : 0 }));
process.exit(0); // node_pcap keeps its poll handle until another packet arrives
