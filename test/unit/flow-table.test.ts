import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { LinkType, TcpFlag, type DecodedPacket } from '../../appliance/src/decode/types.js';
import { FlowTable } from '../../appliance/src/flows/flow-table.js';
import type { PacketContext } from '../../appliance/src/flows/packet-context.js';
import { analyseSegment, newDirectionState } from '../../appliance/src/flows/tcp-analysis.js';
import { concat, icmpEchoFrame, tcpFrame, tlsRecord, udpFrame, type Endpoint } from '../../sim/src/frame-builder.js';

const echo: Endpoint = { mac: '68:54:fd:0a:1b:2c', ip: '192.168.1.50', port: 49152 };
const echo2: Endpoint = { ...echo, port: 49153 };
const cloud: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '52.94.233.10', port: 443 };
const T0 = 1_700_000_000_000_000;
const MS = 1000;
const S = 1_000_000;
const { SYN, ACK, FIN, PSH } = TcpFlag;

function decoded(timeUs: number, bytes: Uint8Array): DecodedPacket {
  const result = decodeFrame({ timeUs, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes });
  if (!result.ok) assert.fail(`frame did not decode: ${result.reason}`);
  return result.packet;
}

/** A TCP segment; a number as payload means that many filler bytes. */
function tcp(timeUs: number, from: Endpoint, to: Endpoint, seq: number, ack: number, flags: number, payload?: Uint8Array | number): DecodedPacket {
  const bytes = typeof payload === 'number' ? new Uint8Array(payload).fill(0x42) : payload;
  return decoded(timeUs, tcpFrame({ from, to, seq, ack, flags, payload: bytes }));
}

type Seen = Omit<PacketContext, 'tlsRecords' | 'packet'> & { tlsRecords: Array<[number, number]> };

/** Observes and copies the (reused) observation. */
function see(table: FlowTable, packet: DecodedPacket): Seen {
  const obs = table.observe(packet);
  if (!obs) assert.fail('expected an observation');
  const { packet: _packet, ...rest } = obs;
  return { ...rest, tlsRecords: obs.tlsRecords.map((r) => [r.contentType, r.length]) };
}

/** SYN at t, SYN-ACK at t+20 ms, ACK at t+40 ms. The client's next seq is cIsn+1, the server's sIsn+1. */
function handshake(table: FlowTable, t: number, client: Endpoint, server: Endpoint, cIsn = 1000, sIsn = 5000): Seen[] {
  return [
    see(table, tcp(t, client, server, cIsn, 0, SYN)),
    see(table, tcp(t + 20 * MS, server, client, sIsn, cIsn + 1, SYN | ACK)),
    see(table, tcp(t + 40 * MS, client, server, cIsn + 1, sIsn + 1, ACK)),
  ];
}

test('deltaMs is whole milliseconds since the previous packet of the stream in either direction, 0 for the first', () => {
  const table = new FlowTable();
  const deltas = [
    see(table, tcp(T0, echo, cloud, 1000, 0, SYN)),
    see(table, tcp(T0 + 20_500, cloud, echo, 5000, 1001, SYN | ACK)),
    see(table, tcp(T0 + 41_000, echo, cloud, 1001, 5001, ACK)),
    see(table, tcp(T0 + 41_999, cloud, echo, 5001, 1001, ACK | PSH, 10)),
    see(table, tcp(T0 + 3_041_999, echo, cloud, 1001, 5011, ACK)),
  ].map((o) => [o.deltaMs, o.fromInitiator]);
  assert.deepEqual(deltas, [
    [0, true],
    [20, false],
    [20, true],
    [0, false],
    [3000, true],
  ]);
});

test('a packet stamped earlier than the previous one gets delta 0', () => {
  const table = new FlowTable();
  see(table, tcp(T0, echo, cloud, 1000, 0, ACK));
  assert.equal(see(table, tcp(T0 - 5 * MS, cloud, echo, 5000, 1000, ACK)).deltaMs, 0);
  assert.equal(see(table, tcp(T0 + 7 * MS, echo, cloud, 1000, 5000, ACK)).deltaMs, 12, 'measured from the last packet seen');
});

