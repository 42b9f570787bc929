// Enforcement decisions and the exact nft commands behind them, with a recording nft runner.
// The same enforcer runs against real nftables in test/integration/ap-enforcement.test.ts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnforcementConfig } from '../../appliance/src/ap/config.js';
import { Enforcer, type EnforcementEvent } from '../../appliance/src/ap/enforcer.js';
import type { NftRunner } from '../../appliance/src/ap/nft-runner.js';
import type { AlertEvent } from '../../appliance/src/judge/judge-events.js';

const FLOW = { protocol: 'tcp', src: '192.0.2.10', srcPort: 50123, dst: '203.0.113.5', dstPort: 443 } as const;
const ELEMENT = 'tcp . 192.0.2.10 . 50123 . 203.0.113.5 . 443';
const CUT = (timeoutS = 3600) => `add element inet earshot cutting_echo { 192.0.2.10 timeout ${timeoutS}s }`;
const CAP = 'add element inet earshot capped_echo { 192.0.2.10 timeout 600s }';
const UNCAP = ['add element inet earshot capped_echo { 192.0.2.10 }', 'delete element inet earshot capped_echo { 192.0.2.10 }'];
const T0 = Date.parse('2026-11-26T08:00:00Z');

function alert(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    type: 'alert',
    id: 'a1-1764144000000',
    severity: 'critical',
    time: '2026-11-26T08:00:00.200Z',
    start: '2026-11-26T08:00:00.000Z',
    mic: 'muted',
    dst: '203.0.113.5:443',
    bytes: 16000,
    packets: 20,
    reason: 'uploaded 16 KB in 0.2 s to 203.0.113.5:443 while the microphone was muted',
    flow: overrides.flow ?? FLOW,
    flows: [overrides.flow ?? FLOW],
    evidence: { rule: 'volume', peak_bytes_per_s: 16000, mean_bytes_per_s: 16000, downstream_ratio: 0, connections: 1, threshold_factor: 1 },
    ...overrides,
  };
}

function setup(config: Partial<EnforcementConfig> = {}, failWith?: string) {
  const batches: string[][] = [];
  const nft: NftRunner = {
    apply: async (commands) => {
      batches.push([...commands]);
      if (failWith) throw new Error(failWith);
    },
  };
  const enforcer = new Enforcer({ mode: 'block-when-muted', hold_new_flows: false, block_timeout_s: 3600, ...config }, nft, { nowMs: () => T0 });
  const events: EnforcementEvent[] = [];
  enforcer.on('event', (e) => events.push(e));
  return { enforcer, batches, events, actions: () => events.map((e) => e.action) };
}

