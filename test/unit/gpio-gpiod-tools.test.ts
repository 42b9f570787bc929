import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LineSplitter,
  gpiogetArgs,
  gpiomonArgs,
  parseGpiodVersion,
  parseGpiodetectOutput,
  parseGpiofindOutput,
  parseGpiogetOutput,
  parseGpiomonLine,
  type EdgeEvent,
} from '../../gpio/wire/gpiod-tools.js';
import { loadWireTrace, readFixture } from '../fixtures/gpio/load.js';

const edgesOf = (file: string): EdgeEvent[] =>
  readFixture(`gpiomon/${file}`)
    .split('\n')
    .map(parseGpiomonLine)
    .flatMap((line) => (line.kind === 'edge' ? [line.event] : []));

/** The recordings hold the bouncy-switch edges; their level sequence must match the trace's. */
const expectedLevels = loadWireTrace('bouncy-switch')
  .edges.slice(1)
  .map((e) => (e.active ? 'rising' : 'falling'));

test('v2 output with the realtime clock gives wall-clock times to the microsecond', () => {
  const events = edgesOf('v2-realtime-by-name.txt');
  assert.deepEqual(
    events.map((e) => e.edge),
    expectedLevels,
  );
  assert.equal(events[0].lineId, 'GPIO17', 'quotes are removed from the line name');
  assert.equal(events[0].timeMs, Date.parse('2025-01-15T12:00:01Z') + 0.123456);
  assert.equal(events[0].stamp, '2025-01-15T12:00:01.000123456Z');
  assert.equal((events[4].timeMs ?? 0) - (events[0].timeMs ?? 0), 8);
});

test('v2 output with the monotonic clock has no wall-clock time (the caller dates it)', () => {
  const events = edgesOf('v2-monotonic-chip-offset.txt');
  assert.deepEqual(
    events.map((e) => e.edge),
    expectedLevels,
  );
  assert.equal(events[0].timeMs, undefined);
  assert.equal(events[0].stamp, '84214.500123456');
  assert.equal(events[0].lineId, 'gpiochip0 17 GPIO17');
});

test('v2 output for an unnamed line names the chip and offset', () => {
  const events = edgesOf('v2-unnamed-unquoted.txt');
  assert.equal(events.length, 8);
  assert.equal(events[1].lineId, 'gpiochip4 17');
  assert.equal(events[1].edge, 'falling');
});

test('v1 default output parses too, with the padded " RISING EDGE"', () => {
  const events = edgesOf('v1-default.txt');
  assert.deepEqual(
    events.map((e) => e.edge),
    expectedLevels,
  );
  assert.equal(events[0].lineId, '17');
  assert.equal(events[0].stamp, '84214.500123456');
});

test('the banner and blank lines are recognised; anything else is reported, not guessed', () => {
  assert.equal(parseGpiomonLine("Monitoring line 'GPIO17'...").kind, 'banner');
  assert.equal(parseGpiomonLine("Monitoring lines 'GPIO17' and 'GPIO27'...").kind, 'banner');
  assert.equal(parseGpiomonLine('').kind, 'blank');
  assert.deepEqual(parseGpiomonLine('1 17 rising'), { kind: 'unrecognised', text: '1 17 rising' });
  assert.equal(parseGpiomonLine('yesterday\trising\t"GPIO17"').kind, 'unrecognised', 'a timestamp that is neither format');
});

test('--version tells v1 from v2', () => {
  const [v2, v1] = readFixture('gpiomon/versions.txt').split('---\n');
  assert.deepEqual(parseGpiodVersion(v2), { major: 2, version: '2.1.3' });
  assert.deepEqual(parseGpiodVersion(v1), { major: 1, version: '1.6.3' });
  assert.equal(parseGpiodVersion('gpiomon 0.3'), undefined);
  assert.equal(parseGpiodVersion('gpiomon (libgpiod) v3.0.0'), undefined, 'an unknown major is not guessed');
});

test('gpioget output: v2 names the line and says active/inactive; v1 prints a digit', () => {
  assert.equal(parseGpiogetOutput('"GPIO17"=active\n', 2), true);
  assert.equal(parseGpiogetOutput('"GPIO17"=inactive\n', 2), false);
  assert.equal(parseGpiogetOutput('GPIO17=active\n', 2), true, '--unquoted');
  assert.equal(parseGpiogetOutput('1\n', 2), true, '--numeric');
  assert.equal(parseGpiogetOutput('0\n', 1), false);
  assert.equal(parseGpiogetOutput('1\n', 1), true);
  assert.equal(parseGpiogetOutput('"GPIO17"=high', 2), undefined);
});

test('gpiofind and gpiodetect output', () => {
  assert.deepEqual(parseGpiofindOutput('gpiochip0 17\n'), { chip: 'gpiochip0', offset: 17 });
  assert.equal(parseGpiofindOutput(''), undefined);
  assert.deepEqual(parseGpiodetectOutput('gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n'), [
    { chip: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 },
    { chip: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 },
  ]);
});

test('v2 arguments take the line by name, with the realtime clock and a banner', () => {
  const request = { line: 'GPIO17', activeLow: true, bias: 'pull-down' as const, consumer: 'earshot' };
  assert.deepEqual(gpiomonArgs(2, request), ['--banner', '--event-clock', 'realtime', '--edges', 'both', '--active-low', '--bias', 'pull-down', '--consumer', 'earshot', 'GPIO17']);
  assert.deepEqual(gpiogetArgs(2, { line: 17, chip: 'gpiochip0', activeLow: false }), ['--chip', 'gpiochip0', '17']);
  assert.deepEqual(gpiogetArgs(2, { line: '17', activeLow: false }), ['--by-name', '17'], 'a numeric name is not an offset');
});

test('v1 arguments are CHIP OFFSET, line-buffered, and refuse an unresolved name', () => {
  assert.deepEqual(gpiomonArgs(1, { line: 17, chip: 'gpiochip0', activeLow: false, bias: 'disabled' }), ['--line-buffered', '--bias=disable', 'gpiochip0', '17']);
  assert.deepEqual(gpiogetArgs(1, { line: 17, chip: 'gpiochip0', activeLow: true }), ['--active-low', 'gpiochip0', '17']);
  assert.throws(() => gpiomonArgs(1, { line: 'GPIO17', activeLow: false }), /need a chip and an offset/);
});

test('output split across chunks is reassembled into lines', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('2025-01-15T12:00:01.0001'), []);
  assert.deepEqual(splitter.push('23456Z\trising\t"GPIO17"\n2025'), ['2025-01-15T12:00:01.000123456Z\trising\t"GPIO17"']);
  assert.deepEqual(splitter.push('-01\n'), ['2025-01']);
});
