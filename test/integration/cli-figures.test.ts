// `earshot figures`: every figure as SVG and PNG plus an index page, from a generated dataset, from
// `earshot features` output and from the paper's dataset; bad input answered with exit 2 and one line.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CliIo } from '../../appliance/src/cli/cli-io.js';
import { runCli } from '../../appliance/src/cli/main.js';
import { demoSession, micTimelineCsv, sessionToPcap } from '../../sim/src/echo-session.js';
import { figureFixture, writeFigureFixture } from '../support/figure-fixture.js';
import { sharedDataDir } from '../support/shared-data.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-figures-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is not a PNG`);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const counts = (svg: string): number[] => [...svg.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]));

test('figures over a generated dataset writes every figure as SVG and PNG and an index that shows them all', async () => {
  const data = writeFigureFixture(join(dir, 'fixture'));
  const out = join(dir, 'fixture-figures');
  const { code, stderr } = await cli('figures', data, '-o', out);
  assert.equal(code, 0, stderr);
  const svgs = readdirSync(out).filter((f) => f.endsWith('.svg')).map((f) => f.slice(0, -4));
  for (const id of ['fig05-class-distribution', 'fig06-class-distribution-5pct-ack', 'class-mix-per-context', 'fig07-length-by-class', 'fig08-length-justified', 'fig09-length-not-justified', 'fig10-length-expected', 'fig11-mic-by-class', 'fig12-synchronized', 'fig13-ack-flag', 'fig14-highest-layer', 'timeseries-microphone_mute-01', 'timeseries-no_wake_word-02']) {
    assert.ok(svgs.includes(id), `${id}.svg is missing (got ${svgs.join(', ')})`);
  }
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  for (const id of svgs) {
    assert.ok(index.includes(`src="${id}.svg"`), `index.html does not show ${id}`);
    assert.ok(index.includes(`href="${id}.png"`), `index.html does not link ${id}.png`);
    // 760x440 drawn at 1.5x.
    assert.deepEqual(pngSize(join(out, `${id}.png`)), { width: 1140, height: 660 });
  }
  const rows = figureFixture().flatMap((f) => f.rows);
  assert.equal(counts(readFileSync(join(out, 'fig05-class-distribution.svg'), 'utf8')).reduce((a, b) => a + b, 0), rows.length);
  assert.match(index, new RegExp(`${rows.length} packets from 3 files`));
  assert.match(stderr, /not drawn: frame-vs-payload/);
  assert.doesNotMatch(stderr, /byte-for-byte copy/);
});

test('figures over `earshot features` output draws frame length against payload length', async () => {
  const session = demoSession();
  const capture = join(dir, 'demo.pcap');
  const mic = join(dir, 'mic.csv');
  writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
  writeFileSync(mic, micTimelineCsv(session.mic));
  mkdirSync(join(dir, 'recorded'));
  const csv = join(dir, 'recorded', 'demo.csv');
  const withMic = await cli('features', capture, '--mic', mic, '-o', csv);
  assert.equal(withMic.code, 0, withMic.stderr);
  const noMic = join(dir, 'recorded', 'demo-no-mic.csv');
  assert.equal((await cli('features', capture, '-o', noMic)).code, 0);

  const out = join(dir, 'recorded-figures');
  const { code, stderr } = await cli('figures', csv, noMic, '-o', out, '--no-png');
  assert.equal(code, 0, stderr);
  const svg = readFileSync(join(out, 'frame-vs-payload.svg'), 'utf8');
  const points = [...svg.matchAll(/data-x="(\d+)" data-y="(\d+)" data-count="(\d+)"/g)].map((m) => m.slice(1).map(Number));
  assert.ok(points.length > 3, 'a handful of distinct (frame, payload) pairs');
  // Over Ethernet/IPv4/TCP a frame is at least 54 bytes longer than its TCP payload.
  for (const [frame, payload] of points) assert.ok(frame - payload >= 54, `frame ${frame} vs payload ${payload}`);
  const rows = readFileSync(csv, 'utf8').trimEnd().split('\n').length - 1 + readFileSync(noMic, 'utf8').trimEnd().split('\n').length - 1;
  assert.equal(points.reduce((a, p) => a + p[2], 0), rows);
  // Without a mic timeline the rows say nothing about the mic: drawn as unknown, not as muted.
  assert.match(readFileSync(join(out, 'fig11-mic-by-class.svg'), 'utf8'), /data-series="microphone unknown"/);
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.png')).length, 0, '--no-png writes no PNG');
});

