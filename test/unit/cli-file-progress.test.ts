// The replay/features progress bar: never off a TTY; on one, the frames still pass through unchanged.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PacketSource } from '../../appliance/src/capture/packet-source.js';
import { withFileProgress } from '../../appliance/src/cli/file-progress.js';
import type { CapturedFrame } from '../../appliance/src/decode/types.js';

const frames: CapturedFrame[] = [1, 2, 3].map((n) => ({ timeUs: n, originalLength: 4, linkType: 1, bytes: new Uint8Array(4) }));
const source: PacketSource = {
  description: 'file x.pcap',
  run: async (onFrame) => frames.forEach(onFrame),
  stop: () => {},
  stats: () => ({ received: 3, dropped: 0, interfaceDropped: 0 }),
};

test('no progress off a TTY: the source is used as it is', () => {
  assert.equal(withFileProgress(source, 'x.pcap', { isTTY: false } as NodeJS.WriteStream), source);
});

test('on a TTY, a run shorter than the delay shows no bar and passes every frame through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-progress-'));
  try {
    const file = join(dir, 'x.pcap');
    writeFileSync(file, new Uint8Array(100));
    let written = '';
    const stream = { isTTY: true, write: (t: string) => ((written += t), true) } as unknown as NodeJS.WriteStream;
    const wrapped = withFileProgress(source, file, stream, 60_000);
    assert.notEqual(wrapped, source);
    const seen: number[] = [];
    await wrapped.run((f) => seen.push(f.timeUs));
    assert.deepEqual(seen, [1, 2, 3]);
    assert.equal(written, '');
    assert.equal(wrapped.description, 'file x.pcap');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
