// Property: no state file content can stop the service from starting. Random JSON (seeded, so a
// failure names a reproducible case), valid states with random parts replaced, and torn or
// garbage bytes all open, restore into the service's state model with finite counters, and leave
// a state that validates cleanly. EARSHOT_FUZZ_STATES sets the number of cases (default 1500).

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ServiceStateModel } from '../../appliance/src/service/service-state.js';
import { parseStoredState, type StoredState } from '../../appliance/src/service/state-schema.js';
import { StateStore } from '../../appliance/src/service/state-store.js';
import { mulberry32 } from '../../sim/src/seeded-random.js';

const CASES = Number(process.env.EARSHOT_FUZZ_STATES ?? 1500);
const SEED = Number(process.env.EARSHOT_FUZZ_SEED ?? 17);
const root = await mkdtemp(join(tmpdir(), 'earshot-state-fuzz-'));
after(() => rm(root, { recursive: true, force: true }));

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const KEYS = ['version', 'alerts', 'counters', 'upstream_bytes', 'classes', 'alerts_total', 'id', 'severity', 'acknowledged', 'bytes', 'packets', 'syn', '__proto__', 'constructor', 'toString', ''];

function randomScalar(r: Rand): unknown {
  return pick(r, [
    () => null,
    () => r() < 0.5,
    () => Math.floor(r() * 2000) - 1000,
    () => r() * 1e20 * (r() < 0.5 ? -1 : 1),
    () => pick(r, [0, -0, 1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308]),
    () => pick(r, ['', 'lots', 'critical', 'warning', '1', 'NaN', 'x'.repeat(Math.floor(r() * 3000))]),
  ])();
}

function randomJson(r: Rand, depth: number): unknown {
  if (depth <= 0 || r() < 0.35) return randomScalar(r);
  if (r() < 0.4) return Array.from({ length: Math.floor(r() * 5) }, () => randomJson(r, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) object[pick(r, KEYS)] = randomJson(r, depth - 1);
  return object;
}

function validState(r: Rand): StoredState {
  const alerts = Array.from({ length: Math.floor(r() * 4) }, (_, i) => ({
    id: `a${i}-${Math.floor(r() * 1e12)}`,
    severity: pick(r, ['critical', 'warning']),
    time: '2026-01-15T12:00:01.000Z',
    start: '2026-01-15T12:00:00.000Z',
    dst: '198.51.100.20:443',
    reason: 'voice-like upload while muted',
    bytes: Math.floor(r() * 1e6),
    packets: Math.floor(r() * 1e3),
    acknowledged: r() < 0.5,
  }));
  return { version: 1, alerts, counters: { upstream_bytes: Math.floor(r() * 1e9), classes: { syn: 3, ack: 9 }, alerts_total: alerts.length + Math.floor(r() * 10) } };
}

/** Replaces, deletes or retypes one random part of a value. */
function mutate(r: Rand, value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || r() < 0.2 * depth) return randomJson(r, 2);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0 || r() < 0.1) {
    (copy as Record<string, unknown>)[pick(r, KEYS)] = randomJson(r, 2);
    return copy;
  }
  const key = pick(r, keys);
  if (r() < 0.15) delete (copy as Record<string, unknown>)[key];
  else (copy as Record<string, unknown>)[key] = mutate(r, (copy as Record<string, unknown>)[key], depth + 1);
  return copy;
}

function randomContent(r: Rand): string {
  const kind = r();
  if (kind < 0.3) return JSON.stringify(randomJson(r, 4)) ?? 'null';
  if (kind < 0.8) return JSON.stringify(mutate(r, validState(r)));
  const text = JSON.stringify(validState(r));
  if (kind < 0.9) return text.slice(0, Math.floor(r() * text.length)); // torn write
  return Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256))).toString('latin1');
}

test(`${CASES} random state files (seed ${SEED}): the service always starts, with finite counters and a valid state`, async () => {
  const r = mulberry32(SEED);
  let repaired = 0;
  let setAside = 0;
  for (let i = 0; i < CASES; i++) {
    const dir = join(root, `case-${i}`);
    const path = join(dir, 'state.json');
    const content = randomContent(r);
    await mkdir(dir);
    await writeFile(path, content);
    const lines: string[] = [];
    const store = new StateStore({ path, history: 5, log: (l) => lines.push(l), debounceMs: 60_000 });
    try {
      await store.open();
      // What EarshotService.run() does with it.
      const model = new ServiceStateModel({ modelVersion: 'test', enforcement: 'alert', classes: { syn: 0 }, persisted: () => store.data });
      store.countEchoPacket('syn', 100);
      const snapshot = model.snapshot();
      assert.ok(Number.isFinite(snapshot.upstream_bytes) && snapshot.upstream_bytes >= 100, `upstream_bytes ${snapshot.upstream_bytes}`);
      assert.ok(Number.isInteger(snapshot.alerts_total) && snapshot.alerts_total >= 0, `alerts_total ${snapshot.alerts_total}`);
      for (const [name, count] of Object.entries(snapshot.classes)) assert.ok(Number.isInteger(count) && count >= 0, `classes.${name} ${count}`);
      const again = parseStoredState(JSON.stringify(store.data));
      assert.ok(again.ok && again.problems.length === 0, `the loaded state validates: ${JSON.stringify(again)}`);
      assert.ok(lines.length <= 1, `at most one log line: ${lines.join(' | ')}`);
      if (lines[0]?.includes('was unreadable')) setAside++;
      else if (lines.length === 1) repaired++;
      store.recordAlert({ type: 'alert', id: 'new', severity: 'warning', time: 't', start: 's', mic: 'idle', dst: 'd', bytes: 1, packets: 1, reason: 'r', flow: { protocol: 'tcp', src: 'a', srcPort: 1, dst: 'b', dstPort: 2 }, flows: [], evidence: { rule: 'volume', peak_bytes_per_s: 0, mean_bytes_per_s: 0, downstream_ratio: 0, connections: 1, threshold_factor: 1 } });
      await store.flush();
    } catch (error) {
      assert.fail(`case ${i} (seed ${SEED}) with content ${JSON.stringify(content.slice(0, 300))}: ${(error as Error).stack}`);
    }
  }
  console.log(`${CASES} cases: ${repaired} repaired part by part, ${setAside} set aside whole, ${CASES - repaired - setAside} clean`);
  assert.ok(repaired > CASES / 10 && setAside > CASES / 10, 'the generator reaches both kinds of damage');
});
