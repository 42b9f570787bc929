// The status page in a real browser, live: the simulator's Echo uploads over real TLS while the
// ring is muted, `earshot run` captures it in the box namespace and serves the page on the box's
// loopback, and Debian's chromium (playwright-core, the system binary) in the same namespace
// watches the alert appear, acknowledges it with the token, sees the chart draw with a muted band,
// and saves a screenshot. Everything runs in namespaces this test makes and is gone afterwards.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { liveUnavailableReason } from '../../sim/src/netns-lab.js';
import { ChildLines, inNamespace, stopChild } from '../support/child-lines.js';
import { liveMutedUpload } from '../support/live-muted-upload.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { CHROMIUM_PATH } from '../support/status-page-browser-path.js';

const skip = liveUnavailableReason() ?? (existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is missing (apt-get install chromium; make apt-deps does)`);
if (skip) console.log(`skipping the status page browser test: ${skip}`);

const TOKEN = 'status-page-browser-test-token';
const PORT = 8080;
const SCREENSHOT = join(REPO_ROOT, 'out', 'status-page-browser-test.png');

describe('the status page in a browser, live', { skip, timeout: 240_000 }, () => {
  test('a muted upload appears on an open page as a critical alert, is acknowledged with the token, and the chart draws over a muted band', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-page-e2e-'));
    const live = liveMutedUpload(dir);
    const config = join(dir, 'earshot.json');
    const statePath = join(dir, 'state.json');
    writeFileSync(
      config,
      JSON.stringify({ id: 'page', capture: { interface: 'lan0' }, device: { ip: '192.0.2.10' }, mic: { timeline: live.micFile }, state: { path: statePath }, status_page: { bind: '127.0.0.1', port: PORT, token: TOKEN } }),
    );
    mkdirSync(join(REPO_ROOT, 'out'), { recursive: true });
    rmSync(SCREENSHOT, { force: true });
    let service: ChildLines | undefined;
    let browser: ChildLines | undefined;
    try {
      await live.run({
        onBoxReady: async ({ namespace }) => {
          service = inNamespace(namespace, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'appliance/src/cli/bin.ts'), 'run', '--config', config]);
          await service.waitFor((l) => l.includes(`status page: http://127.0.0.1:${PORT}/`), 30_000, 'the status page to listen');
          await service.waitFor((l) => /: capturing /.test(l), 30_000, 'earshot run to capture');
          browser = inNamespace(namespace, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/support/status-page-browser.ts'), `http://127.0.0.1:${PORT}/`, TOKEN, SCREENSHOT]);
          // The page is open and its stream connected before the Echo sends anything.
          await browser.waitFor((l) => l.includes('"event":"loaded"') || l.includes('"event":"error"'), 60_000, 'the page to load');
        },
        beforeTeardown: async () => {
          await browser!.waitFor((l) => /"event":"(done|error)"/.test(l) || l.startsWith('(exited'), 150_000, 'the browser to finish');
          await stopChild(browser);
          await stopChild(service);
        },
      });
      const events = browser!.events;
      const failed = events.find((e) => e.event === 'error');
      assert.equal(failed, undefined, `the browser: ${JSON.stringify(failed)}\nservice:\n${service!.lines.slice(-10).join('\n')}`);
      const loaded = events.find((e) => e.event === 'loaded')!;
      assert.equal(loaded.alerts, 0, 'no alert before the upload: the one that shows came in live');
      const alert = events.find((e) => e.event === 'alert') as { cells: string[]; verdict: string; ring: string };
      const [, severity, reason, , latency, blocked] = alert.cells;
      assert.equal(severity, 'critical');
      assert.match(reason, /muted/);
      assert.ok(Number(/^(\d+) ms$/.exec(latency)?.[1]) <= 1000, `latency shown: ${latency}`);
      assert.equal(blocked, 'No', 'no access point here, so nothing was blocked');
      assert.match(alert.verdict, /muted/);
      assert.ok(events.some((e) => e.event === 'acknowledged'), 'the Acknowledge button worked with the token');
      const chart = events.find((e) => e.event === 'chart') as { points: number; linePoints: number; mutedWidth: number; mutedFill: string; bands: string[] };
      assert.ok(chart.points >= 5 && chart.linePoints === chart.points, `the line has a vertex per sample: ${JSON.stringify(chart)}`);
      assert.ok(chart.mutedWidth > 0, 'the muted band has a width');
      assert.equal(chart.mutedFill, 'rgb(192, 57, 43)', 'muted is drawn in muted red');
      const done = events.find((e) => e.event === 'done') as { problems: string[] };
      assert.deepEqual(done.problems, [], 'no script errors and nothing failed to load');
      assert.ok(existsSync(SCREENSHOT), 'the screenshot was saved');
      console.log(`status page screenshot: ${SCREENSHOT}`);
      // The acknowledgement went through the service into the state file, as HA's button does.
      const stored = JSON.parse(readFileSync(statePath, 'utf8')) as { alerts: { severity: string; acknowledged: boolean }[] };
      assert.deepEqual(stored.alerts.map((a) => [a.severity, a.acknowledged]), [['critical', true]]);
    } finally {
      await stopChild(browser, 'SIGKILL');
      await stopChild(service, 'SIGKILL');
      await live.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
