// The pure parts of `earshot figures`: reading dataset rows, the statistics behind each figure,
// and the SVG they draw (its data-* attributes carry the drawn numbers).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFigureCsv, parsePaperDate, type FigureRow } from '../../appliance/src/figures/figure-dataset.js';
import { boxStats, bytesPerSecond, histogram, keepEveryNthAck, micOffSpans } from '../../appliance/src/figures/figure-stats.js';
import { buildFigures, timeBinFor } from '../../appliance/src/figures/paper-figures.js';
import { maxOf, niceTicks } from '../../appliance/src/figures/svg-plot.js';
import { figureFixture, fixtureCsv } from '../support/figure-fixture.js';

const row = (timeS: number, packetClass: FigureRow['packetClass'], length = 66, microphone: 0 | 1 | undefined = 1): FigureRow => ({
  timeS,
  length,
  payload: undefined,
  microphone,
  ackFlag: 1,
  highestLayer: 0,
  synchronized: 1,
  packetClass,
});

const attrs = (svg: string, name: string): number[] => [...svg.matchAll(new RegExp(`${name}="([^"]+)"`, 'g'))].map((m) => Number(m[1]));

describe('reading a dataset CSV for figures', () => {
  it('reads the paper\'s dates as UTC with microseconds', () => {
    assert.equal(parsePaperDate('2022-01-15 12:57:32.384759'), Date.UTC(2022, 0, 15, 12, 57, 32) / 1000 + 0.384759);
    assert.equal(parsePaperDate('15/01/2022 12:57'), undefined);
  });

  it('maps the paper\'s labels to earshot\'s classes and keeps every row', () => {
    const [file] = figureFixture();
    const capture = parseFigureCsv(fixtureCsv(file.rows), file.name, 'microphone_mute');
    assert.equal(capture.rows.length, file.rows.length);
    assert.equal(capture.rows.filter((r) => r.packetClass === 'heartbeat').length, file.rows.filter((r) => r.label === 'syn').length);
    assert.equal(capture.hasPayload, false);
  });

  it('treats an empty microphone field (no mic sensor) as unknown, not as muted', () => {
    const csv = 'date,length,highest_layer,ack_flag,microphone,synchronized,class,payload\n2022-01-15 12:00:00.5,120,0,1,,1,justified,54\n';
    const [r] = parseFigureCsv(csv, 'x.csv', 'x').rows;
    assert.equal(r.microphone, undefined);
    assert.equal(r.payload, 54);
  });

  it('names the file, the line and the field of a bad value in one line', () => {
    const bad = (csv: string): string => {
      try {
        parseFigureCsv(csv, 'rec/01.csv', 'rec');
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const head = 'date,length,highest_layer,ack_flag,microphone,synchronized,class\n';
    assert.equal(bad(`${head}2022-01-15 12:00:00.5,abc,0,1,1,1,ack\n`), 'rec/01.csv: line 2: field "length" is not a number ("abc")');
    assert.equal(bad(`${head}2022-01-15 12:00:00.5,66,0,1,1,1,ack\n2022-01-15 12:00:01,66,0,1,1,1,hello\n`), 'rec/01.csv: line 3: field "class" has the unknown label "hello"');
    assert.match(bad(`${head}yesterday,66,0,1,1,1,ack\n`), /^rec\/01\.csv: line 2: field "date" is not a date/);
    assert.match(bad('date,length\n'), /^rec\/01\.csv: line 1: missing column\(s\) highest_layer, ack_flag, microphone, synchronized, class/);
    for (const message of [bad(`${head}x,66,0,1,1,1,ack\n`), bad('')]) assert.ok(!message.includes('\n'), message);
  });
});

describe('the numbers behind the figures', () => {
  it('keeps every 20th ack as the paper\'s 5% (48252 acks -> 2413) and every other row', () => {
    const rows = [...Array.from({ length: 48252 }, (_, i) => row(i, 'ack')), row(0, 'expected'), row(1, 'heartbeat')];
    const kept = keepEveryNthAck(rows);
    assert.equal(kept.filter((r) => r.packetClass === 'ack').length, 2413);
    assert.equal(kept.length, 2415);
  });

  it('bins lengths in fixed-width bins up to the largest', () => {
    const bins = histogram([0, 19, 20, 66, 1514], 20);
    assert.equal(bins.length, 76);
    assert.deepEqual(bins.slice(0, 4).map((b) => b.count), [2, 1, 0, 1]);
    assert.equal(bins[75].count, 1);
    assert.equal(bins.reduce((a, b) => a + b.count, 0), 5);
  });

  it('gives quartiles by linear interpolation', () => {
    assert.deepEqual(boxStats([1, 2, 3, 4]), { count: 4, min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4 });
    assert.equal(boxStats([]), undefined);
  });

  it('holds a muted row\'s state until the next row, so a muted stretch is one band', () => {
    const rows = [row(100, 'ack', 66, 1), row(110, 'ack', 66, 0), row(111, 'ack', 66, 0), row(140, 'ack', 66, 1), row(150, 'ack', 66, 0)];
    assert.deepEqual(micOffSpans(rows), [{ from: 10, to: 40 }]);
  });

  it('sums bytes per second from the first packet, with empty seconds present as zeros', () => {
    const bins = bytesPerSecond([row(10.5, 'ack', 66), row(10.7, 'expected', 500), row(13.1, 'ack', 66)]);
    assert.deepEqual(bins.map((b) => [b.t, b.bytes, b.appBytes]), [[0, 566, 500], [1, 0, 0], [2, 66, 0]]);
  });

  it('widens time bins so a long recording stays under 1500 points', () => {
    assert.equal(timeBinFor(600), 1);
    assert.equal(timeBinFor(7200), 5);
    assert.ok(86400 / timeBinFor(86400) < 1500);
  });

  it('finds the largest of a long array without spreading it', () => {
    assert.equal(maxOf(Array.from({ length: 500_000 }, (_, i) => i), 1), 499_999);
    assert.deepEqual(niceTicks(0, 48252), [0, 10000, 20000, 30000, 40000, 50000]);
  });
});

describe('the figures drawn from a dataset', () => {
  const files = figureFixture();
  const captures = files.map((f) => parseFigureCsv(fixtureCsv(f.rows), f.name, f.name.split('/')[0]));
  const set = buildFigures(captures);
  const all = files.flatMap((f) => f.rows);
  const byId = (id: string): string => set.figures.find((f) => f.id === id)?.svg ?? assert.fail(`no figure ${id}`);

  it('draws Fig. 5 with one bar per class whose counts add up to every row', () => {
    const counts = attrs(byId('fig05-class-distribution'), 'data-count');
    assert.equal(counts.length, 8);
    assert.equal(counts.reduce((a, b) => a + b, 0), all.length);
    assert.equal(counts[2], all.filter((r) => r.label === 'ack').length);
  });

  it('draws Fig. 11 with the muted capture\'s uploads as not_justified with the mic off', () => {
    const svg = byId('fig11-mic-by-class');
    const off = [...svg.matchAll(/data-category="not_justified" data-series="microphone off" data-count="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(off, [all.filter((r) => r.label === 'not_justified' && r.microphone === 0).length]);
    assert.ok(off[0] > 0);
  });

  it('draws one time series per capture, with the muted capture banded and its bytes summed', () => {
    const series = set.figures.filter((f) => f.id.startsWith('timeseries-'));
    assert.deepEqual(series.map((f) => f.id), ['timeseries-microphone_mute-01', 'timeseries-no_wake_word-01', 'timeseries-no_wake_word-02']);
    assert.match(series[0].svg, /data-band="microphone off"/);
    assert.doesNotMatch(series[1].svg, /data-band=/);
    const sums = attrs(series[1].svg, 'data-sum');
    assert.equal(sums[0], files[1].rows.reduce((a, r) => a + r.length, 0));
  });

  it('skips frame vs payload, with the reason, when no file has a payload column', () => {
    assert.deepEqual(set.skipped.map((s) => s.id), ['frame-vs-payload']);
  });
});
