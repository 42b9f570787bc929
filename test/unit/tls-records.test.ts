import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TlsRecordTracker, looksLikeTlsHeader, seqDiff, type TlsRecordHeader } from '../../appliance/src/flows/tls-records.js';
import { concat, tlsRecord } from '../../sim/src/frame-builder.js';

/** A record whose body holds a plausible alert header at every offset that is a multiple of 8
 * (so at 1448, 2896, 4344 when the record starts the stream): a parser that read a header at
 * every segment start would get the content types wrong. */
function deceptiveRecord(contentType: number, length: number): Uint8Array {
  const record = tlsRecord(contentType, length);
  for (let r = 8; r + 5 <= record.length; r += 8) record.set([0x15, 0x03, 0x03, 0x00, 0x10], r);
  return record;
}

interface Seen {
  headers: Array<[number, number]>;
  continued: number;
}

/** Feeds stream[start, end) as one segment captured at `timeUs`; `captured` bytes of it reach the tracker (snap length). */
function feed(tracker: TlsRecordTracker, isn: number, stream: Uint8Array, start: number, end: number, opts: { captured?: number; timeUs?: number } = {}): Seen {
  const out: TlsRecordHeader[] = [{ contentType: 99, version: 0, length: 0 }]; // must be cleared
  const captured = opts.captured ?? end - start;
  tracker.observe((isn + start) >>> 0, stream.subarray(start, start + captured), end - start, out, opts.timeUs ?? 0);
  return { headers: out.map((h) => [h.contentType, h.length]), continued: tracker.continuedType };
}

/** Cuts the stream at the given offsets and feeds every piece. */
function feedCuts(tracker: TlsRecordTracker, isn: number, stream: Uint8Array, cuts: number[]): Seen[] {
  const bounds = [0, ...cuts, stream.length];
  const seen: Seen[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) seen.push(feed(tracker, isn, stream, bounds[i], bounds[i + 1]));
  return seen;
}

test('a record that fits in one segment is reported with its type, version and length', () => {
  const tracker = new TlsRecordTracker();
  const out: TlsRecordHeader[] = [];
  tracker.observe(1000, tlsRecord(22, 517, 0xa5, 0x0301), 522, out);
  assert.deepEqual(out, [{ contentType: 22, version: 0x0301, length: 517 }]);
  assert.equal(tracker.continuedType, 0);
});

test('many records in one segment are all reported in order', () => {
  const stream = concat(tlsRecord(22, 100), tlsRecord(20, 1), tlsRecord(22, 40), tlsRecord(23, 200));
  const [seen] = feedCuts(new TlsRecordTracker(), 5000, stream, []);
  assert.deepEqual(seen, { headers: [[22, 100], [20, 1], [22, 40], [23, 200]], continued: 0 });
});

test('a record that spans three segments keeps the content type of the next record right', () => {
  // 4005-byte record over segments of 1448, 1448 and 1109 + the next records.
  const stream = concat(deceptiveRecord(23, 4000), tlsRecord(21, 26), tlsRecord(22, 64));
  assert.ok(looksLikeTlsHeader(stream, 1448) && looksLikeTlsHeader(stream, 2896), 'segment starts look like headers');
  const seen = feedCuts(new TlsRecordTracker(), 1, stream, [1448, 2896]);
  assert.deepEqual(seen, [
    { headers: [[23, 4000]], continued: 0 },
    { headers: [], continued: 23 },
    { headers: [[21, 26], [22, 64]], continued: 23 },
  ]);
});

test('a record that ends exactly at a segment boundary leaves the next segment starting on a header', () => {
  const stream = concat(tlsRecord(23, 1443), tlsRecord(23, 1443), deceptiveRecord(23, 2000), tlsRecord(21, 2));
  const seen = feedCuts(new TlsRecordTracker(), 77, stream, [1448, 2896, 4344]);
  assert.deepEqual(seen, [
    { headers: [[23, 1443]], continued: 0 },
    { headers: [[23, 1443]], continued: 0 },
    { headers: [[23, 2000]], continued: 0 },
    { headers: [[21, 2]], continued: 23 },
  ]);
});

test('a header cut by a segment boundary is reassembled whichever byte the cut falls after', () => {
  for (let split = 1; split <= 4; split++) {
    const stream = concat(tlsRecord(23, 95), tlsRecord(22, 300), tlsRecord(23, 50));
    const seen = feedCuts(new TlsRecordTracker(), 9000, stream, [100 + split]);
    assert.deepEqual(
      seen,
      [
        { headers: [[23, 95]], continued: 0 },
        { headers: [[22, 300], [23, 50]], continued: 0 },
      ],
      `header split after byte ${split}`,
    );
  }
});

