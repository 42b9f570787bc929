// The simulated TCP connection, checked with earshot's own decoder and flow table: sequence and
// ACK numbers stay consistent, ACKs come the way Linux sends them, and only the segments the
// simulator lost are retransmissions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { TcpFlag, type CapturedFrame, type DecodedPacket } from '../../appliance/src/decode/types.js';
import { FlowTable } from '../../appliance/src/flows/flow-table.js';
import { EventQueue } from '../../sim/src/event-queue.js';
import { SeededRandom } from '../../sim/src/seeded-random.js';
import { TcpSession, type TcpSessionOptions } from '../../sim/src/tcp-session.js';
import { TlsChannel } from '../../sim/src/tls-channel.js';

const ECHO = { mac: '02:00:00:00:00:0a', ip: '192.0.2.10', port: 40000 };
const SERVER = { mac: '02:00:00:00:00:01', ip: '198.51.100.20', port: 443 };

function lab(seed: number, options: Partial<TcpSessionOptions> = {}) {
  const frames: CapturedFrame[] = [];
  const queue = new EventQueue(1_700_000_000_000_000);
  const ctx = { queue, random: new SeededRandom(seed), capture: (timeUs: number, bytes: Uint8Array) => void frames.push({ timeUs, bytes, originalLength: bytes.length, linkType: 1 }) };
  const tcp = new TcpSession(ctx, { echo: ECHO, server: SERVER, rttUs: 50_000, timestamps: true, ...options });
  const tls = new TlsChannel(tcp, ctx, { serverName: 'example.test', profile: 'compact', alpn: ['h2'] });
  return { frames, queue, tcp, tls };
}

function decoded(frames: CapturedFrame[]): DecodedPacket[] {
  return frames.map((f) => decodeFrame(f)).flatMap((d) => (d.ok ? [d.packet] : []));
}

/** One upload, one 400 KB download, then an orderly close. */
function exchange(l: ReturnType<typeof lab>): void {
  l.tls.start(() => {
    for (let i = 0; i < 60; i++) l.queue.after(i * 20_000, () => l.tls.echoSends([89]));
    l.queue.after(2_000_000, () => l.tls.serverSends(Array(25).fill(16_360), { coalesce: true, burstSegments: 10, bytesPerSecond: 1_000_000 }));
    l.queue.after(4_000_000, () => l.tls.close('fin'));
  });
  l.queue.runUntil();
}

test('frames come out in capture-time order', () => {
  const l = lab(1);
  exchange(l);
  assert.ok(l.frames.length > 300);
  for (let i = 1; i < l.frames.length; i++) assert.ok(l.frames[i].timeUs >= l.frames[i - 1].timeUs, `frame ${i} goes back in time`);
});

test('without loss no segment is a retransmission and no ACK acknowledges bytes not yet seen', () => {
  const l = lab(2);
  exchange(l);
  const table = new FlowTable();
  const highest = new Map<string, number>();
  for (const p of decoded(l.frames)) {
    const tcp = p.tcp!;
    const obs = table.observe(p)!;
    assert.equal(obs.isRetransmission, false, `retransmission at ${p.timeUs}`);
    const from = `${p.src}:${tcp.srcPort}`;
    const to = `${p.dst}:${tcp.dstPort}`;
    const end = (tcp.seq + p.payloadLength + ((tcp.flags & (TcpFlag.SYN | TcpFlag.FIN)) !== 0 ? 1 : 0)) >>> 0;
    if (!highest.has(from) || ((end - highest.get(from)!) | 0) > 0) highest.set(from, end);
    if ((tcp.flags & TcpFlag.ACK) !== 0 && highest.has(to)) assert.ok(((tcp.ack - highest.get(to)!) | 0) <= 0, `${from} acks ${tcp.ack}, beyond what ${to} sent`);
  }
});

test('the Echo ACKs a bulk download about every second segment, as Linux does', () => {
  const l = lab(3);
  exchange(l);
  const packets = decoded(l.frames);
  const serverData = packets.filter((p) => p.src === SERVER.ip && p.payloadLength > 1000).length;
  const echoAcks = packets.filter((p) => p.src === ECHO.ip && p.payloadLength === 0 && (p.tcp!.flags & (TcpFlag.SYN | TcpFlag.FIN)) === 0).length;
  assert.ok(serverData > 250, `only ${serverData} data segments`);
  const ratio = echoAcks / serverData;
  assert.ok(ratio > 0.4 && ratio < 0.75, `${echoAcks} ACKs for ${serverData} segments`);
  assert.equal(l.tcp.stats.echoAcks, echoAcks);
});

test('segments lost beyond the AP are sent again, and every retransmission the flow table flags is one of them', () => {
  const l = lab(4, { echoLossRate: 0.1 });
  exchange(l);
  const table = new FlowTable();
  const sent = new Set<number>();
  let resent = 0;
  let flagged = 0;
  for (const p of decoded(l.frames)) {
    const isRetransmission = table.observe(p)!.isRetransmission;
    if (p.src !== ECHO.ip || p.payloadLength === 0) continue;
    const again = sent.has(p.tcp!.seq);
    sent.add(p.tcp!.seq);
    if (again) resent++;
    if (isRetransmission) {
      flagged++;
      assert.ok(again, `segment ${p.tcp!.seq} flagged but never sent before`);
    }
  }
  assert.ok(resent >= 3, `only ${resent} segments sent again at 10% loss`);
  assert.equal(resent, l.tcp.stats.echoRetransmissions);
  // A copy sent within one RTT of newer data is "out of order" to tshark, not a retransmission.
  assert.ok(flagged >= resent / 2, `${flagged} of ${resent} flagged`);
});

test('a close that crosses the server’s own close ends in three RSTs without ACK from the Echo', () => {
  const l = lab(5);
  l.tls.start(() => l.queue.after(100_000, () => l.tls.closeCrossing()));
  l.queue.runUntil();
  const resets = decoded(l.frames).filter((p) => p.src === ECHO.ip && (p.tcp!.flags & TcpFlag.RST) !== 0);
  assert.equal(resets.length, 3);
  assert.ok(resets.every((p) => (p.tcp!.flags & TcpFlag.ACK) === 0 && p.frameLength === 54));
});

test('the handshake is SYN with timestamps from the Echo, SYN-ACK, then its ACK', () => {
  const l = lab(6, { timestamps: false });
  l.tcp.open(() => {});
  l.queue.runUntil();
  const [syn, synAck, ack] = decoded(l.frames);
  assert.equal(syn.tcp!.flags, TcpFlag.SYN);
  assert.equal(syn.frameLength, 74, "the paper's 74-byte SYN");
  assert.equal(synAck.tcp!.flags, TcpFlag.SYN | TcpFlag.ACK);
  assert.equal(synAck.tcp!.ack, (syn.tcp!.seq + 1) >>> 0);
  assert.equal(ack.frameLength, 54, 'no timestamps once the server declined them');
  assert.equal(ack.tcp!.ack, (synAck.tcp!.seq + 1) >>> 0);
});