describe('enforcement in block-when-muted mode', () => {
  test('starts by emptying its sets, which a previous run may have left filled', async () => {
    const { enforcer, batches } = setup();
    await enforcer.start();
    assert.deepEqual(batches, [['blocked_flows', 'muted_echo', 'cutting_echo', 'capped_echo'].map((set) => `flush set inet earshot ${set}`)]);
  });

  test("puts a critical alert's flow into blocked_flows and the Echo into cutting_echo with the safety timeout, and says so", async () => {
    const { enforcer, batches, events } = setup({ block_timeout_s: 600 });
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    assert.deepEqual(batches, [[`add element inet earshot blocked_flows { ${ELEMENT} timeout 600s }`, CUT(600)]]);
    assert.deepEqual(events, [
      { type: 'enforcement', action: 'block', time: '2026-11-26T08:00:00.000Z', device: 'echo', alert_id: 'a1-1764144000000', flow: FLOW, reason: `critical: ${alert().reason}` },
      { type: 'enforcement', action: 'cut', time: '2026-11-26T08:00:00.000Z', device: 'echo', alert_id: 'a1-1764144000000', ip: '192.0.2.10', reason: 'new connections of the Echo are refused until the episode ends' },
    ]);
    assert.deepEqual(enforcer.activeBlocks, [FLOW]);
  });

  test('lifts every block on unmute, removing the element even if nftables already expired it', async () => {
    const { enforcer, batches, events } = setup();
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    await enforcer.onMicState('idle', 'echo');
    assert.deepEqual(batches.slice(1), [
      [`add element inet earshot blocked_flows { ${ELEMENT} }`, `delete element inet earshot blocked_flows { ${ELEMENT} }`],
      ['add element inet earshot cutting_echo { 192.0.2.10 }', 'delete element inet earshot cutting_echo { 192.0.2.10 }'],
    ]);
    assert.deepEqual(events.slice(2), [
      { type: 'enforcement', action: 'unblock', time: '2026-11-26T08:00:00.000Z', device: 'echo', alert_id: 'a1-1764144000000', flow: FLOW, reason: 'unmuted' },
      { type: 'enforcement', action: 'uncut', time: '2026-11-26T08:00:00.000Z', device: 'echo', alert_id: 'a1-1764144000000', ip: '192.0.2.10', reason: 'unmuted' },
    ]);
    assert.deepEqual(enforcer.activeBlocks, []);
  });

  test('lifts only the acknowledged alert\'s block', async () => {
    const { enforcer, actions } = setup();
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    await enforcer.onAlert(alert({ id: 'a2', flow: { ...FLOW, srcPort: 50124 } }));
    await enforcer.onAcknowledge('a2');
    assert.deepEqual(enforcer.activeBlocks, [FLOW]);
    assert.deepEqual(actions(), ['block', 'cut', 'block', 'cut', 'unblock', 'uncut']);
  });

  test('keeps blocks while the sensor reports unknown, as that is not an unmute', async () => {
    const { enforcer } = setup();
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    await enforcer.onMicState('unknown', 'echo');
    assert.deepEqual(enforcer.activeBlocks, [FLOW]);
  });

  test('does not block for a warning while idle', async () => {
    const { enforcer, batches } = setup();
    await enforcer.onAlert(alert({ severity: 'warning', mic: 'idle' }));
    assert.deepEqual(batches, []);
  });

  test('cuts every flow of the episode, TCP and UDP, in one transaction', async () => {
    const { enforcer, batches, actions } = setup({ block_timeout_s: 600 });
    const udp = { protocol: 'udp', src: '192.0.2.10', srcPort: 50000, dst: '198.51.100.7', dstPort: 3478 } as const;
    const other = { ...FLOW, srcPort: 50124, dst: '203.0.113.6' };
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert({ flows: [FLOW, udp, other] }));
    assert.deepEqual(batches, [
      [
        `add element inet earshot blocked_flows { ${ELEMENT} timeout 600s }`,
        'add element inet earshot blocked_flows { udp . 192.0.2.10 . 50000 . 198.51.100.7 . 3478 timeout 600s }',
        'add element inet earshot blocked_flows { tcp . 192.0.2.10 . 50124 . 203.0.113.6 . 443 timeout 600s }',
        CUT(600),
      ],
    ]);
    assert.deepEqual(actions(), ['block', 'block', 'block', 'cut']);
    assert.deepEqual(enforcer.activeBlocks, [FLOW, udp, other]);
  });

  test('cuts a muted upload that was only a warning (not shaped like audio)', async () => {
    const { enforcer, events } = setup();
    await enforcer.onMicState('muted', 'echo');
    const warning = alert({ severity: 'warning', mic: 'muted', reason: 'uploaded 9.0 KB in 0.1 s to 203.0.113.5:443 while the microphone was muted, not shaped like audio' });
    await enforcer.onAlert(warning);
    assert.deepEqual(events.map((e) => [e.action, 'reason' in e ? e.reason : ''])[0], ['block', `warning: ${warning.reason}`]);
    assert.deepEqual(events.map((e) => e.action), ['block', 'cut']);
  });

  test('does not block a verdict that arrives after the unmute', async () => {
    const { enforcer, batches } = setup();
    await enforcer.onMicState('idle', 'echo');
    await enforcer.onAlert(alert());
    assert.deepEqual(batches, []);
  });

  test("blocks the same flow once, and cuts each alert's episode", async () => {
    const { enforcer, batches } = setup();
    await enforcer.onAlert(alert());
    await enforcer.onAlert(alert({ id: 'a2' }));
    await enforcer.onAlert(alert({ id: 'a2' }));
    assert.deepEqual(batches, [[`add element inet earshot blocked_flows { ${ELEMENT} timeout 3600s }`, CUT()], [CUT()]]);
  });

  test('reports an IPv6 flow as an error instead of sending nft a rule it cannot take', async () => {
    const { enforcer, batches, events } = setup();
    await enforcer.onAlert(alert({ flow: { ...FLOW, src: 'fd00::10', dst: '2001:db8::5' } }));
    assert.deepEqual(batches, []);
    assert.equal(events[0].action, 'error');
  });

  test('turns an nft failure into an error event and records no block', async () => {
    const { enforcer, events } = setup({}, 'nft failed (exit 1): Error: No such file or directory');
    await enforcer.onAlert(alert());
    assert.deepEqual(events.map((e) => e.action === 'error' && e.message), ['nft failed (exit 1): Error: No such file or directory']);
    assert.deepEqual(enforcer.activeBlocks, []);
  });

  test('applies nft changes in the order the events came, one at a time', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const nft: NftRunner = {
      apply: async (commands) => {
        order.push(`start ${commands[0].split(' ')[0]}`);
        if (order.length === 1) await gate;
        order.push('end');
      },
    };
    const enforcer = new Enforcer({ mode: 'block-when-muted', hold_new_flows: false, block_timeout_s: 3600 }, nft);
    const blocking = enforcer.onAlert(alert());
    const unmuting = enforcer.onMicState('listening', 'echo');
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([blocking, unmuting]);
    assert.deepEqual(order, ['start add', 'end', 'start add', 'end', 'start add', 'end']);
  });
});