test('separate streams keep their own stream index and delta', () => {
  const table = new FlowTable();
  const other: Endpoint = { ...cloud, ip: '52.94.233.11' };
  const seen = [
    see(table, tcp(T0, echo, cloud, 1, 0, ACK)),
    see(table, tcp(T0 + 10 * MS, echo2, cloud, 1, 0, ACK)),
    see(table, tcp(T0 + 12 * MS, echo, other, 1, 0, ACK)),
    see(table, tcp(T0 + 25 * MS, cloud, echo, 1, 1, ACK)),
    see(table, tcp(T0 + 100 * MS, echo2, cloud, 1, 1, ACK)),
    see(table, tcp(T0 + 101 * MS, other, echo, 1, 1, ACK)),
  ].map((o) => [o.streamIndex, o.deltaMs, o.fromInitiator]);
  assert.deepEqual(seen, [
    [0, 0, true],
    [1, 0, true],
    [2, 0, true],
    [0, 25, false],
    [1, 90, true],
    [2, 89, false],
  ]);
  assert.equal(table.size, 3);
});

test('a retransmitted data segment is flagged and the original and the next new data are not', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  const flags = [
    see(table, tcp(T0 + 100 * MS, echo, cloud, 1001, 5001, ACK | PSH, 100)),
    see(table, tcp(T0 + 300 * MS, echo, cloud, 1001, 5001, ACK | PSH, 100)),
    see(table, tcp(T0 + 310 * MS, echo, cloud, 1101, 5001, ACK | PSH, 100)),
  ].map((o) => o.isRetransmission);
  assert.deepEqual(flags, [false, true, false]);
});

test('a retransmitted SYN is flagged and stays in the same stream', () => {
  const table = new FlowTable();
  const seen = [
    see(table, tcp(T0, echo, cloud, 777, 0, SYN)),
    see(table, tcp(T0 + S, echo, cloud, 777, 0, SYN)),
    see(table, tcp(T0 + 3 * S, echo, cloud, 777, 0, SYN)),
  ].map((o) => [o.streamIndex, o.deltaMs, o.isRetransmission]);
  assert.deepEqual(seen, [
    [0, 0, false],
    [0, 1000, true],
    [0, 2000, true],
  ]);
});

test('a keep-alive of 0 or 1 byte at nextseq-1 is not a retransmission', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  see(table, tcp(T0 + 100 * MS, echo, cloud, 1001, 5001, ACK | PSH, 100));
  see(table, tcp(T0 + 140 * MS, cloud, echo, 5001, 1101, ACK));
  const flags = [
    see(table, tcp(T0 + 45 * S, echo, cloud, 1100, 5001, ACK)),
    see(table, tcp(T0 + 90 * S, echo, cloud, 1100, 5001, ACK, 1)),
    see(table, tcp(T0 + 135 * S, echo, cloud, 1099, 5001, ACK, 2)),
  ].map((o) => o.isRetransmission);
  assert.deepEqual(flags, [false, false, true], 'a 2-byte segment further back is a real retransmission');
});

test('a spurious retransmission of data the peer already acked is flagged', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  // The client's first 100 bytes were never captured, but the server's ACK for them was.
  see(table, tcp(T0 + 150 * MS, cloud, echo, 5001, 1101, ACK));
  const resent = see(table, tcp(T0 + 400 * MS, echo, cloud, 1001, 5001, ACK | PSH, 100));
  assert.equal(resent.isRetransmission, true);
  assert.equal(see(table, tcp(T0 + 410 * MS, echo, cloud, 1101, 5001, ACK | PSH, 50)).isRetransmission, false);
});

test('an out-of-order segment within 3 ms of the highest one is not a retransmission; 5 ms later it is', () => {
  for (const [lateUs, expected] of [
    [1 * MS, false],
    [2_999, false],
    [5 * MS, true],
  ] as const) {
    const table = new FlowTable(); // no handshake seen: Wireshark's default 3 ms window applies
    see(table, tcp(T0, echo, cloud, 2000, 1, ACK | PSH, 100));
    see(table, tcp(T0 + 10 * MS, echo, cloud, 2200, 1, ACK | PSH, 100)); // 2100..2200 is missing
    const late = see(table, tcp(T0 + 10 * MS + lateUs, echo, cloud, 2100, 1, ACK | PSH, 100));
    assert.equal(late.isRetransmission, expected, `segment ${lateUs} us after the highest one`);
  }
});

test('after a handshake the out-of-order window is the first round-trip time', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud); // SYN to ACK: 40 ms
  see(table, tcp(T0 + 100 * MS, echo, cloud, 1001, 5001, ACK | PSH, 100));
  see(table, tcp(T0 + 110 * MS, echo, cloud, 1201, 5001, ACK | PSH, 100));
  assert.equal(see(table, tcp(T0 + 140 * MS, echo, cloud, 1101, 5001, ACK | PSH, 100)).isRetransmission, false);
  const table2 = new FlowTable();
  handshake(table2, T0, echo, cloud);
  see(table2, tcp(T0 + 100 * MS, echo, cloud, 1001, 5001, ACK | PSH, 100));
  see(table2, tcp(T0 + 110 * MS, echo, cloud, 1201, 5001, ACK | PSH, 100));
  assert.equal(see(table2, tcp(T0 + 160 * MS, echo, cloud, 1101, 5001, ACK | PSH, 100)).isRetransmission, true);
});

