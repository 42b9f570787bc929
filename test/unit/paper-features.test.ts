import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../appliance/src/decode/decode-frame.js';
import { LinkType, TcpFlag, type DecodedPacket } from '../../appliance/src/decode/types.js';
import { DATASET_COLUMNS, DATASET_HEADER, datasetRow, paperDate } from '../../appliance/src/features/dataset-csv.js';
import { PACKET_CLASSES, classFromPaperLabel, isApplicationDataClass, paperLabel } from '../../appliance/src/features/packet-class.js';
import { HighestLayer, contextClass, highestLayerOf, labelPacket, paperFeatures, type PaperFeatures } from '../../appliance/src/features/paper-features.js';
import { FlowTable } from '../../appliance/src/flows/flow-table.js';
import type { PacketContext } from '../../appliance/src/flows/packet-context.js';
import type { MicContext } from '../../appliance/src/mic/mic-state.js';
import { concat, tcpFrame, tlsRecord, udpFrame, type Endpoint } from '../../sim/src/frame-builder.js';

const echo: Endpoint = { mac: '68:54:fd:0a:1b:2c', ip: '192.168.1.50', port: 49152 };
const cloud: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '52.94.233.10', port: 443 };
const spotify: Endpoint = { mac: 'f0:9f:c2:00:00:01', ip: '35.186.224.25', port: 4070 };
/** 2022-01-15 12:57:32.384759 UTC */
const T = Date.UTC(2022, 0, 15, 12, 57, 32) * 1000 + 384_759;
const { ACK, PSH, SYN, FIN, RST } = TcpFlag;
const MIC_CONTEXTS: MicContext[] = ['muted', 'idle', 'listening', 'grace', 'unknown'];

function segment(opts: { payload?: Uint8Array | number; flags?: number; to?: Endpoint; from?: Endpoint; originalLength?: number; snap?: number } = {}): DecodedPacket {
  const payload = typeof opts.payload === 'number' ? new Uint8Array(opts.payload).fill(0x42) : opts.payload;
  const bytes = tcpFrame({ from: opts.from ?? echo, to: opts.to ?? cloud, seq: 1000, ack: 2000, flags: opts.flags ?? ACK | PSH, payload });
  const captured = opts.snap === undefined ? bytes : bytes.subarray(0, opts.snap);
  const result = decodeFrame({ timeUs: T, originalLength: opts.originalLength ?? bytes.length, linkType: LinkType.ETHERNET, bytes: captured });
  if (!result.ok) assert.fail(result.reason);
  return result.packet;
}

type FlowObservation = Omit<PacketContext, 'packet'>;

/** What the flow table would have learned of a segment; its app-data decision as the table makes it. */
function observation(records: Array<[number, number]> = [], extra: Partial<FlowObservation> = {}): FlowObservation {
  const tlsRecords = records.map(([contentType, length]) => ({ contentType, version: 0x0303, length }));
  return {
    streamIndex: 0,
    deltaMs: 12,
    fromInitiator: true,
    isRetransmission: false,
    tlsRecords,
    tlsContinuedType: 0,
    repeatsFixedSizeRecord: false,
    carriesAppData: tlsRecords.length === 0 || tlsRecords.some((r) => r.contentType === 23),
    toLocal: false,
    ...extra,
  };
}

const within = (packet: DecodedPacket, obs: FlowObservation): PacketContext => ({ ...obs, packet });

function features(packet: DecodedPacket, obs: FlowObservation, mic: MicContext = 'idle'): PaperFeatures {
  const f = paperFeatures(within(packet, obs), mic);
  if (!f) assert.fail('expected features for a TCP packet');
  return f;
}

/** A segment carrying TLS records, with the observation the flow table would make of it. */
function tls(records: Array<[number, number]>, extra: Partial<FlowObservation> = {}): [DecodedPacket, FlowObservation] {
  return [segment({ payload: concat(...records.map(([t, l]) => tlsRecord(t, l))) }), observation(records, extra)];
}

test('TLS change-cipher-spec, alert and handshake records are labelled handshake', () => {
  for (const type of [20, 21, 22]) {
    const f = features(...tls([[type, 64]]), 'muted');
    assert.deepEqual([f.packetClass, f.highestLayer, f.contentType], ['handshake', HighestLayer.TLS, type], `type ${type}`);
  }
});

