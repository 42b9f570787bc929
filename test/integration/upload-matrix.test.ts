// Issue 14's matrix in `make test`: uploads and non-uploads from real client stacks (curl,
// nghttp, Node's http2, openssl s_client, Python ssl and UDP) captured live by tcpdump in the
// upload lab's namespaces, then judged by `earshot replay` under a muted, an idle and a listening
// ring. None of these stacks is ours, so a detector tuned to the simulator's framing fails here.
// About 3 minutes; `make bench` prints the same table (bench/upload-matrix-bench.ts).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { runCapture } from '../../appliance/src/pipeline/capture-run.js';
import { netnsUnavailableReason } from '../support/netns.js';
import { UploadLab } from '../support/upload-lab.js';
import { captureShapes, judgeCaptures, simulatedHeartbeatHour, type CaptureToJudge } from '../support/upload-matrix.js';
import { UPLOAD_SHAPES } from '../support/upload-shapes.js';
import { formatMatrix, type MatrixRow } from '../support/upload-verdicts.js';

const missing = ['tcpdump', 'tshark', 'curl', 'nghttp', 'openssl', 'python3', 'socat'].find((command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0);
const skip = netnsUnavailableReason() ?? (missing ? `${missing} is not installed` : undefined);
if (skip) console.log(`skipping the upload matrix: ${skip}`);

describe('uploads from real client stacks, judged under each ring state', { skip }, () => {
  let lab: UploadLab | undefined;
  let rows: MatrixRow[] = [];
  let captures: CaptureToJudge[] = [];

  before(async () => {
    lab = await UploadLab.create();
    captures = await captureShapes(lab, UPLOAD_SHAPES);
    captures.push(await simulatedHeartbeatHour(lab.dir));
    rows = await judgeCaptures(lab.dir, captures);
    console.log(formatMatrix(rows));
  });

  after(async () => {
    await lab?.cleanup();
  });

  const rowsOf = (state: string, kind: 'upload' | 'negative') => rows.filter((r) => r.state === state && r.kind === kind);
  const wrong = (list: MatrixRow[]) => list.filter((r) => !r.judged.right).map((r) => `${r.name}: ${r.judged.why}`);

  test('every upload while the ring is muted is a critical alert within a second of its first payload packet', () => {
    const muted = rowsOf('muted', 'upload');
    assert.ok(muted.length >= 14, `only ${muted.length} upload shapes were judged`);
    assert.deepEqual(wrong(muted), []);
  });

  test('every upload while the ring is idle is a warning', () => {
    assert.deepEqual(wrong(rowsOf('idle', 'upload')), []);
  });

  test('no upload while the Echo is listening raises an alert', () => {
    assert.deepEqual(wrong(rowsOf('listening', 'upload')), []);
  });

  test('downloads, reconnects, telemetry and an hour of heartbeats raise no alert in any ring state', () => {
    const negatives = rows.filter((r) => r.kind === 'negative');
    assert.ok(negatives.length >= 15, `only ${negatives.length} negative rows`);
    assert.deepEqual(wrong(negatives), []);
  });

  test('every muted upload over UDP or split across two connections is caught like any other', () => {
    const udp = rows.find((r) => r.state === 'muted' && /UDP/.test(r.stack));
    const split = rows.find((r) => r.state === 'muted' && /another server/.test(r.shape));
    assert.ok(udp && split, 'the matrix lost its UDP or its two-connection shape');
    for (const row of [udp, split]) assert.ok(row.judged.right && row.alerts.some((a) => a.severity === 'critical'), `${row.name}: ${row.judged.why}`);
  });

  test('uploads dressed as heartbeats are labelled heartbeats by the paper\'s rules, and judged as uploads all the same', async () => {
    for (const name of ['python-tls-heartbeat-dressed', 'python-tcp-4070-bulk', 'python-tcp-4070-16k']) {
      const capture = captures.find((c) => c.name === name);
      assert.ok(capture, `the matrix lost ${name}`);
      // The framing reached the labels (else this row would prove nothing about it) ...
      const run = await runCapture(new FileSource(capture.file), { device: { ip: capture.device } });
      const { heartbeat, justified: data } = run.pipeline.counts.byClass; // no ring: app data is 'justified'
      assert.ok(heartbeat >= 50 && heartbeat > 10 * data, `${name}: ${heartbeat} heartbeat, ${data} app-data labels`);
      // ... and the judge still counted the bytes: critical while muted.
      const muted = rows.find((r) => r.name === name && r.state === 'muted')!;
      assert.ok(muted.judged.right && muted.alerts.some((a) => a.severity === 'critical'), `${name}: ${muted.judged.why}`);
    }
  });
});
