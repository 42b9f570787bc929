// On the real Echo captures, earshot's handshake/ack/retransmit decisions and its `delta` must
// agree with tshark's dissection of the same files, and its class mix is shown beside the paper's.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSource } from '../../appliance/src/capture/file-source.js';
import { runCapture } from '../../appliance/src/pipeline/capture-run.js';
import { paperLabel, type PacketClass } from '../../appliance/src/features/packet-class.js';
import { sharedDataDir } from '../support/shared-data.js';

type Category = 'handshake' | 'ack' | 'retransmit' | 'other';

const categoryOf = (c: PacketClass): Category => (c === 'handshake' || c === 'ack' || c === 'retransmit' ? c : 'other');

const TSHARK_FIELDS = ['tcp.len', 'tcp.flags.ack', 'tcp.analysis.retransmission', 'tls.record.content_type', 'tcp.time_delta'];

/** The same rules, applied to tshark's fields: retransmission flag, bare ACK, first TLS record type. */
function tsharkCategory(fields: string[]): Category {
  const [len, ack, retransmission, contentTypes] = fields;
  if (retransmission === '1' || (len === '0' && ack === '0')) return 'retransmit';
  if (len === '0') return 'ack';
  const first = Number(contentTypes.split(',')[0]);
  return first === 20 || first === 21 || first === 22 ? 'handshake' : 'other';
}

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('on the real Echo captures, handshake, ack and retransmit agree with tshark for at least 99% of the Echo TCP packets', async (t) => {
  const dir = sharedDataDir('echo-pcaps');
  if (!dir) return t.skip('../shared/data/echo-pcaps is absent');
  if (!hasTshark()) return t.skip('tshark is not installed');
  let total = 0;
  let agreeing = 0;
  let deltaAgreeing = 0;
  const mix = new Map<string, number>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pcap'))) {
    const path = join(dir, file);
    const ours: { category: Category; delta: number }[] = [];
    const run = await runCapture(new FileSource(path), {}, {
      packet: (_packet, features) => {
        ours.push({ category: categoryOf(features.packetClass), delta: features.delta });
        mix.set(paperLabel(features.packetClass), (mix.get(paperLabel(features.packetClass)) ?? 0) + 1);
      },
    });
    assert.equal(run.inputError, undefined, `${file} read completely`);
    const echo = run.pipeline.device?.addresses[0];
    assert.equal(echo, '10.63.7.79', `${file}: the Echo is elected as the busiest local sender`);
    const args = ['-r', path, '-Y', `ip.src==${echo} && tcp`, '-T', 'fields', '-E', 'separator=/t', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
    const rows = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] })
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'));
    assert.equal(ours.length, rows.length, `${file}: the same number of Echo TCP packets`);
    rows.forEach((fields, i) => {
      total++;
      if (tsharkCategory(fields) === ours[i].category) agreeing++;
      if (Math.floor(Number(fields[4]) * 1000 + 1e-6) === ours[i].delta) deltaAgreeing++;
    });
  }
  const agreement = agreeing / total;
  const deltaAgreement = deltaAgreeing / total;
  console.log(`handshake/ack/retransmit agreement with tshark: ${agreeing}/${total} = ${(100 * agreement).toFixed(3)}%`);
  console.log(`delta agreement with tcp.time_delta (whole ms): ${deltaAgreeing}/${total} = ${(100 * deltaAgreement).toFixed(3)}%`);
  console.log(`class mix on echo-pcaps (no mic timeline): ${JSON.stringify(Object.fromEntries(mix))}`);
  assert.ok(total > 10000, 'the captures hold thousands of Echo TCP packets');
  assert.ok(agreement >= 0.99, `agreement ${agreement}`);
  assert.ok(deltaAgreement >= 0.99, `delta agreement ${deltaAgreement}`);
});

test('the paper dataset is read whole, so its class mix can stand beside earshot\'s', (t) => {
  const dir = sharedDataDir('paper-dataset');
  if (!dir) return t.skip('../shared/data/paper-dataset is absent');
  const mix = new Map<string, number>();
  let rows = 0;
  for (const context of readdirSync(dir)) {
    for (const file of readdirSync(join(dir, context)).filter((f) => f.endsWith('.csv'))) {
      const lines = readFileSync(join(dir, context, file), 'utf8').trimEnd().split('\n');
      const classColumn = lines[0].split(',').indexOf('class');
      for (const line of lines.slice(1)) {
        const label = line.split(',')[classColumn];
        mix.set(label, (mix.get(label) ?? 0) + 1);
        rows++;
      }
    }
  }
  console.log(`paper dataset class mix (${rows} rows): ${JSON.stringify(Object.fromEntries(mix))}`);
  assert.equal(rows, 62630, 'the paper dataset has 62,630 rows');
  assert.equal(mix.get('ack'), 48252);
});