describe('cutting the connections an episode opens after its alert', () => {
  test('refuses new connections of the Echo until the episode ends, then lets them be', async () => {
    const { enforcer, batches, events } = setup();
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    await enforcer.onAlertEnd('a1-1764144000000');
    assert.deepEqual(batches.at(-1), ['add element inet earshot cutting_echo { 192.0.2.10 }', 'delete element inet earshot cutting_echo { 192.0.2.10 }']);
    assert.deepEqual(events.at(-1), { type: 'enforcement', action: 'uncut', time: '2026-11-26T08:00:00.000Z', device: 'echo', alert_id: 'a1-1764144000000', ip: '192.0.2.10', reason: 'episode over' });
    assert.deepEqual(enforcer.activeBlocks, [FLOW], 'the episode ending does not lift the blocks of its flows');
  });

  test('keeps the Echo in cutting_echo while another of its alerts is still cutting', async () => {
    const { enforcer, batches, actions } = setup();
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    await enforcer.onAlert(alert({ id: 'a2', flow: { ...FLOW, srcPort: 50124 } }));
    const before = batches.length;
    await enforcer.onAlertEnd('a1-1764144000000');
    assert.equal(batches.length, before, 'nft was changed although a2 still cuts');
    await enforcer.onAlertEnd('a2');
    assert.deepEqual(batches.at(-1), ['add element inet earshot cutting_echo { 192.0.2.10 }', 'delete element inet earshot cutting_echo { 192.0.2.10 }']);
    assert.deepEqual(actions().slice(-2), ['uncut', 'uncut']);
  });

  test('an alert_end for an episode that was not cut changes nothing', async () => {
    const { enforcer, batches, events } = setup({ mode: 'alert' });
    await enforcer.onAlert(alert());
    await enforcer.onAlertEnd('a1-1764144000000');
    assert.deepEqual(batches, []);
    assert.deepEqual(events.map((e) => e.action), ['would-block']);
  });

  test('cuts the episode even when all of its flows are blocked already', async () => {
    const { enforcer, batches } = setup();
    await enforcer.onAlert(alert());
    await enforcer.onAlertEnd('a1-1764144000000');
    await enforcer.onAlert(alert({ id: 'a2' }));
    assert.deepEqual(batches.at(-1), [CUT()]);
  });
});