test('a completed partial header whose record runs past the segment leaves the tracker aligned', () => {
  const stream = concat(tlsRecord(23, 95), deceptiveRecord(22, 3000), tlsRecord(21, 2));
  const seen = feedCuts(new TlsRecordTracker(), 0, stream, [102, 1550, 3000]);
  assert.deepEqual(seen, [
    { headers: [[23, 95]], continued: 0 },
    { headers: [[22, 3000]], continued: 0 },
    { headers: [], continued: 22 },
    { headers: [[21, 2]], continued: 22 },
  ]);
});

test('a partial header whose continuation is never captured is given up after a second, resyncing on a held header', () => {
  const stream = concat(tlsRecord(23, 95), tlsRecord(23, 3000), tlsRecord(22, 10), tlsRecord(23, 20));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 102, { timeUs: 0 }).headers, [[23, 95]]);
  // 102..1000, with the rest of the header, is lost. Later segments wait for it.
  assert.deepEqual(feed(tracker, 0, stream, 1000, 2000, { timeUs: 10_000 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 2000, 3105, { timeUs: 20_000 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 3105, 3120, { timeUs: 900_000 }), { headers: [], continued: 23 });
  // More than a second after the hole opened it is skipped; the first held segment on a header resyncs.
  // The current segment then starts on a header of its own, so it continues nothing.
  assert.deepEqual(feed(tracker, 0, stream, 3120, stream.length, { timeUs: 1_010_001 }), { headers: [[22, 10], [23, 20]], continued: 0 });
});

test('a header cut into three segments is still reassembled', () => {
  const stream = concat(tlsRecord(23, 95), tlsRecord(22, 300), tlsRecord(23, 50));
  const seen = feedCuts(new TlsRecordTracker(), 0, stream, [101, 103]);
  assert.deepEqual(seen, [
    { headers: [[23, 95]], continued: 0 },
    { headers: [], continued: 0 },
    { headers: [[22, 300], [23, 50]], continued: 0 },
  ]);
});

test('a capture that starts mid-record reports nothing until a segment starts on a plausible header', () => {
  const stream = concat(tlsRecord(23, 5000), tlsRecord(23, 100), tlsRecord(22, 10), tlsRecord(23, 2000), tlsRecord(21, 2));
  const tracker = new TlsRecordTracker();
  // The first segments seen are inside the record; one even holds a header, but not at its start.
  assert.deepEqual(feed(tracker, 0, stream, 2000, 3448), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 3448, 5050), { headers: [], continued: 0 });
  // 5050 is not a boundary (the next header is at 5110): the segment start is garbage, still no sync.
  assert.deepEqual(feed(tracker, 0, stream, 5050, 5110), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 5110, 5200), { headers: [[22, 10], [23, 2000]], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 5200, stream.length), { headers: [[21, 2]], continued: 23 });
});

test('segments that arrive out of order are held and their headers reported with the segment that fills the gap', () => {
  // A: 0..2005, B: 2005..2040, C: 2040..2545, D: 2545..2560
  const stream = concat(deceptiveRecord(23, 2000), tlsRecord(21, 30), tlsRecord(23, 500), tlsRecord(22, 10), tlsRecord(23, 1));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 1448, { timeUs: 0 }), { headers: [[23, 2000]], continued: 0 });
  // The two later segments also arrive in reverse order.
  assert.deepEqual(feed(tracker, 0, stream, 2300, 2560, { timeUs: 100 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 2040, 2300, { timeUs: 150 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 1448, 2040, { timeUs: 200 }), { headers: [[21, 30], [23, 500], [22, 10]], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 2560, stream.length, { timeUs: 300 }), { headers: [[23, 1]], continued: 0 });
});

test('a missed segment that held the next header is skipped after a second and the tracker resyncs on a held header', () => {
  // A: 0..2005, B: 2005..3010, C: 3010..3045, D: 3045..3550, E: 3550..3559
  const stream = concat(deceptiveRecord(23, 2000), tlsRecord(23, 1000), tlsRecord(21, 30), tlsRecord(23, 500), tlsRecord(22, 4));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 1448, { timeUs: 0 }), { headers: [[23, 2000]], continued: 0 });
  // 1448..2600 (end of A, header of B) is never captured.
  assert.deepEqual(feed(tracker, 0, stream, 2600, 3010, { timeUs: 10_000 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 3010, 3100, { timeUs: 20_000 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 3100, 3550, { timeUs: 1_010_000 }), { headers: [], continued: 23 }, 'exactly a second: still waiting');
  assert.deepEqual(feed(tracker, 0, stream, 3550, 3552, { timeUs: 1_010_001 }), { headers: [[21, 30], [23, 500]], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 3552, stream.length, { timeUs: 1_020_000 }), { headers: [[22, 4]], continued: 0 });
});

