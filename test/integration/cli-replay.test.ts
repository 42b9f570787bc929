// The CLI contract of design.md section 4: `replay` and `features` over generated captures,
// and bad input answered with exit 2 and one line that names the file and the problem.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CliIo } from '../../appliance/src/cli/cli-io.js';
import { runCli } from '../../appliance/src/cli/main.js';
import { DATASET_HEADER } from '../../appliance/src/features/dataset-csv.js';
import { demoSession, micTimelineCsv, sessionToPcap } from '../../sim/src/echo-session.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { ECHO, SECOND_ECHO, writeMicThroughout, writeTwoEchoUploadsCapture } from '../support/service-captures.js';

let dir: string;
let capture: string;
let mic: string;
let captureBytes: Buffer;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-'));
  const session = demoSession();
  captureBytes = Buffer.concat(sessionToPcap(session));
  capture = join(dir, 'demo.pcap');
  mic = join(dir, 'mic.csv');
  writeFileSync(capture, captureBytes);
  writeFileSync(mic, micTimelineCsv(session.mic));
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const PACKET_KEYS = ['type', 'time', 'src', 'dst', 'dstport', 'length', 'payload', 'highest_layer', 'content_type', 'delta', 'ack_flag', 'microphone', 'class'];

test('replay --jsonl prints one packet event per Echo packet and a summary last', async () => {
  const { code, stdout, stderr } = await cli('replay', capture, '--mic', mic, '--jsonl');
  assert.equal(code, 0, stderr);
  const all = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = all.pop()!;
  assert.equal(summary.type, 'summary');
  const events = all.filter((e) => e.type === 'packet');
  assert.ok(events.length > 100);
  assert.equal(summary.echo_packets, events.length);
  for (const event of events) {
    assert.deepEqual(Object.keys(event).sort(), [...PACKET_KEYS].sort());
    assert.equal(event.src, '192.0.2.10', 'only packets the Echo sent');
    assert.match(event.time as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }
  const classes = (summary.classes ?? {}) as Record<string, number>;
  const counted = events.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.class as string]: (acc[e.class as string] ?? 0) + 1 }), {});
  for (const [label, n] of Object.entries(counted)) assert.equal(classes[label], n, label);
  assert.ok(classes.not_justified > 0, 'the muted upload is labelled not_justified');
  assert.ok(classes.expected > 0, 'the command is labelled expected');
  assert.ok(classes.syn > 0, 'heartbeats are labelled syn');
  assert.equal(summary.device, '192.0.2.10', 'the busiest local sender is elected');
});

// device and device_name are earshot's additions to the contract: which Echo the alert is about.
const ALERT_KEYS = ['type', 'id', 'device', 'device_name', 'severity', 'time', 'start', 'mic', 'dst', 'bytes', 'packets', 'reason', 'flow', 'flows', 'evidence'];

test('replay --jsonl prints the muted upload as a critical alert and the misactivation as a warning, each ended', async () => {
  const { stdout } = await cli('replay', capture, '--mic', mic, '--jsonl');
  const events = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const alerts = events.filter((e) => e.type === 'alert');
  assert.deepEqual(alerts.map((a) => [a.severity, a.mic]), [['critical', 'muted'], ['warning', 'idle']]);
  for (const alert of alerts) {
    assert.deepEqual(Object.keys(alert).sort(), [...ALERT_KEYS].sort());
    assert.ok(Date.parse(alert.time as string) - Date.parse(alert.start as string) <= 1000, 'raised within a second');
    assert.match(alert.reason as string, /^uploaded [\d.]+ KB in [\d.]+ s to 198\.51\.100\.20:443 while the microphone was/);
    const end = events.find((e) => e.type === 'alert_end' && e.id === alert.id);
    assert.ok(end, `alert_end for ${alert.id}`);
    assert.ok((end.bytes as number) >= (alert.bytes as number), 'the totals at the end include the bytes at the alert');
    assert.ok(events.indexOf(end) > events.indexOf(alert));
  }
  assert.deepEqual((events.at(-1) as { alerts_by_severity: unknown }).alerts_by_severity, { critical: 1, warning: 1 });
});