describe('capping the muted Echo', () => {
  test("puts the Echo's address into capped_echo on mute and takes it out on unmute, whether or not it holds new flows", async () => {
    const { enforcer, batches, actions } = setup({ hold_new_flows: false });
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onMicState('idle', 'echo');
    enforcer.stop();
    assert.deepEqual(batches, [[CAP], UNCAP]);
    assert.deepEqual(actions(), ['cap', 'uncap']);
  });

  test('does not cap in alert mode, and lifts the cap when enforcement is switched off', async () => {
    const alertMode = setup({ mode: 'alert' });
    await alertMode.enforcer.setEchoAddress('192.0.2.10', 'echo');
    await alertMode.enforcer.onMicState('muted', 'echo');
    assert.deepEqual(alertMode.batches, []);
    const { enforcer, batches } = setup();
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.setMode('off');
    enforcer.stop();
    assert.deepEqual(batches, [[CAP], UNCAP]);
  });
});

describe('holding new flows while muted', () => {
  test("puts the Echo's address into muted_echo on mute and takes it out on unmute", async () => {
    const { enforcer, batches, actions } = setup({ hold_new_flows: true });
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onMicState('listening', 'echo');
    enforcer.stop();
    assert.deepEqual(batches, [
      [CAP, 'add element inet earshot muted_echo { 192.0.2.10 timeout 600s }'],
      [...UNCAP, 'add element inet earshot muted_echo { 192.0.2.10 }', 'delete element inet earshot muted_echo { 192.0.2.10 }'],
    ]);
    assert.deepEqual(actions(), ['cap', 'hold', 'uncap', 'release']);
  });

  test("moves the hold when the Echo's lease changes while muted", async () => {
    const { enforcer, batches } = setup({ hold_new_flows: true });
    await enforcer.onMicState('muted', 'echo');
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.setEchoAddress('192.0.2.11', 'echo');
    enforcer.stop();
    assert.deepEqual(batches.at(-1), [
      ...UNCAP,
      'add element inet earshot capped_echo { 192.0.2.11 timeout 600s }',
      'add element inet earshot muted_echo { 192.0.2.10 }',
      'delete element inet earshot muted_echo { 192.0.2.10 }',
      'add element inet earshot muted_echo { 192.0.2.11 timeout 600s }',
    ]);
  });

  test('releases the hold when the sensor goes unknown, so a broken sensor cannot keep the Echo offline', async () => {
    const { enforcer, actions } = setup({ hold_new_flows: true });
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onMicState('unknown', 'echo');
    enforcer.stop();
    assert.deepEqual(actions(), ['cap', 'hold', 'uncap', 'release']);
  });

  test('refreshes the hold and the cap before their safety timeouts run out during a long mute', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { enforcer, batches } = setup({ hold_new_flows: true });
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    t.mock.timers.tick(300_000);
    await new Promise((r) => setImmediate(r));
    enforcer.stop();
    assert.deepEqual(batches.at(-1), [
      ...UNCAP,
      CAP,
      'add element inet earshot muted_echo { 192.0.2.10 }',
      'delete element inet earshot muted_echo { 192.0.2.10 }',
      'add element inet earshot muted_echo { 192.0.2.10 timeout 600s }',
    ]);
  });

  test('does not hold when hold_new_flows is off (the cap stays)', async () => {
    const { enforcer, batches } = setup({ hold_new_flows: false });
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    enforcer.stop();
    assert.deepEqual(batches, [[CAP]]);
  });
});

