import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeClock } from '../../gpio/fakes/fake-clock.js';
import { LedClassDriver } from '../../gpio/led/led-class-driver.js';
import { LED_PATTERN_STEPS, ledClassPlan, ledLevelAt, ledPatternFor, parseLedTriggers, patternPeriodMs, type LedPattern } from '../../gpio/led/led-patterns.js';
import { fixturePath } from '../fixtures/gpio/load.js';

const work = mkdtempSync(join(tmpdir(), 'earshot-led-'));
after(() => rmSync(work, { recursive: true, force: true }));
let trees = 0;

/** A writable copy of a fixture sysfs tree. */
function sysfsCopy(tree = 'pi4-kernel-6.6'): string {
  const root = join(work, `tree-${++trees}`);
  cpSync(fixturePath(`sysfs/${tree}`), root, { recursive: true });
  return root;
}

const ledFile = (root: string, file: string, led = 'earshot'): string => readFileSync(join(root, 'sys', 'class', 'leds', led, file), 'utf8').trim();

/** The LED sampled every 50 ms over one period, as a strip of on/off. */
const strip = (pattern: LedPattern, periodMs = 3000): string =>
  Array.from({ length: periodMs / 50 }, (_, i) => (ledLevelAt(pattern, i * 50) ? '#' : '.')).join('');

test('each pattern looks different: heartbeat, fast blink, solid, double blink', () => {
  assert.equal(strip('monitoring'), '##' + '.'.repeat(58));
  assert.equal(strip('warning', 500), '###..###..');
  assert.equal(strip('critical'), '#'.repeat(60));
  assert.equal(strip('fault', 1500), '###' + '...' + '###' + '.'.repeat(21));
  assert.equal(strip('off'), '.'.repeat(60));
  const strips = (['monitoring', 'warning', 'critical', 'fault', 'off'] as const).map((p) => strip(p, 3000));
  assert.equal(new Set(strips).size, 5);
});

test('the fast blink is 4 Hz and the heartbeat one flash in 3 s', () => {
  assert.equal(patternPeriodMs('warning'), 250);
  assert.equal(patternPeriodMs('monitoring'), 3000);
  assert.equal(ledLevelAt('warning', 124), true);
  assert.equal(ledLevelAt('warning', 125), false);
  assert.equal(ledLevelAt('monitoring', 3000 * 1000 + 50), true, 'periodic far from the start');
});

test('the status decides the pattern: critical beats fault beats warning beats monitoring', () => {
  const none = { unacknowledgedCritical: 0, unacknowledgedWarning: 0, faults: [] };
  assert.equal(ledPatternFor(none), 'monitoring');
  assert.equal(ledPatternFor({ ...none, unacknowledgedWarning: 2 }), 'warning');
  assert.equal(ledPatternFor({ ...none, unacknowledgedWarning: 2, faults: ['mic sensor unknown'] }), 'fault');
  assert.equal(ledPatternFor({ unacknowledgedCritical: 1, unacknowledgedWarning: 2, faults: ['capture down'] }), 'critical');
});

test('the kernel plan: timer for single blinks, the pattern trigger as a square wave for the double blink', () => {
  const triggers = ['none', 'timer', 'pattern'];
  assert.deepEqual(ledClassPlan('monitoring', triggers, 255), [
    { file: 'trigger', value: 'timer' },
    { file: 'delay_on', value: '100' },
    { file: 'delay_off', value: '2900' },
  ]);
  assert.deepEqual(ledClassPlan('critical', triggers, 255), [
    { file: 'trigger', value: 'none' },
    { file: 'brightness', value: '255' },
  ]);
  assert.deepEqual(ledClassPlan('fault', triggers, 1), [
    { file: 'trigger', value: 'pattern' },
    { file: 'pattern', value: '1 150 1 0 0 150 0 0 1 150 1 0 0 1050 0 0' },
    { file: 'repeat', value: '-1' },
  ]);
  assert.equal(ledClassPlan('fault', ['none', 'timer'], 1), undefined, 'no pattern trigger: the process must blink it');
});

