// The simulator's main shapes held to documented bounds (docs/simulator.md): heartbeat period and
// size, voice cadence, the share of ACKs while streaming, and per-class frame lengths. Against the
// summary numbers recorded in test/fixtures/sim-paper-reference.json, and, when ../shared/data is
// here, against the paper's dataset itself (which must still give those recorded numbers).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadEchoPcaps, loadPaperDataset } from '../../sim/src/cli/simulate-report.js';
import { referenceSummary, SHAPE_BOUNDS, type ReferenceSummary } from '../../sim/src/realism-report.js';
import { classSamples, ksStatistic, median, shapesOf, type DatasetRow, type Shapes } from '../../sim/src/realism-stats.js';
import { REPO_ROOT, sharedDataDir } from '../support/shared-data.js';
import { featureRows, iso, simulate, type SimulatedRun } from '../support/sim-run.js';

const reference = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/sim-paper-reference.json'), 'utf8')) as ReferenceSummary;
/** How far a simulated shape may sit from the paper's recorded one. */
const TOLERANCE: Partial<Record<keyof Shapes, number>> = {
  avsHeartbeatPeriodS: 0.5,
  metricsHeartbeatPeriodS: 1.5,
  spotifySyncPeriodS: 0.5,
  voiceCadenceMs: 4,
  streamingAckShare: 0.06,
};
const MAIN_CLASSES = ['ack', 'handshake', 'retransmit', 'syn', 'expected'];

describe('realism of the simulated traffic', { timeout: 120_000 }, () => {
  let run: SimulatedRun;
  let rows: DatasetRow[];
  let shapes: Shapes;
  before(async () => {
    run = await simulate(['--scenario', 'no-wake-word,conversation,streaming', '--duration', '900', '--seed', '2']);
    rows = await featureRows(run);
    const streaming = run.truth.segments.filter((s) => s.scenario.startsWith('music-')).map((s) => [iso(s.start), iso(s.end)]);
    shapes = shapesOf([rows], [rows.filter((r) => streaming.some(([a, b]) => r.timeUs >= a && r.timeUs < b))]);
  });
  after(() => run?.remove());

  test('the heartbeats, the voice cadence and the ACK share while streaming stay within the documented bounds', () => {
    for (const [key, [low, high]] of Object.entries(SHAPE_BOUNDS) as [keyof Shapes, [number, number]][]) {
      assert.ok(shapes[key] >= low && shapes[key] <= high, `${key} = ${shapes[key]}, outside ${low}-${high}`);
    }
  });

  test("those shapes sit within tolerance of the paper's recorded numbers", () => {
    for (const [key, tolerance] of Object.entries(TOLERANCE) as [keyof Shapes, number][]) {
      const paper = reference.paper.shapes[key];
      assert.ok(Math.abs(shapes[key] - paper) <= tolerance, `${key}: simulated ${shapes[key]}, paper ${paper} (±${tolerance})`);
    }
    assert.equal(shapes.avsHeartbeatFrame, reference.paper.shapes.avsHeartbeatFrame);
  });

  test("the main classes' median frame lengths are the paper's recorded ones within 15%", () => {
    const samples = classSamples(rows);
    for (const cls of MAIN_CLASSES) {
      const simulated = median(samples.get(cls)?.lengths ?? []);
      const paper = reference.paper.classes[cls].lengthP10P50P90[1];
      assert.ok(Math.abs(simulated - paper) <= 0.15 * paper, `${cls}: median frame ${simulated}, paper ${paper}`);
    }
  });

  const paperDir = sharedDataDir('paper-dataset');
  const pcapDir = sharedDataDir('echo-pcaps');
  test("with the paper's dataset at hand: frame lengths of the main classes are within KS 0.3 of the paper's", { skip: !paperDir && 'the paper dataset is absent' }, () => {
    const paperSamples = new Map();
    for (const f of loadPaperDataset(paperDir!)) classSamples(f.rows, paperSamples);
    const samples = classSamples(rows);
    for (const cls of MAIN_CLASSES) {
      const ks = ksStatistic(samples.get(cls)!.lengths, paperSamples.get(cls).lengths);
      assert.ok(ks <= 0.3, `${cls}: KS ${ks.toFixed(3)}`);
    }
  });

  test('with the shared data at hand: it still gives the numbers recorded in the fixture', { skip: (!paperDir || !pcapDir) && 'the shared data is absent' }, async () => {
    const fresh = referenceSummary(loadPaperDataset(paperDir!), await loadEchoPcaps(pcapDir!));
    assert.deepEqual(JSON.parse(JSON.stringify(fresh)), reference);
  });
});
