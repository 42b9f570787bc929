// `earshot record` over a capture file (no namespaces needed): the segment it writes, the same
// rows as `earshot features`, and bad options or an unwritable folder answered with exit 2 and one line.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import type { CapturedFrame } from '../../appliance/src/decode/types.js';
import type { CliIo } from '../../appliance/src/cli/cli-io.js';
import { runCli } from '../../appliance/src/cli/main.js';
import { demoSession, micTimelineCsv, sessionToPcap } from '../../sim/src/echo-session.js';

let dir: string;
let config: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-record-'));
  const session = demoSession();
  writeFileSync(join(dir, 'demo.pcap'), Buffer.concat(sessionToPcap(session)));
  writeFileSync(join(dir, 'mic.csv'), micTimelineCsv(session.mic));
  config = join(dir, 'earshot.json');
  writeFileSync(config, JSON.stringify({ id: 'rec', capture: { file: join(dir, 'demo.pcap') }, mic: { timeline: join(dir, 'mic.csv') }, state: { path: join(dir, 'state.json') }, model: 'none' }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

test('record over a capture writes one segment whose CSV is the rows `earshot features` writes, and a headers-only pcap', async () => {
  const out = join(dir, 'data');
  const { code, stdout, stderr } = await cli('record', '--config', config, '-o', out);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /record: writing .*earshot-\d{8}T\d{9}Z\.csv and \.pcap; 0 KB of 1\.0 GB in use/);
  const files = readdirSync(out).sort();
  assert.equal(files.length, 2);
  const features = join(dir, 'features.csv');
  assert.equal((await cli('features', join(dir, 'demo.pcap'), '--mic', join(dir, 'mic.csv'), '-o', features)).code, 0);
  assert.equal(readFileSync(join(out, files[0]), 'utf8'), readFileSync(features, 'utf8'));
  const frames: CapturedFrame[] = [];
  await new FileSource(join(out, files[1])).run((f) => frames.push(f));
  const original: CapturedFrame[] = [];
  await new FileSource(join(dir, 'demo.pcap')).run((f) => original.push(f));
  assert.equal(frames.length, original.length);
  assert.deepEqual(frames.map((f) => f.originalLength), original.map((f) => f.originalLength));
  assert.ok(frames.reduce((a, f) => a + f.bytes.length, 0) < original.reduce((a, f) => a + f.bytes.length, 0) / 4);
});

test('record refuses a folder it cannot write, with exit 2 and one line naming it', async () => {
  writeFileSync(join(dir, 'a-file'), '');
  const { code, stderr } = await cli('record', '--config', config, '-o', join(dir, 'a-file', 'data'));
  assert.equal(code, 2);
  assert.equal(stderr.trimEnd(), `earshot record: ${join(dir, 'a-file', 'data')}: cannot record: not a folder`);
});

test('record refuses a budget that is not a number, and segments too large for the budget', async () => {
  const words = await cli('record', '--config', config, '--max-mb', 'lots');
  assert.equal(words.code, 2);
  assert.equal(words.stderr.trimEnd(), "earshot record: --max-mb: expected a whole number (got 'lots')");
  const big = await cli('record', '--config', config, '--max-mb', '100', '--segment-mb', '50');
  assert.equal(big.code, 2);
  assert.match(big.stderr.trimEnd(), /^earshot record: .*earshot\.json: record\.segment_mb: expected at most a quarter of record\.max_total_mb \(25; got 50\)$/);
});
