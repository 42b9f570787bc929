import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowTuple } from '../../appliance/src/judge/judge-events.js';
import { UploadEpisode } from '../../appliance/src/judge/upload-episode.js';
import { assessVoiceLikeness, VOICE } from '../../appliance/src/judge/voice-likeness.js';
import { mulberry32 } from '../../appliance/src/synth/seeded-random.js';

/** 2022-01-15T12:57:32Z in microseconds. */
const T0 = 1_642_251_452_000_000;
const MS = 1_000;
const S = 1_000_000;

const flow: FlowTuple = { protocol: 'tcp', src: '192.0.2.10', srcPort: 40000, dst: '198.51.100.20', dstPort: 443 };


/** An integer in [lo, hi], drawn from `random`. */
const between = (random: () => number, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

interface Packet {
  offsetUs: number;
  bytes: number;
}

function episodeOf(packets: Packet[], downstreamBytes = 0): UploadEpisode {
  const episode = new UploadEpisode('198.51.100.20:443', T0 + packets[0].offsetUs);
  for (const p of packets) episode.add(T0 + p.offsetUs, p.bytes, flow);
  episode.downstreamBytes = downstreamBytes;
  return episode;
}

/**
 * Feeds the packets one at a time and returns the offset of the packet that first made the
 * episode voice-like (or undefined), the way the judge asks after every packet.
 * `downstreamPerByte` sets downstreamBytes to that multiple of the uploaded bytes after each one.
 */
function tipOffset(packets: Packet[], downstreamPerByte = 0): number | undefined {
  const episode = new UploadEpisode('198.51.100.20:443', T0 + packets[0].offsetUs);
  for (const p of packets) {
    episode.add(T0 + p.offsetUs, p.bytes, flow);
    episode.downstreamBytes = downstreamPerByte * episode.bytes;
    if (assessVoiceLikeness(episode).voiceLike) return p.offsetUs - packets[0].offsetUs;
  }
  return undefined;
}

/**
 * Exactly at every threshold: a 1116-byte first record, then 8 paced 48-byte records whose
 * 7 gaps (six of 20 ms, one of 30 ms) span 150 ms. 1116 + 8 × 48 = 1500 bytes.
 */
function atThresholds(overrides: { pacedSizes?: number[]; gapsUs?: number[]; firstBytes?: number } = {}): Packet[] {
  const pacedSizes = overrides.pacedSizes ?? Array<number>(8).fill(48);
  const gapsUs = overrides.gapsUs ?? [30 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 30 * MS];
  const packets: Packet[] = [{ offsetUs: 0, bytes: overrides.firstBytes ?? 1_116 }];
  let offset = 0;
  pacedSizes.forEach((bytes, i) => {
    offset += gapsUs[i];
    packets.push({ offsetUs: offset, bytes });
  });
  return packets;
}

test('the thresholds are the calibrated ones', () => {
  assert.deepEqual(VOICE, { minPacedPackets: 8, minPacedSpanUs: 150_000, minBytes: 1_500, minMeanPacedBytes: 48, maxDownstreamRatio: 8 });
});

test('an episode exactly at every threshold is voice-like with nothing missing', () => {
  const episode = episodeOf(atThresholds());
  assert.deepEqual([episode.pacedPackets, episode.pacedSpanUs, episode.bytes, episode.pacedBytes], [8, 150 * MS, 1_500, 384]);
  assert.deepEqual(assessVoiceLikeness(episode), { voiceLike: true, missing: [] });
});

test('seven paced packets are not enough', () => {
  // 7 paced records of 48 B; the first gap is not paced (200 ms) and 6 gaps of 25 ms span 150 ms
  const gapsUs = [200 * MS, 25 * MS, 25 * MS, 25 * MS, 25 * MS, 25 * MS, 25 * MS, 25 * MS];
  const episode = episodeOf(atThresholds({ gapsUs }));
  assert.deepEqual([episode.pacedPackets, episode.pacedSpanUs, episode.bytes, episode.pacedBytes / episode.pacedPackets], [7, 150 * MS, 1_500, 48]);
  assert.deepEqual(assessVoiceLikeness(episode), { voiceLike: false, missing: ['paced packets 7 < 8'] });
});

test('a paced span of 149 ms is not enough', () => {
  const gapsUs = [30 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 29 * MS];
  const episode = episodeOf(atThresholds({ gapsUs }));
  assert.deepEqual([episode.pacedPackets, episode.pacedSpanUs, episode.bytes], [8, 149 * MS, 1_500]);
  assert.deepEqual(assessVoiceLikeness(episode), { voiceLike: false, missing: ['paced span 149.000 ms < 150 ms'] });
});

test('a paced span 1 µs short of 150 ms is not enough, and the message shows it', () => {
  const gapsUs = [30 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 20 * MS, 30 * MS - 1];
  const episode = episodeOf(atThresholds({ gapsUs }));
  assert.equal(episode.pacedSpanUs, 150 * MS - 1);
  assert.deepEqual(assessVoiceLikeness(episode), { voiceLike: false, missing: ['paced span 149.999 ms < 150 ms'] });
});

test('1499 bytes are not enough', () => {
  const episode = episodeOf(atThresholds({ firstBytes: 1_115 }));
  assert.equal(episode.bytes, 1_499);
  assert.deepEqual(assessVoiceLikeness(episode), { voiceLike: false, missing: ['bytes 1499 < 1500'] });
});

test('paced records of 40 bytes on average are protocol chatter', () => {
  const episode = episodeOf(atThresholds({ pacedSizes: Array<number>(8).fill(40), firstBytes: 1_180 }));
  assert.deepEqual([episode.bytes, episode.pacedBytes], [1_500, 320]);
  assert.deepEqual(assessVoiceLikeness(episode), { voiceLike: false, missing: ['mean paced record 40.00 B < 48 B'] });
});

test('a mean paced record just under 48 bytes is chatter, and the message shows it', () => {
  const episode = episodeOf(atThresholds({ pacedSizes: [47, 48, 48, 48, 48, 48, 48, 48], firstBytes: 1_117 }));
  assert.deepEqual([episode.bytes, episode.pacedBytes], [1_500, 383]);
  assert.deepEqual(assessVoiceLikeness(episode), { voiceLike: false, missing: ['mean paced record 47.88 B < 48 B'] });
});

test('the mean paced record ignores the large records that were not paced', () => {
  // a 1116-byte first record would lift the mean of all records to 187 B, but only paced ones count
  const episode = episodeOf(atThresholds({ pacedSizes: Array<number>(8).fill(30), firstBytes: 1_260 }));
  assert.ok(episode.meanPacketBytes > 48);
  assert.deepEqual(assessVoiceLikeness(episode).missing, ['mean paced record 30.00 B < 48 B']);
});

test('downstream of exactly 8 times the upload is still voice-like, one byte more is a download', () => {
  assert.deepEqual(assessVoiceLikeness(episodeOf(atThresholds(), 12_000)), { voiceLike: true, missing: [] });
  assert.deepEqual(assessVoiceLikeness(episodeOf(atThresholds(), 12_001)), {
    voiceLike: false,
    missing: ['downstream dominates (a download, not speech)'],
  });
});

test('an empty episode misses everything except the download check, in order', () => {
  const episode = new UploadEpisode('198.51.100.20:443', T0);
  assert.deepEqual(assessVoiceLikeness(episode), {
    voiceLike: false,
    missing: ['paced packets 0 < 8', 'paced span 0.000 ms < 150 ms', 'bytes 0 < 1500', 'mean paced record 0.00 B < 48 B'],
  });
});

/** LPCM-like: a burst of six full-size frames, then ~800-byte records every 25 ms (±3 ms). */
function lpcmUpload(seed: number, seconds: number): Packet[] {
  const random = mulberry32(seed);
  const packets: Packet[] = [];
  for (let i = 0; i < 6; i++) packets.push({ offsetUs: i * between(random, 0, 2 * MS), bytes: 1_400 });
  let offset = packets[packets.length - 1].offsetUs;
  while (offset < seconds * S) {
    offset += between(random, 22 * MS, 28 * MS);
    packets.push({ offsetUs: offset, bytes: between(random, 780, 820) });
  }
  return packets;
}

/** Opus at ~4 KB/s: 100-130-byte records every 20-32 ms. */
function opusUpload(seed: number, seconds: number): Packet[] {
  const random = mulberry32(seed);
  const packets: Packet[] = [{ offsetUs: 0, bytes: between(random, 100, 130) }];
  let offset = 0;
  while (offset < seconds * S) {
    offset += between(random, 20 * MS, 32 * MS);
    packets.push({ offsetUs: offset, bytes: between(random, 100, 130) });
  }
  return packets;
}

test('an LPCM-like upload is voice-like within half a second', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const tip = tipOffset(lpcmUpload(seed, 3));
    assert.ok(tip !== undefined && tip <= 500 * MS, `seed ${seed}: tip at ${tip} µs`);
    assert.ok(tip >= 150 * MS, `seed ${seed}: the cadence needs 150 ms to show, tip at ${tip} µs`);
  }
});

