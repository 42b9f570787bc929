import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EARSHOT_VERSION } from '../../appliance/src/version.js';

test('EARSHOT_VERSION, as published to Home Assistant, equals the version in package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(EARSHOT_VERSION, pkg.version);
});