test('a new SYN with a different ISN on a closed 4-tuple starts a new stream with delta 0', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  see(table, tcp(T0 + S, echo, cloud, 1001, 5001, FIN | ACK));
  see(table, tcp(T0 + S + 20 * MS, cloud, echo, 5001, 1002, FIN | ACK));
  see(table, tcp(T0 + S + 40 * MS, echo, cloud, 1002, 5002, ACK));
  const seen = handshake(table, T0 + 6 * S, echo, cloud, 900_000, 300_000).map((o) => [o.streamIndex, o.deltaMs, o.fromInitiator, o.isRetransmission]);
  assert.deepEqual(seen, [
    [1, 0, true, false],
    [1, 20, false, false],
    [1, 20, true, false],
  ]);
  assert.equal(table.size, 1, 'the old stream is replaced, not kept beside the new one');
  assert.equal(table.evicted, 0);
});

test(
  'a duplicate of the original SYN that arrives after data is a retransmission in the same stream',

  () => {
    const table = new FlowTable();
    handshake(table, T0, echo, cloud);
    see(table, tcp(T0 + 100 * MS, echo, cloud, 1001, 5001, ACK | PSH, 100));
    const duplicate = see(table, tcp(T0 + 1100 * MS, echo, cloud, 1000, 0, SYN));
    assert.deepEqual([duplicate.streamIndex, duplicate.deltaMs, duplicate.isRetransmission], [0, 1000, true]);
  },
);

test('after a reset, a SYN starts a new stream even when it reuses the ISN', () => {
  const table = new FlowTable();
  see(table, tcp(T0, echo, cloud, 1000, 0, SYN));
  see(table, tcp(T0 + 20 * MS, cloud, echo, 0, 1001, TcpFlag.RST | ACK));
  const again = see(table, tcp(T0 + S, echo, cloud, 1000, 0, SYN));
  assert.deepEqual([again.streamIndex, again.deltaMs, again.isRetransmission], [1, 0, false]);
});

test('a SYN with a different ISN on an open 4-tuple also starts a new stream', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  const syn = see(table, tcp(T0 + 10 * S, echo, cloud, 424242, 0, SYN));
  assert.deepEqual([syn.streamIndex, syn.deltaMs, syn.isRetransmission], [1, 0, false]);
});

test('UDP flows get a stream index and delta but no TCP or TLS analysis', () => {
  const table = new FlowTable();
  const quic = tlsRecord(23, 41); // looks like TLS, but UDP payloads are not tracked
  const datagram = (t: number, from: Endpoint, to: Endpoint): DecodedPacket => decoded(t, udpFrame({ from, to, payload: quic }));
  const tcpSeen = see(table, tcp(T0, echo, cloud, 1, 0, ACK));
  const seen = [
    see(table, datagram(T0 + MS, echo, cloud)),
    see(table, datagram(T0 + 1500 + MS, echo, cloud)),
    see(table, datagram(T0 + 40 * MS, cloud, echo)),
    see(table, datagram(T0 + 40 * S, echo, cloud)),
  ];
  assert.equal(tcpSeen.streamIndex, 0);
  assert.deepEqual(
    seen.map((o) => [o.streamIndex, o.deltaMs, o.fromInitiator, o.isRetransmission, o.tlsRecords.length, o.tlsContinuedType, o.repeatsFixedSizeRecord]),
    [
      [1, 0, true, false, 0, 0, false],
      [1, 1, true, false, 0, 0, false],
      [1, 37, false, false, 0, 0, false],
      [1, 39960, true, false, 0, 0, false],
    ],
  );
});

test('packets without a TCP or UDP header are not observed', () => {
  const table = new FlowTable();
  const ping = decoded(T0, icmpEchoFrame({ from: echo, to: cloud, identifier: 1, sequence: 1 }));
  assert.equal(table.observe(ping), undefined);
  assert.equal(table.size, 0);
});

