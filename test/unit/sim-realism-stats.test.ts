// The statistics behind the realism report: KS distances, quantiles, the shapes the tests hold to
// bounds, and the report's splice into docs/simulator.md.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPORT_BEGIN, REPORT_END, spliceReport } from '../../sim/src/realism-report.js';
import { classSamples, ksStatistic, parseDatasetCsv, quantiles, shapesOf, type DatasetRow } from '../../sim/src/realism-stats.js';

test('the KS distance is 0 for the same sample, 1 for disjoint ones, and the CDF gap in between', () => {
  assert.equal(ksStatistic([1, 2, 3], [3, 2, 1]), 0);
  assert.equal(ksStatistic([1, 2, 3], [10, 11]), 1);
  assert.equal(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6]), 0.5);
  assert.ok(Number.isNaN(ksStatistic([], [1])));
});

test('quantiles interpolate between order statistics', () => {
  assert.deepEqual(quantiles([10, 20, 30, 40, 50], [0, 0.5, 1]), [10, 30, 50]);
  assert.deepEqual(quantiles([0, 10], [0.25]), [2.5]);
});

const row = (seconds: number, cls: string, length: number, dstport = 443, dstip = '198.51.100.20'): DatasetRow => ({ timeUs: 1e15 + seconds * 1e6, length, dstip, dstport, cls });

test('shapes read the heartbeat period per destination and the voice cadence inside uploads only', () => {
  const rows = [row(0, 'syn', 100), row(30, 'syn', 100), row(60.1, 'syn', 100), row(100, 'expected', 172), row(100.02, 'expected', 172), row(100.04, 'expected', 172), row(200, 'expected', 172)];
  const shapes = shapesOf([rows], [[row(0, 'ack', 66), row(1, 'ack', 66), row(2, 'expected', 172)]]);
  assert.ok(Math.abs(shapes.avsHeartbeatPeriodS - 30.05) < 1e-6);
  assert.equal(shapes.avsHeartbeatFrame, 100);
  assert.ok(Math.abs(shapes.voiceCadenceMs - 20) < 1e-6, 'the 100 s pause between uploads is not a cadence');
  assert.ok(Math.abs(shapes.streamingAckShare - 2 / 3) < 1e-9);
});

test('per-class gaps are whole milliseconds per destination and never span two captures', () => {
  const samples = classSamples([row(0, 'ack', 66), row(0.0004, 'ack', 66), row(0.0105, 'ack', 66, 80), row(0.02, 'ack', 66)]);
  assert.deepEqual(samples.get('ack')!.gapsMs, [0, 19]);
});

test("dataset CSVs parse from the paper's format and earshot's, with microseconds and payload", () => {
  const paper = parseDatasetCsv('date,length,dstip,dstport,highest_layer,delta,ack_flag,microphone,content_type,synchronized,class\n2022-01-15 11:41:21.620096,66,104.77.185.11,80,1.0,0,1,1,,1,ack\n');
  assert.deepEqual(paper, [{ timeUs: Date.UTC(2022, 0, 15, 11, 41, 21) * 1000 + 620096, length: 66, dstip: '104.77.185.11', dstport: 80, cls: 'ack' }]);
  const ours = parseDatasetCsv('date,length,dstip,dstport,highest_layer,delta,ack_flag,microphone,content_type,synchronized,class,payload\n2026-01-15 12:00:00.000001,77,203.0.113.60,4070,2,0,1,1,,1,syn,11\n');
  assert.equal(ours[0].payload, 11);
  assert.equal(ours[0].timeUs % 1e6, 1);
});

test('the report replaces its own section and leaves the hand-written text around it', () => {
  const doc = `# Title\n\nintro\n\n${REPORT_BEGIN}\nold numbers\n${REPORT_END}\n\nafter\n`;
  const updated = spliceReport(doc, 'new numbers\n');
  assert.ok(updated.includes('new numbers') && !updated.includes('old numbers'));
  assert.ok(updated.startsWith('# Title\n\nintro') && updated.endsWith('\n\nafter\n'));
  const appended = spliceReport('# Title\n', 'numbers\n');
  assert.ok(appended.includes(REPORT_BEGIN) && appended.includes('numbers'));
});