describe('figures refuses bad input with exit 2 and one line naming the file and field', () => {
  const refuse = async (expected: RegExp, ...argv: string[]): Promise<void> => {
    const { code, stderr } = await cli('figures', ...argv);
    assert.equal(code, 2, stderr);
    assert.match(stderr.trimEnd(), expected);
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  };

  test('a missing file', () => refuse(/^earshot figures: .*absent\.csv: cannot read dataset: no such file$/m, join(dir, 'absent.csv'), '-o', join(dir, 'x')));
  test('a CSV that is not a dataset', () => {
    writeFileSync(join(dir, 'mic-timeline.csv'), 'time,state\n0,muted\n');
    return refuse(/mic-timeline\.csv: line 1: missing column\(s\) date, length/, join(dir, 'mic-timeline.csv'), '-o', join(dir, 'x'));
  });
  test('a bad field deep in a file', () => {
    const head = 'date,length,highest_layer,ack_flag,microphone,synchronized,class';
    writeFileSync(join(dir, 'bad-field.csv'), `${head}\n2022-01-15 12:00:00.5,66,1,1,1,1,ack\n2022-01-15 12:00:01.5,66,1,yes,1,1,ack\n`);
    return refuse(/bad-field\.csv: line 3: field "ack_flag" is not a number \("yes"\)$/, join(dir, 'bad-field.csv'), '-o', join(dir, 'x'));
  });
  test('no -o', () => refuse(/-o OUT_DIR is required/, join(dir, 'bad-field.csv')));
});

test('figures refuses an unknown option with exit 2 and its usage', async () => {
  const { code, stderr } = await cli('figures', join(dir, 'bad-field.csv'), '-o', join(dir, 'x'), '--png-size', '3');
  assert.equal(code, 2);
  assert.match(stderr, /unknown option '--png-size'.*\nusage: earshot figures \[DATASET\.\.\.\] \[options\]/s);
});

test('figures over the paper\'s dataset counts what the paper\'s text says', async (t) => {
  const data = sharedDataDir('paper-dataset');
  if (!data) return t.skip('the paper dataset is absent');
  const out = join(dir, 'paper-figures');
  const { code, stderr } = await cli('figures', data, '-o', out);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /figures from 62630 rows in 13 files/);
  assert.match(stderr, /note: no_wake_word\/05\.csv is a byte-for-byte copy of microphone_mute\/03\.csv/);
  // Section 5.5.1: ack 48252, expected 4813, syn 2888, handshake 1751, retransmit 1457,
  // not_justified 1361, justified 1316, not_relevant 792 (in earshot's class order below).
  assert.deepEqual(counts(readFileSync(join(out, 'fig05-class-distribution.svg'), 'utf8')), [1751, 2888, 48252, 1457, 792, 4813, 1316, 1361]);
  assert.deepEqual(counts(readFileSync(join(out, 'fig06-class-distribution-5pct-ack.svg'), 'utf8')), [1751, 2888, 2413, 1457, 792, 4813, 1316, 1361]);
  // Section 5.5.2: justified on 1316 / off 0, not_justified on 886 / off 475. The expected bars
  // hold music_stream/03.csv's 518 rows labelled expected with microphone=0 (docs/figures.md).
  const mic = readFileSync(join(out, 'fig11-mic-by-class.svg'), 'utf8');
  const bar = (cls: string, series: string): number => Number(new RegExp(`data-category="${cls}" data-series="${series}" data-count="(\\d+)"`).exec(mic)?.[1]);
  assert.deepEqual([bar('justified', 'microphone on'), bar('justified', 'microphone off'), bar('not_justified', 'microphone on'), bar('not_justified', 'microphone off')], [1316, 0, 886, 475]);
  assert.ok(bar('expected', 'microphone off') >= 518);
  // Fig. 12: "Synchronized: 16791", counted after thinning the acks.
  assert.deepEqual(counts(readFileSync(join(out, 'fig12-synchronized.svg'), 'utf8')), [16791]);
  for (const f of ['index.html', 'timeseries-music_stream-03.png', 'fig14-highest-layer.png']) assert.ok(existsSync(join(out, f)), f);
});