test('a hole is skipped without waiting once more than 32 segments are held', () => {
  const records = Array.from({ length: 40 }, () => tlsRecord(23, 10));
  const stream = concat(tlsRecord(23, 200), ...records); // A: 0..205, then 15-byte records
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 100).headers, [[23, 200]]);
  // 100..220 (the end of A and the first small record) is lost.
  const counts: number[] = [];
  for (let start = 220; start < stream.length; start += 15) counts.push(feed(tracker, 0, stream, start, start + 15).headers.length);
  assert.deepEqual(counts, [...Array<number>(32).fill(0), 33, 1, 1, 1, 1, 1, 1]);
});

test('a segment right after a missed one that starts on a header is held like any other', () => {
  // A: 0..2005, B: 2005..2110, C: 2110..2145, D: 2145..2150
  const stream = concat(deceptiveRecord(23, 2000), tlsRecord(23, 100), tlsRecord(21, 30), tlsRecord(23, 0x0100).subarray(0, 5));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 1448, { timeUs: 0 }), { headers: [[23, 2000]], continued: 0 });
  // 1448..2110 (end of A and all of B) is never captured.
  assert.deepEqual(feed(tracker, 0, stream, 2110, 2145, { timeUs: 1000 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 2145, 2150, { timeUs: 2_000_000 }), { headers: [[21, 30], [23, 256]], continued: 0 });
});

test('a missed segment inside a long record does not disturb the boundary that follows it', () => {
  const stream = concat(deceptiveRecord(23, 5000), tlsRecord(22, 40), tlsRecord(23, 60));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 1448, { timeUs: 0 }), { headers: [[23, 5000]], continued: 0 });
  // 1448..2896 is lost; the header at 5005 is still expected in sequence space.
  assert.deepEqual(feed(tracker, 0, stream, 2896, 4344, { timeUs: 1000 }), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 0, stream, 4344, stream.length, { timeUs: 1_500_000 }), { headers: [[22, 40], [23, 60]], continued: 23 });
});

test(
  'held payload is released once a second has passed, even if no later out-of-order segment arrives',

  () => {
    const stream = concat(tlsRecord(23, 2000), tlsRecord(21, 30));
    const tracker = new TlsRecordTracker();
    feed(tracker, 0, stream, 0, 1448, { timeUs: 0 });
    feed(tracker, 0, stream, 1800, stream.length, { timeUs: 10_000 }); // 1448..1800 lost
    // Five seconds later the only traffic in this direction is a retransmission of old data.
    feed(tracker, 0, stream, 0, 1448, { timeUs: 5_000_000 });
    const held = (tracker as unknown as { held: unknown[] }).held;
    assert.equal(held.length, 0);
  },
);

test('a retransmitted segment that starts on a header reports its headers and leaves the stream state alone', () => {
  const stream = concat(deceptiveRecord(23, 3000), tlsRecord(22, 10));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 500, stream, 0, 1448), { headers: [[23, 3000]], continued: 0 });
  assert.deepEqual(feed(tracker, 500, stream, 1448, 2896), { headers: [], continued: 23 });
  assert.deepEqual(feed(tracker, 500, stream, 0, 1448), { headers: [[23, 3000]], continued: 0 });
  assert.deepEqual(feed(tracker, 500, stream, 2896, stream.length), { headers: [[22, 10]], continued: 23 });
});

test('a retransmitted segment that starts inside a record reports nothing and leaves the stream state alone', () => {
  const stream = concat(deceptiveRecord(23, 3000), tlsRecord(22, 10));
  const tracker = new TlsRecordTracker();
  feed(tracker, 500, stream, 0, 1448);
  feed(tracker, 500, stream, 1448, 2896);
  // The old segment starts with body bytes that do not look like a header.
  const retransmitted = stream.slice(1448, 2896);
  retransmitted[0] = 0xee;
  const out: TlsRecordHeader[] = [];
  tracker.observe(500 + 1448, retransmitted, retransmitted.length, out);
  assert.deepEqual(out, []);
  assert.equal(tracker.continuedType, 0);
  assert.deepEqual(feed(tracker, 500, stream, 2896, stream.length), { headers: [[22, 10]], continued: 23 });
});

