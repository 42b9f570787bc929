import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import { runTool, spawnTool } from '../../gpio/process-tools.js';
import type { EdgeHandlers } from '../../gpio/wire/edge-source.js';
import { GpiodEdgeSource, type GpiodTools } from '../../gpio/wire/gpiod-edge-source.js';
import { fixturePath } from '../fixtures/gpio/load.js';

const dir = mkdtempSync(join(tmpdir(), 'earshot-gpiod-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let scenarios = 0;

interface Scenario {
  version: string;
  level?: boolean;
  gpiogetError?: string;
  gpiomon: Array<{ output?: string; exitCode?: number; stderr?: string }>;
}

/** Tools that are real processes playing the scenario (see fake-gpiod-tool.mjs). */
function toolsFor(scenario: Scenario): { tools: GpiodTools; log: () => string[] } {
  const file = join(dir, `scenario-${++scenarios}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  const tool = (name: string): string[] => [process.execPath, fixturePath('fake-gpiod-tool.mjs'), file, name];
  return {
    tools: { gpiomon: tool('gpiomon'), gpioget: tool('gpioget'), gpiofind: tool('gpiofind'), gpiodetect: tool('gpiodetect') },
    log: () => readFileSync(`${file}.log`, 'utf8').trim().split('\n'),
  };
}

type Event = { kind: 'initial' | 'edge'; timeMs: number; active: boolean } | { kind: 'fault'; timeMs: number; reason: string };

/** Collects events; `until(n)` resolves once n have arrived (no sleeping). */
function recorder() {
  const events: Event[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const push = (event: Event): void => {
    events.push(event);
    if (waiting && events.length >= waiting.count) waiting.resolve();
  };
  const handlers: EdgeHandlers = {
    onInitial: (timeMs, active) => push({ kind: 'initial', timeMs, active }),
    onEdge: (timeMs, active) => push({ kind: 'edge', timeMs, active }),
    onFault: (timeMs, reason) => push({ kind: 'fault', timeMs, reason }),
  };
  const until = (count: number): Promise<void> => (events.length >= count ? Promise.resolve() : new Promise((resolve) => (waiting = { count, resolve })));
  return { events, handlers, until };
}

const T0 = Date.parse('2025-01-15T12:00:00Z');

test('v2 tools: the level from gpioget, then every edge gpiomon prints, with its own timestamps', async () => {
  const { tools, log } = toolsFor({ version: '2.1.3', level: false, gpiomon: [{ output: 'gpiomon/v2-realtime-by-name.txt' }] });
  const clock = new FakeClock(T0);
  const source = new GpiodEdgeSource({ request: { line: 'GPIO17', activeLow: true }, run: runTool, spawn: spawnTool, clock, timers: clock, tools });
  const got = recorder();
  await source.start(got.handlers);
  await got.until(9);
  await source.stop();
  assert.deepEqual(got.events[0], { kind: 'initial', timeMs: T0, active: false });
  assert.deepEqual(
    got.events.slice(1).map((e) => (e.kind === 'edge' ? [Math.round(e.timeMs - T0), e.active] : e)),
    [[1000, true], [1002, false], [1004, true], [1007, false], [1008, true], [5000, false], [5001, true], [5003, false]],
  );
  assert.equal(source.description, 'GPIO line GPIO17 (libgpiod v2.1.3 tools)');
  const calls = log();
  assert.equal(calls[0], 'gpiomon --version');
  assert.equal(calls[1], 'gpioget --active-low GPIO17');
  assert.equal(calls[2], 'gpiomon --banner --event-clock realtime --edges both --active-low GPIO17');
});

test('v1 tools (Debian bookworm): the name is resolved to chip and offset, and edges are dated on arrival', async () => {
  const { tools, log } = toolsFor({ version: '1.6.3', level: true, gpiomon: [{ output: 'gpiomon/v1-default.txt' }] });
  const clock = new FakeClock(T0);
  const run: typeof runTool = async (argv, timeoutMs) =>
    argv.at(-1) === 'GPIO17' && argv.includes('gpiofind') ? { code: 0, stdout: 'gpiochip0 17\n', stderr: '' } : runTool(argv, timeoutMs);
  const source = new GpiodEdgeSource({ request: { line: 'GPIO17', activeLow: false }, run, spawn: spawnTool, clock, timers: clock, tools });
  const got = recorder();
  await source.start(got.handlers);
  await got.until(9);
  await source.stop();
  assert.deepEqual(got.events[0], { kind: 'initial', timeMs: T0, active: true });
  assert.ok(got.events.slice(1).every((e) => e.timeMs === T0), 'v1 monotonic stamps are not wall-clock time');
  assert.deepEqual(log().slice(1, 3), ['gpioget gpiochip0 17', 'gpiomon --line-buffered gpiochip0 17']);
});

test('when gpiomon exits, the fault carries its stderr, and it is restarted with doubling backoff', async () => {
  const busy = 'gpiomon: unable to request lines on chip /dev/gpiochip0: Device or resource busy';
  const { tools } = toolsFor({
    version: '2.1.3',
    level: false,
    gpiomon: [{ exitCode: 1, stderr: busy }, { exitCode: 1, stderr: busy }, { output: 'gpiomon/v2-realtime-by-name.txt' }],
  });
  const clock = new FakeClock(T0);
  const source = new GpiodEdgeSource({
    request: { line: 'GPIO17', activeLow: false },
    run: runTool,
    spawn: spawnTool,
    clock,
    timers: clock,
    tools,
    backoff: { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 },
  });
  const got = recorder();
  await source.start(got.handlers);
  await got.until(2);
  assert.deepEqual(got.events[1], { kind: 'fault', timeMs: T0, reason: `gpiomon exited with code 1: ${busy}` });
  assert.equal(clock.pendingTimers, 1, 'a restart is scheduled');
  await clock.advance(499);
  assert.equal(got.events.length, 2, 'not before the backoff');
  await clock.advance(1);
  await got.until(4);
  assert.equal(got.events[3].kind, 'fault');
  await clock.advance(999);
  assert.equal(got.events.length, 4, 'the second wait is longer');
  await clock.advance(1);
  await got.until(5 + 8);
  await source.stop();
  assert.deepEqual(got.events[4], { kind: 'initial', timeMs: T0 + 1500, active: false });
  assert.equal(got.events.filter((e) => e.kind === 'edge').length, 8);
});

test('missing tools are a fault that says what to install, and retried', async () => {
  const clock = new FakeClock(T0);
  const missing = ['/nonexistent/earshot-test/gpiomon'];
  const source = new GpiodEdgeSource({
    request: { line: 'GPIO17', activeLow: false },
    run: runTool,
    spawn: spawnTool,
    clock,
    timers: clock,
    tools: { gpiomon: missing, gpioget: missing, gpiofind: missing, gpiodetect: missing },
  });
  const got = recorder();
  await source.start(got.handlers);
  await source.stop();
  assert.deepEqual(got.events, [{ kind: 'fault', timeMs: T0, reason: "/nonexistent/earshot-test/gpiomon not found; install Debian's gpiod package (apt install gpiod)" }]);
});

test('a gpioget failure (unknown line) is a fault with the tool\'s message', async () => {
  const { tools } = toolsFor({ version: '2.1.3', gpiogetError: "cannot find line 'GPIO99'", gpiomon: [{}] });
  const clock = new FakeClock(T0);
  const source = new GpiodEdgeSource({ request: { line: 'GPIO99', activeLow: false }, run: runTool, spawn: spawnTool, clock, timers: clock, tools });
  const got = recorder();
  await source.start(got.handlers);
  await source.stop();
  assert.deepEqual(got.events, [{ kind: 'fault', timeMs: T0, reason: "gpioget GPIO99: gpioget: cannot find line 'GPIO99'" }]);
});
