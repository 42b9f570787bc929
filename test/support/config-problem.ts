// The one-line message resolveConfig throws for a config, for tests of bad configs; fails the
// test when the config is accepted.
import assert from 'node:assert/strict';
import { ConfigError, resolveConfig } from '../../appliance/src/service/load-config.js';

export function configProblem(raw: Record<string, unknown>, env: Record<string, string | undefined> = {}, file = 'x.yaml'): string {
  try {
    resolveConfig(raw, file, env, 'box');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}