test('a retransmission between the two halves of a cut header leaves the partial header intact', () => {
  const stream = concat(tlsRecord(23, 95), tlsRecord(22, 300));
  const tracker = new TlsRecordTracker();
  feed(tracker, 0, stream, 0, 102);
  assert.deepEqual(feed(tracker, 0, stream, 0, 102), { headers: [[23, 95]], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 102, stream.length), { headers: [[22, 300]], continued: 0 });
});

test('a snap-length-truncated segment still yields the header it captured and the boundary after it', () => {
  const stream = concat(deceptiveRecord(23, 2000), tlsRecord(21, 26));
  const tracker = new TlsRecordTracker();
  // Only 64 of 1448 bytes were captured.
  assert.deepEqual(feed(tracker, 0, stream, 0, 1448, { captured: 64 }), { headers: [[23, 2000]], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 1448, stream.length), { headers: [[21, 26]], continued: 23 });
});

test('a header beyond the snap length is not invented, and the tracker waits for a segment that starts on a header', () => {
  const stream = concat(tlsRecord(23, 50), tlsRecord(22, 50), tlsRecord(23, 3000), tlsRecord(23, 28));
  const tracker = new TlsRecordTracker();
  // 1448-byte segment captured to 58 bytes: the header at 55 is cut at byte 58.
  assert.deepEqual(feed(tracker, 0, stream, 0, 1448, { captured: 58 }), { headers: [[23, 50]], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 1448, 2896), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 2896, 3115), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 3115, stream.length), { headers: [[23, 28]], continued: 0 });
});

test('a header cut by the end of a snap-truncated segment is not kept as a partial header', () => {
  const stream = concat(tlsRecord(23, 95), tlsRecord(22, 300), tlsRecord(23, 7));
  const tracker = new TlsRecordTracker();
  // On the wire the segment ends 4 bytes into the second header, and only 103 bytes were captured:
  // keeping 3 bytes as a 4-byte partial header would read a bogus length from the next segment.
  assert.deepEqual(feed(tracker, 0, stream, 0, 104, { captured: 103 }), { headers: [[23, 95]], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 104, 405), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 405, stream.length), { headers: [[23, 7]], continued: 0 });
});

test('a continuation that brings only part of the missing header bytes within the snap length drops sync', () => {
  // A: 0..100, B: 100..1500, C: 1500..1507
  const stream = concat(tlsRecord(23, 95), tlsRecord(22, 1395), tlsRecord(21, 2));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 102).headers, [[23, 95]]);
  // 1398 bytes on the wire, 1 captured: B's header stays incomplete for good.
  assert.deepEqual(feed(tracker, 0, stream, 102, 1500, { captured: 1 }), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 1500, stream.length), { headers: [[21, 2]], continued: 0 });
});

test('sequence numbers that wrap past 2^32 keep record boundaries right', () => {
  const isn = 2 ** 32 - 700;
  const stream = concat(deceptiveRecord(23, 2000), tlsRecord(22, 40), tlsRecord(23, 100));
  const seen = feedCuts(new TlsRecordTracker(), isn, stream, [600, 1448]);
  assert.deepEqual(seen, [
    { headers: [[23, 2000]], continued: 0 },
    { headers: [], continued: 23 },
    { headers: [[22, 40], [23, 100]], continued: 23 },
  ]);
});

test('a header cut exactly at the 2^32 wrap is reassembled', () => {
  const isn = 2 ** 32 - 102; // the second header starts at 2^32 - 2
  const stream = concat(tlsRecord(23, 95), tlsRecord(22, 300), tlsRecord(23, 1));
  const seen = feedCuts(new TlsRecordTracker(), isn, stream, [102]);
  assert.deepEqual(seen, [
    { headers: [[23, 95]], continued: 0 },
    { headers: [[22, 300], [23, 1]], continued: 0 },
  ]);
});

test('a retransmission just before the wrap is still recognised as old data after the stream wrapped', () => {
  const isn = 2 ** 32 - 1448;
  const stream = concat(deceptiveRecord(23, 3000), tlsRecord(21, 2));
  const tracker = new TlsRecordTracker();
  feed(tracker, isn, stream, 0, 1448);
  assert.deepEqual(feed(tracker, isn, stream, 1448, 2896), { headers: [], continued: 23 });
  // The first segment again (its end, 2^32, is behind the highest end, 1448): headers only, no state change.
  assert.deepEqual(feed(tracker, isn, stream, 0, 1448), { headers: [[23, 3000]], continued: 0 });
  assert.deepEqual(feed(tracker, isn, stream, 2896, stream.length), { headers: [[21, 2]], continued: 23 });
});

