// The app bundle as the image ships it (os-image/stage-app.sh, the files build-app.sh puts in
// /usr/lib/earshot): without the simulator and the trainer, `earshot --help` and every command's
// usage must still work, and the developer commands must say where they went, in one line.
// The bundle gets this checkout's node_modules (host-built addons) instead of build-app.sh's
// cross-built ones, which would not load here.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/shared-data.js';

describe('the shipped app bundle', { timeout: 180_000 }, () => {
  let dir: string;
  let app: string;
  const earshot = (...args: string[]) => {
    const result = spawnSync(process.execPath, [join(app, 'dist/appliance/src/cli/bin.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const noMissingModule = (text: string): void => assert.doesNotMatch(text, /ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-bundle-'));
    app = join(dir, 'app');
    const staged = spawnSync(join(REPO_ROOT, 'os-image/stage-app.sh'), [app], { encoding: 'utf8', timeout: 150_000 });
    assert.equal(staged.status, 0, staged.stderr);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(app, 'node_modules'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the product only: no simulator, no trainer', () => {
    assert.ok(existsSync(join(app, 'dist/appliance/src/cli/bin.js')) && existsSync(join(app, 'dist/gpio')));
    assert.ok(existsSync(join(REPO_ROOT, 'dist/sim/src/bin.js')), 'the build has the simulator');
    assert.equal(existsSync(join(app, 'dist/sim')), false, 'dist/sim is shipped');
    assert.equal(existsSync(join(app, 'dist/models')), false, 'dist/models/train is shipped');
  });

  it('runs as the image runs it: /usr/bin/earshot links to bin.js, which executes by its shebang', () => {
    const link = join(dir, 'earshot');
    symlinkSync(join(app, 'dist/appliance/src/cli/bin.js'), link);
    const result = spawnSync(link, ['--help'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^usage: earshot COMMAND/m);
  });

  it('answers --help with every product command and no developer one', () => {
    const { code, stdout, stderr } = earshot('--help');
    assert.equal(code, 0, stderr);
    noMissingModule(stdout + stderr);
    const commands = [...stdout.matchAll(/^ {2}earshot (\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(commands, ['replay', 'features', 'figures', 'run', 'record', 'train', 'train-report', 'ap', 'doctor', 'calibrate', 'firstboot']);
  });

  it('gives each product command a bad flag: exit 2 with its usage, nothing missing', () => {
    const { stdout } = earshot('--help');
    for (const command of [...stdout.matchAll(/^ {2}earshot (\S+)/gm)].map((m) => m[1])) {
      const result = earshot(command, '--no-such-flag');
      assert.equal(result.code, 2, `${command}: ${result.stderr}`);
      noMissingModule(result.stderr);
      assert.match(result.stderr, new RegExp(`^earshot ${command}: .*\\n?usage: earshot ${command} `, 'm'), `${command}: ${result.stderr}`);
    }
  });

  it('says in one line that training needs a developer checkout', () => {
    for (const args of [['train', 'data.csv'], ['train-report', 'paper-dataset']]) {
      const result = earshot(...args);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr, `earshot ${args[0]}: needs a developer checkout: the trainer (models/train) is not installed here, as on the box\n`);
    }
  });

  it('points demo and simulate at the developer commands', () => {
    for (const command of ['demo', 'simulate']) {
      const result = earshot(command);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`^earshot ${command}: a developer command, not part of the box: run \`[^\`]+\` in a checkout of the repository\\n$`));
    }
  });
});
