// The service's systemd unit: it verifies, and its hardening keeps the exposure score at or
// below 3.0 (systemd-analyze's own scale, 0 safest to 10).

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/shared-data.js';

const UNIT = join(REPO_ROOT, 'appliance/systemd/earshot.service');

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
}

test('the service unit has an exposure score of at most 3.0', (t) => {
  if (!hasSystemdAnalyze()) return t.skip('systemd-analyze is not installed');
  const out = execFileSync('systemd-analyze', ['security', '--offline=true', UNIT], { encoding: 'utf8' });
  const score = Number(/Overall exposure level for earshot\.service: ([\d.]+)/.exec(out)?.[1]);
  console.log(`exposure score ${score}`);
  assert.ok(score <= 3.0, `exposure ${score}`);
});

test('the service unit is Type=notify with a watchdog and only the capabilities capture and nftables need', (t) => {
  if (!hasSystemdAnalyze()) return t.skip('systemd-analyze is not installed');
  const result = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
  const complaints = result.stderr.split('\n').filter((l) => l.includes('earshot.service') && !/is not executable|No such file/.test(l));
  assert.deepEqual(complaints, []);
  const unit = execFileSync('cat', [UNIT], { encoding: 'utf8' });
  for (const line of ['Type=notify', 'NotifyAccess=all', 'WatchdogSec=30', 'User=earshot', 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN', 'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN', 'NoNewPrivileges=yes']) {
    assert.ok(unit.split('\n').includes(line), line);
  }
});
