// The status page's pure model (rates, alert history, the verdict now) and its HTTP side on
// loopback: bundled assets, the SSE stream, and actions that need the token while reads need none.
// The service behind it is a small stand-in here; test/integration/status-page-browser.test.ts
// runs the real one in namespaces with a real browser.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { test } from 'node:test';
import type { JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { OpenEpisodes, pageAlerts, RateHistory, verdictNow } from '../../appliance/src/status-page/page-model.js';
import type { StoredAlert } from '../../appliance/src/stored-alert.js';
import { PAGE_SCRIPT } from '../../appliance/src/status-page/page-script.js';
import { StatusPage, type PageBox } from '../../appliance/src/status-page/status-page.js';

const alert = (id: string, severity: string, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  id, severity, time: '2026-01-15T08:24:29.400Z', start: '2026-01-15T08:24:29.100Z', dst: '198.51.100.21:443', reason: `${severity} reason`, bytes: 16000, packets: 20, acknowledged: false, ...extra,
});

test('rates are bytes per second between readings, kept to the window; a counter reset starts over', () => {
  const rates = new RateHistory(10_000);
  assert.equal(rates.add(1_000, 0, 'idle'), undefined, 'the first reading has nothing to divide');
  assert.deepEqual(rates.add(2_000, 5_000, 'muted'), { t: 2_000, bps: 5_000, mic: 'muted' });
  assert.deepEqual(rates.add(2_500, 6_000, 'muted'), { t: 2_500, bps: 2_000, mic: 'muted' });
  assert.equal(rates.add(2_500, 7_000, 'muted'), undefined, 'a clock that did not move');
  assert.equal(rates.add(3_000, 10, 'idle'), undefined, 'a reset counter');
  rates.add(20_000, 1_010, 'idle');
  assert.deepEqual(rates.window.map((s) => s.t), [20_000], 'older than the window is gone');
  const bounded = new RateHistory(1e9, 5);
  for (let t = 1; t <= 20; t++) bounded.add(t * 1000, t * 100, 'idle');
  assert.equal(bounded.window.length, 5);
});

test('alerts come newest first with their latency and whether the episode is still going', () => {
  const open = new OpenEpisodes();
  open.onJudgeEvent({ type: 'alert', id: 'b' } as JudgeEvent);
  const shown = pageAlerts([alert('a', 'warning'), alert('b', 'critical', { enforcement: 'blocked' })], open, 10);
  assert.deepEqual(shown.map((a) => [a.id, a.latency_ms, a.open, a.enforcement]), [['b', 300, true, 'blocked'], ['a', 300, false, undefined]]);
  open.onJudgeEvent({ type: 'alert_end', id: 'b' } as JudgeEvent);
  assert.equal(pageAlerts([alert('b', 'critical')], open, 10)[0].open, false);
  assert.equal(pageAlerts([alert('a', 'warning'), alert('b', 'warning')], open, 1).length, 1);
});

test('the verdict now: a critical leak beats a sensor fault, which beats a warning', () => {
  const open = new OpenEpisodes();
  const none = pageAlerts([], open, 10);
  assert.equal(verdictNow({ alerts: none, mic: 'idle', sensorFault: undefined }).level, 'ok');
  assert.equal(verdictNow({ alerts: none, mic: 'unknown', sensorFault: undefined }).level, 'warning');
  assert.equal(verdictNow({ alerts: none, mic: 'idle', sensorFault: 'dark' }).text, 'Ring sensor fault: dark');
  const warned = pageAlerts([alert('w', 'warning')], open, 10);
  assert.equal(verdictNow({ alerts: warned, mic: 'idle', sensorFault: 'dark' }).level, 'fault');
  assert.equal(verdictNow({ alerts: warned, mic: 'idle', sensorFault: undefined }).text, 'Unacknowledged warning: warning reason');
  open.onJudgeEvent({ type: 'alert', id: 'c' } as JudgeEvent);
  const leaking = pageAlerts([alert('w', 'warning'), alert('c', 'critical')], open, 10);
  assert.deepEqual(verdictNow({ alerts: leaking, mic: 'muted', sensorFault: 'dark' }), { level: 'critical', text: 'Uploading now: critical reason' });
  assert.equal(verdictNow({ alerts: pageAlerts([alert('c', 'critical', { acknowledged: true })], new OpenEpisodes(), 10), mic: 'muted', sensorFault: undefined }).level, 'ok');
});

test('the bundled browser script is valid JavaScript', () => {
  assert.doesNotThrow(() => new Script(PAGE_SCRIPT, { filename: 'page.js' }));
});

/** A stand-in for the service: what the page reads, and a log of what it was asked to do. */
function standInBox(): PageBox & { commands: unknown[]; bytes: number } {
  const box = {
    commands: [] as unknown[],
    bytes: 0,
    recording: false,
    state: { snapshot: () => ({ mic: 'muted' as const, classes: { ack: 3 }, upstream_bytes: box.bytes, capture_dropped: 0, enforcement: 'alert', recording: box.recording, alerts_total: 1, model_version: 'm1' }) },
    captureNowUs: () => Date.now() * 1000,
    ringBetween: () => 'muted' as const,
    micHealth: () => ({ source: 'timeline mic.csv', fault: undefined }),
    echoIdentity: () => ({ ip: '192.0.2.10', mac: '44:65:0d:00:00:02', connected: true }),
    recordingStatus: () => ({ recording: box.recording, dir: '/tmp/x', diskBytes: 0, maxTotalBytes: 1e6, rows: 0 }),
    setRecording: (on: boolean) => {
      box.recording = on;
      box.commands.push({ type: 'record', on });
      return true;
    },
    command: (command: unknown) => void box.commands.push(command),
  };
  return box;
}