test('an Opus-like 4 KB/s upload is voice-like within a second', () => {
  for (const seed of [11, 12, 13, 14, 15]) {
    const packets = opusUpload(seed, 3);
    const whole = episodeOf(packets);
    const rate = whole.bytes / (whole.durationUs / S);
    assert.ok(rate > 3_000 && rate < 5_500, `seed ${seed}: ${Math.round(rate)} B/s is about 4 KB/s`);
    const tip = tipOffset(packets);
    assert.ok(tip !== undefined && tip <= 1 * S, `seed ${seed}: tip at ${tip} µs`);
  }
});

test('a heartbeat (a 41-byte record every 30 s) is never voice-like', () => {
  const packets = Array.from({ length: 20 }, (_, i) => ({ offsetUs: i * 30 * S, bytes: 41 }));
  assert.equal(tipOffset(packets), undefined, 'even if all ten minutes were one episode');
  const missing = assessVoiceLikeness(episodeOf(packets)).missing;
  assert.equal(missing[0], 'paced packets 0 < 8');
  assert.ok(missing.includes('bytes 820 < 1500'), missing.join('; '));
  for (const p of packets.slice(0, 3)) assert.equal(assessVoiceLikeness(episodeOf([p])).voiceLike, false);
});

/** Bulk: 260 KB in back-to-back 1400-byte records 0-5 ms apart, bursts of 10-40 records 200-900 ms apart. */
function bulkUpload(seed: number): Packet[] {
  const random = mulberry32(seed);
  const packets: Packet[] = [];
  let offset = 0;
  let bytes = 0;
  while (bytes < 260_000) {
    const burst = between(random, 10, 40);
    for (let i = 0; i < burst && bytes < 260_000; i++) {
      offset += packets.length === 0 ? 0 : i === 0 ? between(random, 200 * MS, 900 * MS) : between(random, 0, 5 * MS);
      packets.push({ offsetUs: offset, bytes: 1_400 });
      bytes += 1_400;
    }
  }
  return packets;
}