test('the trigger file lists triggers with the current one in brackets', () => {
  assert.deepEqual(parseLedTriggers('none [timer] heartbeat pattern\n'), { available: ['none', 'timer', 'heartbeat', 'pattern'], current: 'timer' });
});

test('the LED class driver writes the plan into sysfs, once per change', async () => {
  const root = sysfsCopy();
  const clock = new FakeClock(0);
  const led = new LedClassDriver(root, 'earshot', clock);
  await led.show('warning');
  assert.deepEqual([ledFile(root, 'trigger'), ledFile(root, 'delay_on'), ledFile(root, 'delay_off')], ['timer', '125', '125']);
  await led.show('fault');
  assert.deepEqual([ledFile(root, 'trigger'), ledFile(root, 'pattern'), ledFile(root, 'repeat')], ['pattern', '1 150 1 0 0 150 0 0 1 150 1 0 0 1050 0 0', '-1']);
  writeFileSync(join(root, 'sys/class/leds/earshot/trigger'), 'sentinel');
  await led.show('fault');
  assert.equal(ledFile(root, 'trigger'), 'sentinel', 'the same pattern again writes nothing');
});

test('without the pattern trigger the driver blinks the double blink itself on its timers', async () => {
  const root = sysfsCopy();
  writeFileSync(join(root, 'sys/class/leds/earshot/trigger'), '[none] timer heartbeat\n');
  const clock = new FakeClock(0);
  const led = new LedClassDriver(root, 'earshot', clock);
  await led.show('fault');
  const seen: string[] = [];
  for (let t = 0; t < 1500; t += 150) {
    await clock.advanceTo(t);
    seen.push(ledFile(root, 'brightness'));
  }
  await led.close();
  assert.deepEqual(seen.join(''), '1010000000');
  assert.equal(clock.pendingTimers, 0, 'close() stops the blinking');
});

test('the ExecStopPost script leaves the same double blink in the kernel as the driver', () => {
  const root = sysfsCopy();
  const script = fileURLToPath(new URL('../../gpio/led/earshot-led-fault', import.meta.url));
  execFileSync('/bin/sh', [script, 'earshot'], { env: { ...process.env, EARSHOT_SYSFS_ROOT: root } });
  const plan = ledClassPlan('fault', ['pattern'], 1)!;
  assert.deepEqual(
    plan.map((w) => ledFile(root, w.file)),
    plan.map((w) => w.value),
  );
  assert.equal(LED_PATTERN_STEPS.fault.length, 4);
});

test('the script falls back to a timer blink without the pattern trigger, and names a missing LED', () => {
  const root = sysfsCopy();
  writeFileSync(join(root, 'sys/class/leds/earshot/trigger'), '[none] timer\n');
  const script = fileURLToPath(new URL('../../gpio/led/earshot-led-fault', import.meta.url));
  execFileSync('/bin/sh', [script], { env: { ...process.env, EARSHOT_SYSFS_ROOT: root, PATH: '/nonexistent' } });
  assert.deepEqual([ledFile(root, 'trigger'), ledFile(root, 'delay_on'), ledFile(root, 'delay_off')], ['timer', '150', '1050']);
  assert.throws(() => execFileSync('/bin/sh', [script, 'nosuchled'], { env: { EARSHOT_SYSFS_ROOT: root }, stdio: 'pipe' }), /no LED .*\/sys\/class\/leds\/nosuchled/);
});

test('the LED from the config: a named kernel LED, or nothing when disabled', async () => {
  const { createStatusLed } = await import('../../gpio/sensor-factory.js');
  const root = sysfsCopy();
  const clock = new FakeClock(0);
  await createStatusLed({ name: 'ACT' }, { root, timers: clock }).show('critical');
  assert.deepEqual([ledFile(root, 'trigger', 'ACT'), ledFile(root, 'brightness', 'ACT')], ['none', '1']);
  await createStatusLed({ name: undefined }, { root, timers: clock }).show('critical');
  assert.equal(ledFile(root, 'brightness', 'earshot'), '0', 'a disabled LED writes nothing');
});
