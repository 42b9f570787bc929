// A curl upload at 16 kHz PCM rate while the ring is muted, live: `earshot run` captures on the
// Echo's veth in the upload lab's namespaces, with a real Mosquitto beside it, and the alert
// must reach a subscriber within 1.5 s of curl's first upload packet. curl (HTTP/1.1 over
// OpenSSL) is a stack nobody here wrote, so this is not the simulator agreeing with itself.

import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { liveUnavailableReason } from '../../sim/src/netns-lab.js';
import { ProcessOutput } from '../support/netns.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { exited, UPLOAD_LAB, UploadLab } from '../support/upload-lab.js';

const missing = ['mosquitto', 'mosquitto_sub', 'curl'].find((command) => spawnSync(command, ['--help']).error);
const skip = liveUnavailableReason() ?? (missing ? `${missing} is not installed` : undefined);
if (skip) console.log(`skipping the live curl upload test: ${skip}`);

interface Received {
  atMs: number;
  topic: string;
  payload: string;
}

/** mosquitto_sub's lines, each stamped with when it arrived here. */
function subscribe(lab: UploadLab, port: number, topic: string): { child: ChildProcess; messages: Received[]; output: ProcessOutput } {
  const child = lab.spawnInEcho('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-v', '-t', topic]);
  const messages: Received[] = [];
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) {
      const space = line.indexOf(' ');
      messages.push({ atMs: Date.now(), topic: line.slice(0, space), payload: line.slice(space + 1) });
    }
  });
  return { child, messages, output: new ProcessOutput(child) };
}

/** Resolves once the child's stderr (where mosquitto logs) matches; rejects on exit or timeout. */
function stderrShows(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${text.trim()}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${text.trim()}`)));
    child.stderr!.setEncoding('utf8').on('data', (data: string) => {
      text += data;
      if (!pattern.test(text)) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('a real client uploading while muted, live', { skip, timeout: 180_000 }, () => {
  test('a curl upload at 32 KB/s while muted is a critical alert on MQTT within 1.5 s of its first packet', async () => {
    const lab = await UploadLab.create();
    const children: ChildProcess[] = [];
    try {
      const port = 18830;
      writeFileSync(join(lab.dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\nlog_dest stderr\n`);
      const broker = lab.spawnInEcho('mosquitto', ['-c', join(lab.dir, 'mosquitto.conf')]);
      children.push(broker);
      await stderrShows(broker, /mosquitto version \S+ running/, 15_000, 'mosquitto');
      const alerts = subscribe(lab, port, 'earshot/live-curl/alert');
      children.push(alerts.child);

      const mic = join(lab.dir, 'mic.csv');
      writeFileSync(mic, `time,state\n${Date.now() - 60_000},muted\n`);
      const config = join(lab.dir, 'earshot.json');
      const state = join(lab.dir, 'state.json');
      writeFileSync(config, JSON.stringify({ id: 'live-curl', capture: { interface: 'eth0' }, device: { ip: UPLOAD_LAB.echoIp }, mic: { timeline: mic }, mqtt: { url: `mqtt://127.0.0.1:${port}` }, state: { path: state } }));
      const service = lab.spawnInEcho(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'appliance/src/cli/bin.ts'), 'run', '--config', config]);
      children.push(service);
      const serviceOutput = new ProcessOutput(service);
      // "capturing" comes just before libpcap opens; curl's process start and TLS handshake take
      // far longer than that before its first upload byte, which is where the episode starts.
      await serviceOutput.waitFor((line) => (line.includes(': capturing ') ? true : undefined), 30_000, 'earshot run to capture');
      await serviceOutput.waitFor((line) => (line.includes('mqtt: connected') ? true : undefined), 30_000, 'earshot run to connect');

      const body = join(lab.dir, 'body.bin');
      writeFileSync(body, randomBytes(185_000));
      const curlStartedMs = Date.now();
      const curl = await lab.inEcho('curl', ['-sS', '-k', '--http1.1', '-H', 'Expect:', '--limit-rate', '32k', '--data-binary', `@${body}`, '-o', '/dev/null', '-w', '%{http_code}', `https://${UPLOAD_LAB.cloudIp}/upload`], 60_000);
      assert.equal(curl.stdout, '200');

      const raised = alerts.messages.map((m) => ({ ...m, event: JSON.parse(m.payload) as { type: string; severity: string; start: string; time: string; flows: unknown[] } })).filter((m) => m.event.type === 'alert');
      assert.ok(raised.length >= 1, `no alert on MQTT: ${alerts.messages.length} messages`);
      const first = raised[0];
      assert.equal(first.event.severity, 'critical');
      const startMs = Date.parse(first.event.start);
      assert.ok(startMs >= curlStartedMs - 50, 'the episode began with curl, not before');
      const deliveredMs = first.atMs - startMs;
      console.log(`curl 32 KB/s while muted: alert on MQTT ${deliveredMs} ms after the upload's first packet (decided ${Date.parse(first.event.time) - startMs} ms after it)`);
      assert.ok(deliveredMs <= 1_500, `the alert reached MQTT ${deliveredMs} ms after the upload began`);
      assert.ok(first.event.flows.length >= 1);
    } finally {
      for (const child of children.reverse()) {
        child.kill('SIGTERM');
        await exited(child);
      }
      await lab.cleanup();
    }
  });
});