test('a bulk upload of 260 KB in back-to-back bursts is never voice-like', () => {
  for (const seed of [21, 22, 23]) {
    const packets = bulkUpload(seed);
    assert.equal(tipOffset(packets), undefined, `seed ${seed}`);
    const whole = episodeOf(packets);
    assert.ok(whole.bytes >= 260_000, `${whole.bytes} bytes`);
    assert.equal(whole.pacedPackets, 0);
    assert.deepEqual(assessVoiceLikeness(whole).missing.slice(0, 2), ['paced packets 0 < 8', 'paced span 0.000 ms < 150 ms']);
  }
});

test('a bulk upload with three stalls in the paced range is still not voice-like', () => {
  const packets = bulkUpload(24);
  // stretch three in-burst gaps to 15, 40 and 90 ms, shifting everything after them
  let shift = 0;
  const stretched = packets.map((p, i) => {
    if (i === 5) shift += 15 * MS;
    if (i === 6) shift += 40 * MS;
    if (i === 7) shift += 90 * MS;
    return { offsetUs: p.offsetUs + shift, bytes: p.bytes };
  });
  const whole = episodeOf(stretched);
  assert.equal(whole.pacedPackets, 3);
  assert.equal(tipOffset(stretched), undefined);
});

test('tiny 30-byte records every 25 ms (protocol chatter) are never voice-like', () => {
  const packets = Array.from({ length: 400 }, (_, i) => ({ offsetUs: i * 25 * MS, bytes: 30 }));
  assert.equal(tipOffset(packets), undefined);
  const whole = episodeOf(packets);
  assert.deepEqual([whole.pacedPackets, whole.bytes], [399, 12_000]);
  assert.deepEqual(assessVoiceLikeness(whole).missing, ['mean paced record 30.00 B < 48 B']);
});

test('an Opus-like upload answering a download more than 8 times larger is never voice-like', () => {
  const packets = opusUpload(31, 5);
  assert.equal(tipOffset(packets, 8.5), undefined);
  assert.notEqual(tipOffset(packets, 8), undefined, 'the same upload with exactly 8× downstream qualifies');
  assert.deepEqual(assessVoiceLikeness(episodeOf(packets, 9 * episodeOf(packets).bytes)).missing, [
    'downstream dominates (a download, not speech)',
  ]);
});