test('a TLS heartbeat record (type 24) is labelled heartbeat', () => {
  assert.equal(features(...tls([[24, 64]])).packetClass, 'heartbeat');
});

test('app-data records of length 41 or 28 are heartbeats, written syn in the CSV', () => {
  for (const length of [41, 28]) {
    for (const mic of MIC_CONTEXTS) {
      const f = features(...tls([[23, length]]), mic);
      assert.equal(f.packetClass, 'heartbeat', `length ${length}, mic ${mic}`);
      assert.equal(datasetRow(f).split(',')[10], 'syn');
    }
  }
  assert.notEqual(features(...tls([[23, 40]])).packetClass, 'heartbeat');
  assert.notEqual(features(...tls([[23, 29]])).packetClass, 'heartbeat');
});

test('other app-data records take their label from the mic context', () => {
  const labels = MIC_CONTEXTS.map((mic) => features(...tls([[23, 517]]), mic).packetClass);
  assert.deepEqual(labels, ['not_justified', 'justified', 'expected', 'expected', 'justified']);
});

test('contextClass maps muted, listening, grace, idle and unknown', () => {
  assert.deepEqual(MIC_CONTEXTS.map(contextClass), ['not_justified', 'justified', 'expected', 'expected', 'justified']);
});

test('the first record that starts in the segment decides the label and content_type', () => {
  const handshakeFirst = features(...tls([[22, 100], [23, 500]]), 'listening');
  assert.deepEqual([handshakeFirst.packetClass, handshakeFirst.contentType], ['handshake', 22]);
  const dataFirst = features(...tls([[23, 500], [22, 100]]), 'listening');
  assert.deepEqual([dataFirst.packetClass, dataFirst.contentType], ['expected', 23]);
  const heartbeatFirst = features(...tls([[23, 41], [23, 500]]), 'listening');
  assert.equal(heartbeatFirst.packetClass, 'heartbeat');
});

test('an app-data record the flow table saw repeating at a fixed size is a heartbeat', () => {
  assert.equal(features(...tls([[23, 36]], { repeatsFixedSizeRecord: true }), 'muted').packetClass, 'heartbeat');
  assert.equal(features(...tls([[23, 36]], { repeatsFixedSizeRecord: false }), 'muted').packetClass, 'not_justified');
});

test('a bare ACK is labelled ack, highest layer TCP, no content type', () => {
  for (const flags of [ACK, ACK | PSH, ACK | FIN]) {
    const f = features(segment({ flags }), observation(), 'listening');
    assert.deepEqual([f.packetClass, f.highestLayer, f.contentType, f.ackFlag, f.payload], ['ack', HighestLayer.TCP, undefined, 1, 0]);
  }
});

test('a TCP segment with no payload and no ACK flag is labelled retransmit', () => {
  for (const flags of [SYN, RST, FIN, 0]) {
    const f = features(segment({ flags }), observation());
    assert.deepEqual([f.packetClass, f.highestLayer, f.ackFlag], ['retransmit', HighestLayer.TCP, 0], `flags ${flags}`);
  }
});

test('a tshark-style retransmission is labelled retransmit whatever it carries', () => {
  assert.equal(features(...tls([[22, 64]], { isRetransmission: true })).packetClass, 'retransmit');
  assert.equal(features(...tls([[23, 517]], { isRetransmission: true }), 'muted').packetClass, 'retransmit');
  assert.equal(features(...tls([[23, 41]], { isRetransmission: true })).packetClass, 'retransmit');
  assert.equal(features(segment({ payload: 11 }), observation([], { isRetransmission: true })).packetClass, 'retransmit');
  assert.equal(features(segment({ flags: ACK }), observation([], { isRetransmission: true })).packetClass, 'retransmit');
});