test('continuedType is reset by empty segments and by segments that start on a header', () => {
  const stream = concat(deceptiveRecord(23, 3000), tlsRecord(22, 10));
  const tracker = new TlsRecordTracker();
  const out: TlsRecordHeader[] = [{ contentType: 23, version: 0x303, length: 1 }];
  tracker.observe(0, new Uint8Array(0), 0, out);
  assert.deepEqual(out, [], 'an empty segment clears the output');
  assert.equal(tracker.continuedType, 0);
  feed(tracker, 0, stream, 0, 1448);
  assert.equal(feed(tracker, 0, stream, 1448, 2000).continued, 23);
  tracker.observe(2000, new Uint8Array(0), 0, out); // a bare ACK in the same direction
  assert.equal(tracker.continuedType, 0);
  assert.equal(feed(tracker, 0, stream, 2000, 2500).continued, 23, 'the empty segment did not move the boundary');
  assert.equal(feed(tracker, 0, stream, 2500, 3005).continued, 23, 'a record ending exactly at the segment end');
  assert.deepEqual(feed(tracker, 0, stream, 3005, stream.length), { headers: [[22, 10]], continued: 0 });
});

test('continuedType carries the type of the record in progress, whatever it is', () => {
  const stream = concat(tlsRecord(22, 2000), tlsRecord(23, 10));
  const seen = feedCuts(new TlsRecordTracker(), 0, stream, [1448]);
  assert.deepEqual(seen[1], { headers: [[23, 10]], continued: 22 });
});

test('a segment whose bytes stop looking like a header mid-walk reports the headers before it and drops sync', () => {
  const garbage = Uint8Array.from([0x30, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5]);
  const stream = concat(tlsRecord(23, 10), garbage, tlsRecord(23, 300), tlsRecord(22, 4));
  const tracker = new TlsRecordTracker();
  assert.deepEqual(feed(tracker, 0, stream, 0, 35), { headers: [[23, 10]], continued: 0 });
  // Later segments that start inside the 300-byte record are not trusted.
  assert.deepEqual(feed(tracker, 0, stream, 35, 200), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 200, 330), { headers: [], continued: 0 });
  assert.deepEqual(feed(tracker, 0, stream, 330, stream.length), { headers: [[22, 4]], continued: 0 });
});

test('looksLikeTlsHeader accepts types 20-24, version 3.0-3.4 and lengths 1..18432', () => {
  const header = (type: number, major: number, minor: number, length: number): Uint8Array =>
    Uint8Array.from([type, major, minor, length >> 8, length & 0xff]);
  for (const type of [20, 21, 22, 23, 24]) assert.equal(looksLikeTlsHeader(header(type, 3, 3, 100), 0), true, `type ${type}`);
  assert.equal(looksLikeTlsHeader(header(19, 3, 3, 100), 0), false);
  assert.equal(looksLikeTlsHeader(header(25, 3, 3, 100), 0), false);
  assert.equal(looksLikeTlsHeader(header(23, 2, 0, 100), 0), false, 'SSL 2 major version');
  assert.equal(looksLikeTlsHeader(header(23, 3, 4, 100), 0), true);
  assert.equal(looksLikeTlsHeader(header(23, 3, 5, 100), 0), false);
  assert.equal(looksLikeTlsHeader(header(23, 3, 3, 0), 0), false, 'empty record');
  assert.equal(looksLikeTlsHeader(header(23, 3, 3, 18432), 0), true);
  assert.equal(looksLikeTlsHeader(header(23, 3, 3, 18433), 0), false);
  assert.equal(looksLikeTlsHeader(concat(new Uint8Array(3), header(22, 3, 1, 5)), 3), true, 'at an offset');
  assert.equal(looksLikeTlsHeader(header(22, 3, 1, 5).subarray(0, 4), 0), false, 'fewer than 5 bytes');
});

test('seqDiff is the signed distance in 32-bit sequence space', () => {
  assert.equal(seqDiff(10, 4), 6);
  assert.equal(seqDiff(4, 10), -6);
  assert.equal(seqDiff(5, 2 ** 32 - 5), 10);
  assert.equal(seqDiff(2 ** 32 - 5, 5), -10);
  assert.equal(seqDiff(0, 0), 0);
});