test('replay without --jsonl prints a readable summary', async () => {
  const { code, stdout } = await cli('replay', capture, '--mic', mic);
  assert.equal(code, 0);
  assert.match(stdout, /packets the Echo sent: [\d,]+/);
  assert.match(stdout, /not_justified\s+[\d,]+\s+app data while muted/);
  assert.match(stdout, /echo\s+192\.0\.2\.10/);
  assert.match(stdout, /\d\d:\d\d:\d\d\.\d{3}  mic muted\n/);
  assert.match(stdout, /CRITICAL uploaded .* while the microphone was muted \[a1-/);
  assert.match(stdout, /alerts\s+1 critical, 1 warning/);
});

test('a missing capture exits 2 with one line naming the file', async () => {
  const missing = join(dir, 'nope.pcap');
  const { code, stderr } = await cli('replay', missing);
  assert.equal(code, 2);
  assert.equal(stderr.trimEnd().split('\n').length, 1);
  assert.ok(stderr.includes(missing) && /no such file/.test(stderr), stderr);
});

test('a file that is not a capture exits 2 and says so', async () => {
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello, this is not a capture\n');
  const { code, stderr } = await cli('replay', text, '--jsonl');
  assert.equal(code, 2);
  assert.match(stderr, /notes\.txt.*not a pcap or pcapng/);
  assert.equal(stderr.trimEnd().split('\n').length, 1, 'one line, no summary of nothing');
});

test('a truncated capture keeps the events read before the cut and says where it stopped', async () => {
  const truncated = join(dir, 'truncated.pcap');
  writeFileSync(truncated, captureBytes.subarray(0, Math.floor(captureBytes.length / 2) + 7));
  const { code, stdout, stderr } = await cli('replay', truncated, '--jsonl');
  assert.equal(code, 2);
  const events = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; frames?: number });
  assert.ok(events.filter((e) => e.type === 'packet').length > 50, 'packets before the cut are printed');
  assert.equal(events.at(-1)?.type, 'summary');
  assert.match(stderr, /truncated\.pcap.*byte \d+.*kept \d+ frames/);
});

test('a mic timeline with a bad row exits 2 naming the line and the field', async () => {
  const badMic = join(dir, 'bad-mic.csv');
  writeFileSync(badMic, 'time,state\n2026-01-15T12:00:00Z,idle\n2026-01-15T12:01:00Z,loud\n');
  const { code, stderr } = await cli('replay', capture, '--mic', badMic);
  assert.equal(code, 2);
  assert.match(stderr, /bad-mic\.csv: line 3: state: .*'loud'/);
});

test('a --device that is neither an IP nor a MAC exits 2', async () => {
  const { code, stderr } = await cli('replay', capture, '--device', 'kitchen-echo');
  assert.equal(code, 2);
  assert.match(stderr, /--device: expected an IP address or a MAC address \(got 'kitchen-echo'\)/);
});

test('--device by MAC selects the same Echo packets as by IP', async () => {
  const byIp = await cli('replay', capture, '--device', '192.0.2.10', '--jsonl');
  const byMac = await cli('replay', capture, '--device', '44-65-0D-12-34-56', '--jsonl');
  assert.equal(byMac.code, 0);
  assert.equal(byMac.stdout.split('\n').length, byIp.stdout.split('\n').length);
});

test('features writes the paper columns plus payload, one row per Echo packet', async () => {
  const out = join(dir, 'features.csv');
  const { code, stderr } = await cli('features', capture, '--mic', mic, '-o', out);
  assert.equal(code, 0, stderr);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], DATASET_HEADER);
  assert.equal(lines[0], 'date,length,dstip,dstport,highest_layer,delta,ack_flag,microphone,content_type,synchronized,class,payload');
  const replay = await cli('replay', capture, '--mic', mic, '--jsonl');
  assert.equal(lines.length - 1, replay.stdout.split('\n').filter((l) => l.startsWith('{"type":"packet"')).length);
  assert.ok(lines.slice(1).every((l) => l.split(',').length === 12));
});

test('features on a truncated capture keeps the rows before the cut', async () => {
  const truncated = join(dir, 'cut.pcap');
  writeFileSync(truncated, captureBytes.subarray(0, captureBytes.length - 10));
  const out = join(dir, 'cut.csv');
  const { code, stderr } = await cli('features', truncated, '-o', out);
  assert.equal(code, 2);
  assert.match(stderr, /cut\.pcap/);
  assert.ok(readFileSync(out, 'utf8').split('\n').length > 400);
});

test('features without -o is a usage error', async () => {
  const { code, stderr } = await cli('features', capture);
  assert.equal(code, 2);
  assert.match(stderr, /-o OUT\.csv is required/);
});

test('the earshot binary exits 2 on bad input and prints no stack trace', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'appliance/src/cli/bin.ts'), 'replay', join(dir, 'absent.pcap')], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    timeout: 30_000,
  });
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('replay piped into a reader that stops early (| head -1) exits 0 without a stack trace', () => {
  const bin = join(REPO_ROOT, 'appliance/src/cli/bin.ts');
  const result = spawnSync('bash', ['-c', 'set -o pipefail; "$0" --import tsx "$1" replay --jsonl "$2" | head -1', process.execPath, bin, capture], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    timeout: 60_000,
  });
  assert.equal(result.stdout.trimEnd().split('\n').length, 1);
  assert.equal(JSON.parse(result.stdout).type, 'packet');
  assert.doesNotMatch(result.stderr, /EPIPE|\n\s+at /);
  assert.equal(result.status, 0, result.stderr);
});

