import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { FIXTURE_DIR, generateFixtures } from '../fixtures/gpio/generate.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [relative(FIXTURE_DIR, path)];
  });
}

test('the committed gpio fixtures are exactly what generate.ts produces (rerun it after changing it)', () => {
  const generated = generateFixtures();
  for (const [path, text] of Object.entries(generated)) {
    assert.equal(readFileSync(join(FIXTURE_DIR, path), 'utf8'), text, `${path} differs: node --import tsx test/fixtures/gpio/generate.ts`);
  }
  const generatedDirs = new Set(Object.keys(generated).map((p) => p.split('/')[0]));
  const onDisk = [...generatedDirs].flatMap((d) => filesUnder(join(FIXTURE_DIR, d)));
  assert.deepEqual(onDisk.filter((p) => !(p in generated)), [], 'no stale fixture files');
});