function call(url: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function withPage(options: { token?: string; tokenFile?: string }, run: (url: string, box: ReturnType<typeof standInBox>, page: StatusPage) => Promise<void>): Promise<void> {
  const box = standInBox();
  const history = [alert('a1', 'critical')];
  const logs: string[] = [];
  const page = new StatusPage({
    config: { enabled: true, bind: '127.0.0.1', port: 0, token: options.token, token_file: options.tokenFile ?? '/nonexistent/token', chart_s: 600 },
    boxId: 'unit',
    version: '0.0.0',
    box: () => box,
    history: () => history,
    log: (_level, line) => logs.push(line),
    sampleMs: 50,
  });
  await page.start();
  try {
    assert.ok(page.url, `listening: ${logs.join('; ')}`);
    await run(page.url!, box, page);
  } finally {
    await page.stop();
  }
}

test('the page and its assets are served from the package, with a strict content security policy', async () => {
  await withPage({ token: 'a'.repeat(16) }, async (url) => {
    const html = await call(url, 'GET', '/');
    assert.equal(html.status, 200);
    assert.match(html.text, /<script src="\/page.js"/);
    assert.doesNotMatch(html.text, /https?:\/\//, 'nothing from a CDN');
    assert.equal((await call(url, 'GET', '/page.js')).type, 'text/javascript; charset=utf-8');
    const status = JSON.parse((await call(url, 'GET', '/api/status')).text);
    assert.equal(status.box.id, 'unit');
    assert.deepEqual(status.live.echo, { ip: '192.0.2.10', mac: '44:65:0d:00:00:02', connected: true });
    assert.equal(status.alerts[0].id, 'a1');
    assert.equal(status.live.verdict.level, 'critical');
    assert.equal((await call(url, 'GET', '/nope')).status, 404);
    assert.equal((await call(url, 'DELETE', '/api/status')).status, 405);
  });
});

test('actions need the token; reads do not', async () => {
  await withPage({ token: 't0ken-for-the-unit-test' }, async (url, box) => {
    assert.equal((await call(url, 'POST', '/api/acknowledge', { id: 'a1' })).status, 401);
    assert.equal((await call(url, 'POST', '/api/acknowledge', { id: 'a1' }, 'wrong-token-of-same-len')).status, 401);
    assert.deepEqual(box.commands, []);
    assert.equal((await call(url, 'POST', '/api/acknowledge', { id: 'a1' }, 't0ken-for-the-unit-test')).status, 200);
    assert.equal((await call(url, 'POST', '/api/enforcement', { on: true }, 't0ken-for-the-unit-test')).status, 200);
    assert.equal((await call(url, 'POST', '/api/recording', { on: true }, 't0ken-for-the-unit-test')).status, 200);
    assert.equal((await call(url, 'POST', '/api/recording', { on: 'yes' }, 't0ken-for-the-unit-test')).status, 400);
    assert.deepEqual(box.commands, [{ type: 'acknowledge', ids: ['a1'] }, { type: 'enforcement', on: true }, { type: 'record', on: true }]);
  });
});

test('without a token in the config the first-boot file gives it; without either, actions are off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-page-'));
  try {
    writeFileSync(join(dir, 'token'), 'from-the-first-boot-file\n');
    await withPage({ tokenFile: join(dir, 'token') }, async (url) => {
      assert.equal((await call(url, 'POST', '/api/enforcement', { on: false }, 'from-the-first-boot-file')).status, 200);
    });
    await withPage({}, async (url) => {
      const refused = await call(url, 'POST', '/api/enforcement', { on: false }, 'anything-at-all-here');
      assert.equal(refused.status, 403);
      assert.match(JSON.parse(refused.text).error, /set status_page\.token or write \/nonexistent\/token/);
      assert.equal(JSON.parse((await call(url, 'GET', '/api/status')).text).actions, false);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the event stream starts with a snapshot, then sends ticks with chart samples and new alerts at once', async () => {
  await withPage({ token: 'a'.repeat(16) }, async (url, box, page) => {
    const events: { event: string; data: any }[] = [];
    let notify = (): void => {};
    const req = request(new URL('/api/events', url), (res) => {
      let pending = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        const parts = (pending + chunk).split('\n\n');
        pending = parts.pop()!;
        for (const part of parts) {
          const event = /^event: (.*)$/m.exec(part)?.[1];
          const data = /^data: (.*)$/m.exec(part)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        notify();
      });
    });
    req.end();
    const until = (what: string, ok: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(events.map((e) => e.event))}`)), 5_000);
        notify = () => {
          if (!ok()) return;
          clearTimeout(timer);
          resolve();
        };
        notify();
      });
    try {
      await until('the snapshot', () => events.length > 0);
      assert.equal(events[0].event, 'snapshot');
      assert.equal(page.liveViews, 1);
      // After a first rate, so the counter's jump falls between two readings.
      await until('a first rate', () => events.some((e) => e.event === 'tick' && e.data.sample));
      box.bytes = 50_000;
      await until('a sample with bytes', () => events.some((e) => e.event === 'tick' && e.data.sample?.bps > 0 && e.data.sample.mic === 'muted'));
      page.onJudgeEvent({ type: 'alert', id: 'a1' } as JudgeEvent);
      await until('the open alert', () => events.some((e) => e.event === 'alerts' && e.data.alerts[0]?.open === true));
    } finally {
      req.destroy();
    }
  });
});
