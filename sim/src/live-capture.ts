// Live mode's capture, one process in the box namespace: LiveSource (libpcap) on the LAN-side
// veth, frames written to the pcap file as they come, until the fake Echo's end marker passes
// (the marker itself is left out) or stdin closes.

import { closeSync, openSync, writeSync } from 'node:fs';
import { pcapFileHeader, pcapRecord } from '../../appliance/src/capture/capture-writer.js';
import { LiveSource } from '../../appliance/src/capture/live-source.js';

export interface CaptureReport {
  event: 'capturing' | 'captured';
  frames?: number;
  /** Capture-clock stamps of the first and the last frame written. */
  firstUs?: number;
  lastUs?: number;
  received?: number;
  dropped?: number;
  interfaceDropped?: number;
  stopReason?: string;
}

export async function runLiveCapture(iface: string, outPath: string, markerHex: string, report: (r: CaptureReport) => void, stopOnStdinEnd = true): Promise<void> {
  const marker = Buffer.from(markerHex, 'hex');
  const fd = openSync(outPath, 'w');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let frames = 0;
  let firstUs = 0;
  let lastUs = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    writeSync(fd, Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  let stopReason = 'marker';
  let headerWritten = false;
  const source = new LiveSource(iface, {
    onOpen: (linkType) => {
      writeSync(fd, pcapFileHeader(linkType));
      headerWritten = true;
      report({ event: 'capturing' });
    },
  });
  if (stopOnStdinEnd) {
    process.stdin.on('end', () => {
      stopReason = 'stdin closed';
      source.stop();
    });
    process.stdin.resume();
  }
  try {
    await source.run((frame) => {
      if (Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.length).includes(marker)) {
        source.stop();
        return;
      }
      const record = pcapRecord(frame.timeUs, frame.bytes, frame.originalLength);
      pending.push(record);
      pendingBytes += record.length;
      if (frames === 0) firstUs = frame.timeUs;
      lastUs = frame.timeUs;
      frames++;
      if (pendingBytes > 1 << 20) flush();
    });
  } finally {
    if (!headerWritten) writeSync(fd, pcapFileHeader(1));
    flush();
    closeSync(fd);
  }
  const stats = source.stats();
  report({ event: 'captured', frames, firstUs, lastUs, received: stats.received, dropped: stats.dropped, interfaceDropped: stats.interfaceDropped, stopReason });
}
