// `earshot run` refuses to start on a bad config: exit 2, one line naming the field and the value.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../appliance/src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'earshot-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(config: string, name = 'earshot.yaml'): Promise<{ code: number; stderr: string }> {
  const file = join(dir, name);
  writeFileSync(file, config);
  let stderr = '';
  const code = await runCli(['run', '--config', file], { stdout: () => {}, stderr: (t) => void (stderr += t) });
  return { code, stderr };
}

test('an invalid MQTT URL stops the service before it starts, naming the field and the value', async () => {
  const { code, stderr } = await run('mqtt:\n  url: htp://x\n');
  assert.equal(code, 2);
  assert.equal(stderr.trimEnd().split('\n').length, 1);
  assert.match(stderr, /earshot\.yaml: mqtt\.url: expected an mqtt:\/\/ or mqtts:\/\/ URL \(got 'htp:\/\/x'\)/);
});

test('a config that is not valid YAML is reported with the file and no stack trace', async () => {
  const { code, stderr } = await run('mqtt: [unclosed\n');
  assert.equal(code, 2);
  assert.match(stderr, /earshot\.yaml: file: not valid YAML/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});

test('a misspelt setting is named with the settings that exist there', async () => {
  const { code, stderr } = await run('{"judge": {"grace": 10}}', 'earshot.json');
  assert.equal(code, 2);
  assert.match(stderr, /earshot\.json: judge\.grace: unknown setting \(known here: grace_s\)/);
});

test('a password is never echoed in an error, only its length', async () => {
  const { code, stderr } = await run('mqtt:\n  url: mqtt://127.0.0.1:1\n  password: 123456\n');
  assert.equal(code, 2);
  assert.match(stderr, /mqtt\.password: expected a string \(got 6 characters\)/);
  assert.doesNotMatch(stderr, /123456/);
});

test('a config file that does not exist is a one-line error', async () => {
  let stderr = '';
  const code = await runCli(['run', '--config', join(dir, 'absent.yaml')], { stdout: () => {}, stderr: (t) => void (stderr += t) });
  assert.equal(code, 2);
  assert.match(stderr, /absent\.yaml: cannot read config: no such file/);
});