test('a non-TLS TCP payload of 11 bytes is a heartbeat', () => {
  const f = features(segment({ payload: 11 }), observation());
  assert.deepEqual([f.packetClass, f.highestLayer, f.payload, f.contentType], ['heartbeat', HighestLayer.DATA, 11, undefined]);
  assert.equal(features(segment({ payload: 11 }), observation([], { tlsContinuedType: 23 })).packetClass, 'heartbeat');
  assert.equal(features(segment({ payload: 12 }), observation()).packetClass, 'not_relevant');
});

test('an 11-byte segment that holds a whole TLS record is labelled by the record', () => {
  const f = features(...tls([[23, 6]]), 'muted');
  assert.deepEqual([f.payload, f.packetClass], [11, 'not_justified']);
});

test('DATA to port 4070 is a heartbeat; DATA from 4070 or to other ports is not relevant', () => {
  const toSpotify = features(segment({ to: spotify, payload: 200 }), observation());
  assert.deepEqual([toSpotify.packetClass, toSpotify.highestLayer, toSpotify.dstport], ['heartbeat', HighestLayer.DATA, 4070]);
  const fromSpotify = features(segment({ from: { ...echo, port: 4070 }, payload: 200 }), observation());
  assert.equal(fromSpotify.packetClass, 'not_relevant');
  assert.equal(features(segment({ payload: 200 }), observation()).packetClass, 'not_relevant');
});

test('an HTTP request is highest layer HTTP and not relevant, even to port 4070', () => {
  const request = new TextEncoder().encode('GET /ping HTTP/1.1\r\nHost: example\r\n\r\n');
  for (const to of [cloud, spotify]) {
    const packet = segment({ payload: request, to });
    assert.equal(packet.httpRequest?.method, 'GET');
    const f = features(packet, observation(), 'listening');
    assert.deepEqual([f.highestLayer, f.packetClass, f.contentType], [HighestLayer.HTTP, 'not_relevant', undefined]);
  }
});

test('a TLS continuation segment is highest layer TCP, not relevant, with no content type', () => {
  const f = features(segment({ payload: 1448 }), observation([], { tlsContinuedType: 23 }), 'listening');
  assert.deepEqual([f.highestLayer, f.packetClass, f.contentType, f.payload], [HighestLayer.TCP, 'not_relevant', undefined, 1448]);
});

test('the flow table and the labeller agree on a record that spans segments', () => {
  const table = new FlowTable();
  const upload = tlsRecord(23, 2000);
  const frames = [upload.subarray(0, 1448), upload.subarray(1448)].map((payload, i) => {
    const bytes = tcpFrame({ from: echo, to: cloud, seq: 1000 + i * 1448, ack: 1, flags: ACK | PSH, payload });
    const result = decodeFrame({ timeUs: T + i * 2000, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes });
    assert.ok(result.ok);
    return result.packet;
  });
  const rows = frames.map((p) => {
    const f = features(p, table.observe(p)!, 'listening');
    return [f.highestLayer, f.contentType, f.packetClass, f.delta];
  });
  assert.deepEqual(rows, [
    [HighestLayer.TLS, 23, 'expected', 0],
    [HighestLayer.TCP, undefined, 'not_relevant', 2],
  ]);
});

test('highest_layer codes are 0 TLS, 1 TCP, 2 DATA, 3 HTTP', () => {
  assert.deepEqual(HighestLayer, { TLS: 0, TCP: 1, DATA: 2, HTTP: 3 });
  assert.equal(highestLayerOf(within(segment({ flags: ACK }), observation([[23, 5]]))), HighestLayer.TCP, 'no payload is TCP');
  assert.equal(highestLayerOf(within(...tls([[23, 5]]))), HighestLayer.TLS);
  assert.equal(highestLayerOf(within(segment({ payload: 30 }), observation())), HighestLayer.DATA);
});

test('UDP packets have no paper features and are not relevant', () => {
  const bytes = udpFrame({ from: echo, to: cloud, payload: tlsRecord(23, 41) });
  const result = decodeFrame({ timeUs: T, originalLength: bytes.length, linkType: LinkType.ETHERNET, bytes });
  assert.ok(result.ok);
  assert.equal(paperFeatures(within(result.packet, observation([[23, 41]])), 'idle'), undefined);
  assert.equal(labelPacket(within(result.packet, observation([[23, 41]])), HighestLayer.TLS, 'idle'), 'not_relevant');
});