test('TLS records are tracked per direction across segments', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  const upload = concat(tlsRecord(23, 2000), tlsRecord(21, 26));
  const first = see(table, tcp(T0 + S, echo, cloud, 1001, 5001, ACK, upload.subarray(0, 1448)));
  const reply = see(table, tcp(T0 + S + MS, cloud, echo, 5001, 2449, ACK, tlsRecord(22, 40)));
  const second = see(table, tcp(T0 + S + 2 * MS, echo, cloud, 2449, 5046, ACK, upload.subarray(1448)));
  assert.deepEqual([first.tlsRecords, first.tlsContinuedType], [[[23, 2000]], 0]);
  assert.deepEqual([reply.tlsRecords, reply.tlsContinuedType], [[[22, 40]], 0]);
  assert.deepEqual([second.tlsRecords, second.tlsContinuedType], [[[21, 26]], 23]);
});

test('repeatsFixedSizeRecord marks a lone small app-data record repeating at least 5 s after the last one', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  let seq = 1001;
  const send = (t: number, payload: Uint8Array): Seen => {
    const o = see(table, tcp(t, echo, cloud, seq, 5001, ACK | PSH, payload));
    seq += payload.length;
    return o;
  };
  const repeats = [
    send(T0 + 1 * S, tlsRecord(23, 100)), // first of its size
    send(T0 + 31 * S, tlsRecord(23, 100)), // 30 s later
    send(T0 + 35 * S, tlsRecord(23, 100)), // 4 s later: too soon
    send(T0 + 40 * S, tlsRecord(23, 100)), // exactly 5 s later
    send(T0 + 70 * S, tlsRecord(23, 120)), // another size
    send(T0 + 100 * S, tlsRecord(23, 100)), // the size changed in between
    send(T0 + 130 * S, tlsRecord(23, 300)),
    send(T0 + 160 * S, tlsRecord(23, 300)), // too long to be periodic
    send(T0 + 190 * S, tlsRecord(23, 256)),
    send(T0 + 220 * S, tlsRecord(23, 256)), // the longest that counts
    send(T0 + 521 * S, tlsRecord(23, 256)), // 301 s later: too far apart
    send(T0 + 530 * S, concat(tlsRecord(23, 256), tlsRecord(23, 256))), // not lone
    send(T0 + 560 * S, tlsRecord(22, 256)), // not app data
    send(T0 + 590 * S, tlsRecord(23, 256)), // 69 s after the last lone app-data record
  ].map((o) => o.repeatsFixedSizeRecord);
  assert.deepEqual(repeats, [false, true, false, true, false, false, false, false, false, true, false, false, false, true]);
});

test('a retransmitted heartbeat record is not counted as a repeat', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  see(table, tcp(T0 + S, echo, cloud, 1001, 5001, ACK | PSH, tlsRecord(23, 36)));
  const retransmission = see(table, tcp(T0 + 7 * S, echo, cloud, 1001, 5001, ACK | PSH, tlsRecord(23, 36)));
  assert.deepEqual([retransmission.isRetransmission, retransmission.repeatsFixedSizeRecord], [true, false]);
  assert.equal(see(table, tcp(T0 + 31 * S, echo, cloud, 1042, 5001, ACK | PSH, tlsRecord(23, 36))).repeatsFixedSizeRecord, true);
});

test('a record of the same size from the other direction does not count as a repeat', () => {
  const table = new FlowTable();
  handshake(table, T0, echo, cloud);
  see(table, tcp(T0 + S, echo, cloud, 1001, 5001, ACK | PSH, tlsRecord(23, 36)));
  assert.equal(see(table, tcp(T0 + 31 * S, cloud, echo, 5001, 1042, ACK | PSH, tlsRecord(23, 36))).repeatsFixedSizeRecord, false);
});

test('idle flows are swept by capture time and counted as evicted', () => {
  const table = new FlowTable({ idleTimeoutUs: 120 * S, closedTimeoutUs: 30 * S });
  const third: Endpoint = { ...echo, port: 50000 };
  see(table, tcp(T0, echo, cloud, 1, 0, ACK));
  see(table, tcp(T0 + MS, echo2, cloud, 1, 0, FIN | ACK)); // closed
  assert.equal(table.size, 2);
  // 61 s later the sweep runs: the closed flow is past 30 s, the open one not past 120 s.
  const c = see(table, tcp(T0 + 61 * S, third, cloud, 1, 0, ACK));
  assert.deepEqual([table.size, table.evicted, c.streamIndex], [2, 1, 2]);
  // 122 s: the first flow has been idle 122 s; the third only 61 s.
  see(table, tcp(T0 + 122 * S, third, cloud, 1, 0, ACK));
  assert.deepEqual([table.size, table.evicted], [1, 2]);
  // The swept flow comes back as a new stream.
  const again = see(table, tcp(T0 + 123 * S, echo, cloud, 1, 0, ACK));
  assert.deepEqual([again.streamIndex, again.deltaMs, table.size], [3, 0, 2]);
});