describe('the other modes', () => {
  test('alert mode says what it would block and blocks nothing', async () => {
    const { enforcer, batches, events } = setup({ mode: 'alert', hold_new_flows: true });
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    assert.deepEqual(batches, []);
    assert.deepEqual(events.map((e) => e.action), ['would-block']);
  });

  test('off mode does nothing at all, not even at start', async () => {
    const { enforcer, batches, events } = setup({ mode: 'off', hold_new_flows: true });
    await enforcer.start();
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    assert.deepEqual([batches, events], [[], []]);
  });

  test('switching to alert mode lifts the blocks and the hold', async () => {
    const { enforcer, actions } = setup({ hold_new_flows: true });
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onAlert(alert());
    await enforcer.setMode('alert');
    enforcer.stop();
    assert.deepEqual(actions(), ['cap', 'hold', 'block', 'cut', 'unblock', 'uncut', 'uncap', 'release']);
    assert.deepEqual(enforcer.activeBlocks, []);
  });
});

describe('several Echos on one box, each enforced on its own', () => {
  const KITCHEN = { ...FLOW, src: '192.0.2.10' };
  const BEDROOM = { ...FLOW, src: '192.0.2.20', srcPort: 40000 };
  const BEDROOM_ELEMENT = 'tcp . 192.0.2.20 . 40000 . 203.0.113.5 . 443';

  /** Both Echos addressed, the kitchen one muted with an alert, the bedroom one idle. */
  async function kitchenMutedWithAlert(config: Partial<EnforcementConfig> = {}) {
    const s = setup({ hold_new_flows: true, ...config });
    await s.enforcer.setEchoAddress('192.0.2.10', 'kitchen');
    await s.enforcer.setEchoAddress('192.0.2.20', 'bedroom');
    await s.enforcer.onMicState('idle', 'bedroom');
    await s.enforcer.onMicState('muted', 'kitchen');
    await s.enforcer.onAlert(alert({ id: 'k1', device: 'kitchen', flow: KITCHEN }));
    return s;
  }

  test("muting one Echo with an alert puts only its flow and its address into the sets", async () => {
    const { enforcer, batches, events } = await kitchenMutedWithAlert();
    enforcer.stop();
    assert.deepEqual(batches, [
      [CAP, 'add element inet earshot muted_echo { 192.0.2.10 timeout 600s }'],
      [`add element inet earshot blocked_flows { ${ELEMENT} timeout 3600s }`, CUT()],
    ]);
    assert.ok(!batches.flat().some((c) => c.includes('192.0.2.20')), 'the bedroom Echo was touched');
    assert.deepEqual(events.map((e) => [e.action, 'device' in e ? e.device : '']), [['cap', 'kitchen'], ['hold', 'kitchen'], ['block', 'kitchen'], ['cut', 'kitchen']]);
    assert.deepEqual(enforcer.activeBlocks, [KITCHEN]);
  });

  test('an alert about the idle Echo is not blocked although the other one is muted', async () => {
    const { enforcer, batches } = await kitchenMutedWithAlert();
    const before = batches.length;
    await enforcer.onAlert(alert({ id: 'b1', device: 'bedroom', flow: BEDROOM }));
    enforcer.stop();
    assert.equal(batches.length, before, `nft was changed: ${JSON.stringify(batches.slice(before))}`);
    assert.deepEqual(enforcer.activeBlocks, [KITCHEN]);
  });

  test("unmuting one Echo lifts only its own blocks, cut, cap and hold", async () => {
    const { enforcer, batches, events } = await kitchenMutedWithAlert();
    await enforcer.onMicState('muted', 'bedroom');
    await enforcer.onAlert(alert({ id: 'b1', device: 'bedroom', flow: BEDROOM }));
    const [batchMark, eventMark] = [batches.length, events.length];
    await enforcer.onMicState('idle', 'kitchen');
    enforcer.stop();
    assert.deepEqual(batches.slice(batchMark), [
      [`add element inet earshot blocked_flows { ${ELEMENT} }`, `delete element inet earshot blocked_flows { ${ELEMENT} }`],
      ['add element inet earshot cutting_echo { 192.0.2.10 }', 'delete element inet earshot cutting_echo { 192.0.2.10 }'],
      [...UNCAP, 'add element inet earshot muted_echo { 192.0.2.10 }', 'delete element inet earshot muted_echo { 192.0.2.10 }'],
    ]);
    assert.deepEqual(events.slice(eventMark).map((e) => [e.action, 'device' in e ? e.device : '']), [['unblock', 'kitchen'], ['uncut', 'kitchen'], ['uncap', 'kitchen'], ['release', 'kitchen']]);
    assert.deepEqual(enforcer.activeBlocks, [BEDROOM]);
    assert.ok(batches.slice(batchMark).flat().every((c) => !c.includes('192.0.2.20') && !c.includes(BEDROOM_ELEMENT)));
  });

  test("acknowledging one Echo's alert lifts that alert's block only", async () => {
    const { enforcer } = await kitchenMutedWithAlert();
    await enforcer.onMicState('muted', 'bedroom');
    await enforcer.onAlert(alert({ id: 'b1', device: 'bedroom', flow: BEDROOM }));
    await enforcer.onAcknowledge('k1');
    enforcer.stop();
    assert.deepEqual(enforcer.activeBlocks, [BEDROOM]);
  });

  test("a new address of one Echo moves only its cap and hold", async () => {
    const { enforcer, batches, events } = await kitchenMutedWithAlert();
    await enforcer.onMicState('muted', 'bedroom');
    const [batchMark, eventMark] = [batches.length, events.length];
    await enforcer.setEchoAddress('192.0.2.21', 'bedroom');
    enforcer.stop();
    assert.deepEqual(batches.slice(batchMark), [
      [
        'add element inet earshot capped_echo { 192.0.2.20 }',
        'delete element inet earshot capped_echo { 192.0.2.20 }',
        'add element inet earshot capped_echo { 192.0.2.21 timeout 600s }',
        'add element inet earshot muted_echo { 192.0.2.20 }',
        'delete element inet earshot muted_echo { 192.0.2.20 }',
        'add element inet earshot muted_echo { 192.0.2.21 timeout 600s }',
      ],
    ]);
    assert.deepEqual(events.slice(eventMark).map((e) => [e.action, 'ip' in e ? e.ip : '', 'device' in e ? e.device : '']), [
      ['uncap', '192.0.2.20', 'bedroom'],
      ['cap', '192.0.2.21', 'bedroom'],
      ['release', '192.0.2.20', 'bedroom'],
      ['hold', '192.0.2.21', 'bedroom'],
    ]);
  });

  test('refreshes every muted Echo, and an alert without a device is about the default Echo', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { enforcer, batches, events } = setup();
    await enforcer.setEchoAddress('192.0.2.10', 'echo');
    await enforcer.setEchoAddress('192.0.2.20', 'bedroom');
    await enforcer.onMicState('muted', 'echo');
    await enforcer.onMicState('muted', 'bedroom');
    await enforcer.onAlert(alert());
    t.mock.timers.tick(300_000);
    await new Promise((r) => setImmediate(r));
    enforcer.stop();
    assert.deepEqual(batches.at(-1), [...UNCAP, CAP, 'add element inet earshot capped_echo { 192.0.2.20 }', 'delete element inet earshot capped_echo { 192.0.2.20 }', 'add element inet earshot capped_echo { 192.0.2.20 timeout 600s }']);
    assert.deepEqual(events.filter((e) => e.action === 'block').map((e) => 'device' in e && e.device), ['echo']);
  });

  test('switching the box-wide mode lifts every Echo', async () => {
    const { enforcer, actions } = await kitchenMutedWithAlert({ hold_new_flows: false });
    await enforcer.onMicState('muted', 'bedroom');
    await enforcer.setMode('alert');
    enforcer.stop();
    assert.deepEqual(actions().slice(-4), ['unblock', 'uncut', 'uncap', 'uncap']);
  });
});
