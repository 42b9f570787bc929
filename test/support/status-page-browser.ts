// A headless Debian chromium, driven by playwright-core, looking at the status page. It runs as a
// child inside the box's namespace (`ip netns exec`), where the page listens on loopback, and
// reports what it saw as JSON lines on stdout: {"event":"loaded"}, {"event":"alert",...},
// {"event":"acknowledged"}, {"event":"chart",...}, {"event":"done"} or {"event":"error",...}.
// Never downloads a browser: the system binary or nothing.
//
// Usage: status-page-browser.ts URL TOKEN SCREENSHOT.png

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH } from './status-page-browser-path.js';

// These run in the page, not in Node: the project's types have no DOM, so they are declared here only.
declare const document: any;
declare function getComputedStyle(element: unknown): { fill: string };

const [url, token, screenshot] = process.argv.slice(2);
const say = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

const profile = mkdtempSync(join(tmpdir(), 'earshot-chromium-'));
// Playwright passes a persistent context's folder as --user-data-dir: a fresh one per run.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  // The stream is open once the header says so.
  await page.waitForSelector('#link:not(.off)', { timeout: 30_000 });
  say({ event: 'loaded', alerts: await page.locator('#alerts tbody tr').count() });

  const row = page.locator('#alerts tbody tr.critical').first();
  await row.waitFor({ timeout: 120_000 });
  const cells = await row.locator('td').allTextContents();
  say({ event: 'alert', cells, verdict: await page.textContent('#verdict-text'), ring: await page.textContent('#ring-state') });

  // An action: the token from the config, then the row's Acknowledge button.
  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
  await row.locator('button.ack').click();
  await page.waitForFunction(() => document.querySelector('#alerts tbody tr.critical td:last-child')?.textContent === 'Acknowledged', undefined, { timeout: 15_000 });
  say({ event: 'acknowledged' });

  // The chart has drawn a line over several points and a muted band behind it.
  await page.waitForFunction(() => Number(document.querySelector('#chart')?.getAttribute('data-points') ?? 0) >= 5 && document.querySelector('#chart rect.band.muted') !== null, undefined, { timeout: 60_000 });
  const chart = await page.evaluate(() => {
    const line = document.querySelector('#chart polyline.rate');
    const muted = document.querySelector('#chart rect.band.muted');
    return {
      points: Number(document.querySelector('#chart')!.getAttribute('data-points')),
      linePoints: (line?.getAttribute('points') ?? '').trim().split(/\s+/).length,
      mutedWidth: Number(muted?.getAttribute('width') ?? 0),
      mutedFill: muted ? getComputedStyle(muted).fill : '',
      bands: [...document.querySelectorAll('#chart rect.band')].map((r: any) => r.getAttribute('data-state')),
    };
  });
  say({ event: 'chart', ...chart });
  await page.screenshot({ path: screenshot, fullPage: true });
  say({ event: 'done', screenshot, problems });
} catch (error) {
  say({ event: 'error', message: (error as Error).message.split('\n')[0] });
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