test('flows idle for less than the timeout survive the sweep', () => {
  const table = new FlowTable({ idleTimeoutUs: 90 * S, closedTimeoutUs: 90 * S });
  see(table, tcp(T0, echo, cloud, 1, 0, ACK));
  see(table, tcp(T0 + 61 * S, echo2, cloud, 1, 0, ACK));
  assert.deepEqual([table.size, table.evicted], [2, 0]);
  const back = see(table, tcp(T0 + 62 * S, cloud, echo, 1, 1, ACK));
  assert.deepEqual([back.streamIndex, back.deltaMs], [0, 62_000]);
});

test('the maxFlows bound holds and every flow pushed out is counted', () => {
  const table = new FlowTable({ maxFlows: 4 });
  let maxSize = 0;
  for (let i = 0; i < 10; i++) {
    see(table, tcp(T0 + i * MS, { ...echo, port: 40000 + i }, cloud, 1, 0, ACK));
    maxSize = Math.max(maxSize, table.size);
  }
  assert.deepEqual([maxSize, table.size, table.evicted], [4, 4, 6]);
  // The latest flow is still known, with its delta.
  const latest = see(table, tcp(T0 + 20 * MS, cloud, { ...echo, port: 40009 }, 1, 1, ACK));
  assert.deepEqual([latest.streamIndex, latest.deltaMs], [9, 11]);
  // The first one was pushed out and comes back as a new stream.
  const first = see(table, tcp(T0 + 21 * MS, { ...echo, port: 40000 }, cloud, 1, 0, ACK));
  assert.deepEqual([first.streamIndex, first.deltaMs, table.size, table.evicted], [10, 0, 4, 7]);
});

test('analyseSegment counts a fast retransmission after two duplicate ACKs even inside the out-of-order window', () => {
  const run = (serverAcks: number): boolean => {
    const client = newDirectionState();
    const server = newDirectionState();
    const timing = { synTimeUs: -1, firstRttUs: 0 };
    analyseSegment(client, server, timing, T0, 1000, 1, ACK, 500, 100);
    analyseSegment(client, server, timing, T0 + 1000, 1100, 1, ACK, 500, 100);
    analyseSegment(client, server, timing, T0 + 2000, 1200, 1, ACK, 500, 100);
    for (let i = 0; i < serverAcks; i++) analyseSegment(server, client, timing, T0 + 2100 + i * 100, 1, 1100, ACK, 500, 0);
    assert.equal(server.dupAckCount, serverAcks - 1);
    // 0.5 ms after the highest segment: out of order, unless the peer asked for it twice more.
    return analyseSegment(client, server, timing, T0 + 2500, 1100, 1, ACK, 500, 100);
  };
  assert.equal(run(1), false);
  assert.equal(run(3), true);
});

test('flows that share one hash bucket are kept apart, closed, swept and evicted exactly as in separate buckets', () => {
  // Every flow in one bucket: the chain walk must find the same flow the default hash finds.
  const spread = new FlowTable({ maxFlows: 6, idleTimeoutUs: 90 * S, closedTimeoutUs: 20 * S });
  const chained = new FlowTable({ maxFlows: 6, idleTimeoutUs: 90 * S, closedTimeoutUs: 20 * S, bucketMask: 0 });
  const v6Echo: Endpoint = { ...echo, ip: '2001:db8::50' };
  const v6Cloud: Endpoint = { ...cloud, ip: '2001:db8:1::10' };
  const packets: DecodedPacket[] = [];
  for (let i = 0; i < 40; i++) {
    const t = T0 + i * 7 * S;
    const client = { ...echo, port: 40000 + (i % 9) };
    packets.push(tcp(t, client, cloud, 100 + i, 1, i % 5 === 4 ? FIN | ACK : ACK | PSH, 100));
    packets.push(tcp(t + MS, cloud, client, 1, 200 + i, ACK));
    if (i % 3 === 0) packets.push(decoded(t + 2 * MS, udpFrame({ from: client, to: cloud, payload: new Uint8Array(30) })));
    if (i % 4 === 0) packets.push(tcp(t + 3 * MS, { ...v6Echo, port: 41000 + (i % 3) }, v6Cloud, 1 + i, 1, ACK | PSH, 60));
    if (i % 10 === 0) packets.push(tcp(t + 4 * MS, client, cloud, 9000 + i, 0, SYN));
  }
  for (const packet of packets) assert.deepEqual(see(chained, packet), see(spread, packet));
  assert.deepEqual([chained.size, chained.evicted], [spread.size, spread.evicted]);
  assert.ok(spread.evicted > 0, 'the sequence sweeps and evicts flows');
});