test('the microphone column is 0 when muted, 1 when on and empty when unknown', () => {
  const mics = MIC_CONTEXTS.map((mic) => features(...tls([[23, 517]]), mic).microphone);
  assert.deepEqual(mics, [0, 1, 1, 1, undefined]);
  const cells = MIC_CONTEXTS.map((mic) => datasetRow(features(...tls([[23, 517]]), mic)).split(',')[7]);
  assert.deepEqual(cells, ['0', '1', '1', '1', '']);
});

test('length is the frame length on the wire and payload the TCP payload length on the wire', () => {
  // A 1400-byte payload, captured to 96 bytes, from a frame that was 1454 bytes on the wire.
  const packet = segment({ payload: concat(tlsRecord(23, 1395)), snap: 96 });
  assert.equal(packet.payload.length, 96 - 54);
  const f = features(packet, observation([[23, 1395]]), 'idle');
  assert.deepEqual([f.length, f.payload, f.dstip, f.dstport, f.delta, f.timeUs], [1454, 1400, '52.94.233.10', 443, 12, T]);
  const padded = features(segment({ flags: ACK, originalLength: 60 }), observation());
  assert.deepEqual([padded.length, padded.payload], [60, 0]);
});

test('the CSV header has the paper columns in the paper order, then payload', () => {
  assert.equal(DATASET_HEADER, 'date,length,dstip,dstport,highest_layer,delta,ack_flag,microphone,content_type,synchronized,class,payload');
  assert.equal(DATASET_COLUMNS.length, 12);
});

test('a dataset row lists every column in header order', () => {
  const app = features(...tls([[23, 512]]), 'listening');
  assert.equal(datasetRow(app), `2022-01-15 12:57:32.384759,${app.length},52.94.233.10,443,0,12,1,1,23,1,expected,517`);
  assert.equal(app.length, 54 + 517);
  const sync = features(segment({ payload: 11, flags: PSH }), observation([], { deltaMs: 30012 }), 'unknown');
  assert.equal(datasetRow(sync), '2022-01-15 12:57:32.384759,65,52.94.233.10,443,2,30012,0,,,1,syn,11');
  const muted = features(segment({ flags: ACK }), observation([], { deltaMs: 0 }), 'muted');
  assert.equal(datasetRow(muted), '2022-01-15 12:57:32.384759,54,52.94.233.10,443,1,0,1,0,,1,ack,0');
  assert.equal(datasetRow(app).split(',').length, DATASET_COLUMNS.length);
});

test('dates are UTC with zero-padded fields and six microsecond digits, whatever the local zone', () => {
  const savedTz = process.env.TZ;
  process.env.TZ = 'Asia/Kolkata'; // UTC+05:30: a local-time slip would show in hours and minutes
  try {
    assert.equal(paperDate(T), '2022-01-15 12:57:32.384759');
    assert.equal(paperDate(Date.UTC(2023, 2, 5, 9, 3, 7) * 1000 + 42), '2023-03-05 09:03:07.000042');
    assert.equal(paperDate(Date.UTC(2021, 11, 31, 23, 59, 59) * 1000 + 999_999), '2021-12-31 23:59:59.999999');
    assert.equal(paperDate(Date.UTC(2024, 1, 29, 0, 0, 0) * 1000), '2024-02-29 00:00:00.000000');
  } finally {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  }
});

test('paper labels round-trip for every class, and heartbeat is written syn', () => {
  for (const c of PACKET_CLASSES) assert.equal(classFromPaperLabel(paperLabel(c)), c);
  assert.deepEqual(PACKET_CLASSES.map(paperLabel), ['handshake', 'syn', 'ack', 'retransmit', 'not_relevant', 'expected', 'justified', 'not_justified']);
  assert.equal(classFromPaperLabel('heartbeat'), undefined);
  assert.equal(classFromPaperLabel('SYN'), undefined);
  assert.equal(classFromPaperLabel(''), undefined);
});

test('only expected, justified and not_justified are application-data classes', () => {
  assert.deepEqual(PACKET_CLASSES.filter(isApplicationDataClass), ['expected', 'justified', 'not_justified']);
});
