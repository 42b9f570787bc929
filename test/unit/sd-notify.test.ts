import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNotifier } from '../../appliance/src/service/sd-notify.js';

function recorder(): { calls: string[][]; run: (args: string[]) => void } {
  const calls: string[][] = [];
  return { calls, run: (args) => calls.push(args) };
}

const SYSTEMD = { NOTIFY_SOCKET: '/run/systemd/notify' };

test('without NOTIFY_SOCKET nothing is ever run, not even with a watchdog interval', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { calls, run } = recorder();
  const notifier = createNotifier({ WATCHDOG_USEC: '10000000' }, run, 4242);
  notifier.ready('capturing wlan0');
  notifier.status('still here');
  t.mock.timers.tick(60_000);
  notifier.stopping();
  notifier.close();
  assert.deepEqual(calls, []);
});

test('an empty NOTIFY_SOCKET counts as not under systemd', () => {
  const { calls, run } = recorder();
  createNotifier({ NOTIFY_SOCKET: '' }, run, 4242).ready('x');
  assert.deepEqual(calls, []);
});

test('ready runs systemd-notify --ready with the status', () => {
  const { calls, run } = recorder();
  const notifier = createNotifier(SYSTEMD, run, 4242);
  notifier.ready('capturing wlan0');
  assert.deepEqual(calls, [['--pid=4242', '--ready', '--status=capturing wlan0']]);
  notifier.close();
});

test('status sends only the status line', () => {
  const { calls, run } = recorder();
  createNotifier(SYSTEMD, run, 4242).status('broker away, 3 alerts queued');
  assert.deepEqual(calls, [['--pid=4242', '--status=broker away, 3 alerts queued']]);
});

test('without WATCHDOG_USEC no watchdog ping is sent', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { calls, run } = recorder();
  const notifier = createNotifier(SYSTEMD, run, 4242);
  notifier.ready('up');
  t.mock.timers.tick(600_000);
  assert.deepEqual(calls, [['--pid=4242', '--ready', '--status=up']]);
  notifier.close();
});

test('with WATCHDOG_USEC a WATCHDOG=1 ping is sent every half interval after ready', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { calls, run } = recorder();
  const notifier = createNotifier({ ...SYSTEMD, WATCHDOG_USEC: '20000000' }, run, 4242);
  const pings = (): number => calls.filter((c) => c.length === 2 && c[1] === 'WATCHDOG=1').length;
  t.mock.timers.tick(30_000);
  assert.equal(pings(), 0, 'no ping before ready');
  notifier.ready('up');
  t.mock.timers.tick(9_999);
  assert.equal(pings(), 0);
  t.mock.timers.tick(1);
  assert.equal(pings(), 1);
  t.mock.timers.tick(10_000);
  assert.equal(pings(), 2);
  t.mock.timers.tick(30_000);
  assert.equal(pings(), 5);
  assert.deepEqual(calls[0], ['--pid=4242', '--ready', '--status=up']);
  notifier.close();
});

test('a second ready does not start a second watchdog', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { calls, run } = recorder();
  const notifier = createNotifier({ ...SYSTEMD, WATCHDOG_USEC: '2000000' }, run, 4242);
  notifier.ready('up');
  notifier.ready('up again');
  t.mock.timers.tick(1_000);
  assert.deepEqual(calls, [['--pid=4242', '--ready', '--status=up'], ['--pid=4242', '--ready', '--status=up again'], ['--pid=4242', 'WATCHDOG=1']]);
  notifier.close();
});

test('close stops the watchdog pings', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { calls, run } = recorder();
  const notifier = createNotifier({ ...SYSTEMD, WATCHDOG_USEC: '2000000' }, run, 4242);
  notifier.ready('up');
  t.mock.timers.tick(2_000);
  assert.equal(calls.length, 3);
  notifier.close();
  t.mock.timers.tick(60_000);
  assert.equal(calls.length, 3);
});

test('stopping sends STOPPING=1', () => {
  const { calls, run } = recorder();
  const notifier = createNotifier(SYSTEMD, run, 4242);
  notifier.stopping();
  assert.deepEqual(calls, [['--pid=4242', 'STOPPING=1']]);
});

test('close before ready is harmless', () => {
  const { calls, run } = recorder();
  createNotifier({ ...SYSTEMD, WATCHDOG_USEC: '2000000' }, run, 4242).close();
  assert.deepEqual(calls, []);
});