test('an unknown command exits 2 and lists the commands', async () => {
  const { code, stderr } = await cli('frobnicate');
  assert.equal(code, 2);
  assert.match(stderr, /unknown command 'frobnicate' \(commands: replay, features, figures, run, record, /);
  // Names every object has are not commands either.
  const inherited = await cli('constructor');
  assert.equal(inherited.code, 2);
  assert.match(inherited.stderr, /^earshot: unknown command 'constructor' /);
});

test('the simulator\'s commands are not the product\'s: one line points to the developer command, exit 2', async () => {
  for (const [name, pointer] of [['demo', 'make demo'], ['simulate', 'npx tsx sim/src/bin.ts simulate']]) {
    const { code, stdout, stderr } = await cli(name, '--speed', '2000');
    assert.equal(code, 2, name);
    assert.equal(stdout, '');
    assert.equal(stderr, `earshot ${name}: a developer command, not part of the box: run \`${pointer}\` in a checkout of the repository\n`);
  }
  const { stdout } = await cli('--help');
  assert.doesNotMatch(stdout, /earshot (demo|simulate)/);
});

test('replay --model reports the forest\'s classes, which agree with the labelling rules on most of the Echo\'s packets', async () => {
  const model = join(REPO_ROOT, 'models/earshot-forest.json');
  const rules = await cli('replay', capture, '--mic', mic, '--jsonl');
  const forest = await cli('replay', capture, '--mic', mic, '--model', model, '--jsonl');
  assert.equal(forest.code, 0, forest.stderr);
  const classes = (out: string): string[] => out.split('\n').filter((l) => l.startsWith('{"type":"packet"')).map((l) => (JSON.parse(l) as { class: string }).class);
  const a = classes(rules.stdout);
  const b = classes(forest.stdout);
  assert.equal(a.length, b.length);
  const agreeing = a.filter((c, i) => c === b[i]).length;
  assert.ok(agreeing / a.length >= 0.95, `${agreeing}/${a.length} agree`);
  // It misses a few heartbeats (recall 0.84 in models/REPORT.md): proof the forest spoke, not the rules.
  assert.ok(agreeing < a.length, 'the forest, not the rules, produced the classes');
});

test('replay --model with a file that is not a model exits 2 and names it', async () => {
  const notModel = join(dir, 'not-a-model.json');
  writeFileSync(notModel, '{"format": "something else"}');
  const { code, stderr } = await cli('replay', capture, '--model', notModel);
  assert.equal(code, 2);
  assert.match(stderr, /not-a-model\.json/);
});

test('a capture of an unsupported link type exits 2 with one line naming the link type', async () => {
  const { PcapBuilder } = await import('../../appliance/src/capture/capture-writer.js');
  const file = join(dir, 'usb.pcap');
  const pcap = new PcapBuilder(189);
  pcap.add(1_700_000_000_000_000, new Uint8Array(64));
  writeFileSync(file, Buffer.concat(pcap.take()));
  const { code, stdout, stderr } = await cli('replay', file);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  assert.match(stderr, /usb\.pcap: link type: 189 \(USB_LINUX_MMAPPED\) is not supported/);
});

test('replay judges each --device on its own, with the --mic given in the same order, and the alerts name the Echo', async () => {
  const file = join(dir, 'two-echos.pcap');
  const startUs = Date.parse('2026-01-15T12:00:00Z') * 1000;
  writeTwoEchoUploadsCapture(file, { uploads: 1, spacingS: 10, startUs });
  const kitchenMic = join(dir, 'kitchen-mic.csv');
  const bedroomMic = join(dir, 'bedroom-mic.csv');
  writeMicThroughout(kitchenMic, 'listening', startUs - 60_000_000);
  writeMicThroughout(bedroomMic, 'muted', startUs - 60_000_000);
  const run = await cli('replay', file, '--jsonl', '--device', `kitchen=${ECHO.ip}`, '--device', `Bedroom=${SECOND_ECHO.mac}`, '--mic', kitchenMic, '--mic', bedroomMic);
  assert.equal(run.code, 0, run.stderr);
  const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; device?: string; severity?: string; devices?: { id: string; alerts: number; echo_packets: number }[] });
  const alerts = events.filter((e) => e.type === 'alert');
  assert.ok(alerts.length >= 1, run.stdout);
  assert.ok(alerts.every((a) => a.device === 'bedroom' && a.severity === 'critical'), JSON.stringify(alerts));
  const summary = events.find((e) => e.type === 'summary')!;
  assert.deepEqual(summary.devices!.map((d) => [d.id, d.alerts > 0, d.echo_packets > 0]), [['kitchen', false, true], ['bedroom', true, true]]);
  const uneven = await cli('replay', file, '--device', ECHO.ip, '--device', SECOND_ECHO.ip, '--mic', kitchenMic);
  assert.equal(uneven.code, 2);
  assert.match(uneven.stderr, /--mic: expected one per --device, in the same order \(got 1 for 2 Echos\)/);
});
