import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowTuple } from '../../appliance/src/judge/judge-events.js';
import {
  EPISODE_GAP_US,
  PACED_GAP_MAX_US,
  PACED_GAP_MIN_US,
  REANCHOR_GAP_US,
  UploadEpisode,
} from '../../appliance/src/judge/upload-episode.js';
import { mulberry32 } from '../../appliance/src/synth/seeded-random.js';

/** 2022-01-15T12:57:32Z in microseconds. */
const T0 = 1_642_251_452_000_000;
const MS = 1_000;

const flowA: FlowTuple = { protocol: 'tcp', src: '192.0.2.10', srcPort: 40000, dst: '198.51.100.20', dstPort: 443 };
const flowB: FlowTuple = { protocol: 'tcp', src: '192.0.2.10', srcPort: 40001, dst: '198.51.100.20', dstPort: 443 };


/** An episode fed with packets at start + the given offsets (µs), each of the given size. */
function episodeOf(offsetsUs: number[], sizes: number | number[], flow: FlowTuple = flowA): UploadEpisode {
  const episode = new UploadEpisode('198.51.100.20:443', T0 + offsetsUs[0]);
  offsetsUs.forEach((offset, i) => episode.add(T0 + offset, Array.isArray(sizes) ? sizes[i] : sizes, flow));
  return episode;
}

/** Offsets of `count` packets `gapUs` apart, starting at 0. */
const evenly = (count: number, gapUs: number): number[] => Array.from({ length: count }, (_, i) => i * gapUs);

test('the constants match the calibration the judge documents', () => {
  assert.deepEqual(
    [EPISODE_GAP_US, REANCHOR_GAP_US, PACED_GAP_MIN_US, PACED_GAP_MAX_US],
    [2_500_000, 100_000, 10_000, 100_000],
  );
});

test('a new episode is empty and starts and ends at its first time', () => {
  const episode = new UploadEpisode('198.51.100.20:443', T0);
  assert.equal(episode.destination, '198.51.100.20:443');
  assert.equal(episode.startUs, T0);
  assert.equal(episode.lastUs, T0);
  assert.deepEqual(
    [episode.bytes, episode.packets, episode.durationUs, episode.pacedPackets, episode.pacedBytes, episode.downstreamBytes],
    [0, 0, 0, 0, 0, 0],
  );
  assert.deepEqual([episode.pacedSpanUs, episode.meanPacedGapUs, episode.pacedGapVariation], [0, 0, 0]);
  assert.deepEqual([episode.meanPacketBytes, episode.sizeVariation], [0, 0]);
  assert.equal(episode.alertId, undefined);
});

test('bytes, packets and duration add up over the packets', () => {
  const episode = episodeOf([0, 40 * MS, 300 * MS, 1_250 * MS], [100, 200, 300, 400]);
  assert.equal(episode.bytes, 1_000);
  assert.equal(episode.packets, 4);
  assert.equal(episode.lastUs, T0 + 1_250 * MS);
  assert.equal(episode.durationUs, 1_250 * MS);
  assert.equal(episode.meanPacketBytes, 250);
});

test('the first packet is never paced, whatever came before', () => {
  const episode = episodeOf([0], 500);
  assert.equal(episode.pacedPackets, 0);
  assert.equal(episode.pacedBytes, 0);
  assert.equal(episode.firstPacedUs, -1);
  assert.equal(episode.pacedSpanUs, 0);
});

test('a first packet added later than the start is still not paced', () => {
  const episode = new UploadEpisode('198.51.100.20:443', T0);
  episode.add(T0 + 25 * MS, 500, flowA);
  assert.equal(episode.pacedPackets, 0, 'the gap is measured only between packets of the episode');
  assert.equal(episode.durationUs, 25 * MS);
});

test('a gap of exactly 10 ms is paced and 1 µs less is not', () => {
  assert.equal(episodeOf([0, PACED_GAP_MIN_US], 100).pacedPackets, 1);
  assert.equal(episodeOf([0, PACED_GAP_MIN_US - 1], 100).pacedPackets, 0);
});

test('a gap of exactly 100 ms is paced and 1 µs more is not', () => {
  assert.equal(episodeOf([0, PACED_GAP_MAX_US], 100).pacedPackets, 1);
  assert.equal(episodeOf([0, PACED_GAP_MAX_US + 1], 100).pacedPackets, 0);
});

test('back-to-back packets and zero gaps are not paced', () => {
  const episode = episodeOf([0, 0, 1 * MS, 5 * MS, 9_999], 1_400);
  assert.equal(episode.packets, 5);
  assert.equal(episode.pacedPackets, 0);
  assert.equal(episode.meanPacedGapUs, 0);
});

test('only the bytes of paced packets count as paced bytes', () => {
  // gaps: 25 ms (paced), 2 ms (not), 150 ms (not), 50 ms (paced)
  const episode = episodeOf([0, 25 * MS, 27 * MS, 177 * MS, 227 * MS], [1_000, 111, 222, 333, 444]);
  assert.equal(episode.pacedPackets, 2);
  assert.equal(episode.pacedBytes, 111 + 444);
  assert.equal(episode.bytes, 1_000 + 111 + 222 + 333 + 444);
});

test('pacedSpanUs runs from the first paced packet to the last one', () => {
  // paced packets at 25 ms and 227 ms (see above); the 2 ms and 150 ms gaps are not paced
  const episode = episodeOf([0, 25 * MS, 27 * MS, 177 * MS, 227 * MS], 100);
  assert.equal(episode.firstPacedUs, T0 + 25 * MS);
  assert.equal(episode.lastPacedUs, T0 + 227 * MS);
  assert.equal(episode.pacedSpanUs, 202 * MS);
});

test('a single paced packet has a span of zero', () => {
  const episode = episodeOf([0, 30 * MS], 100);
  assert.equal(episode.pacedPackets, 1);
  assert.equal(episode.pacedSpanUs, 0);
});

test('a steady 25 ms cadence has a mean paced gap of 25 ms and no variation', () => {
  const episode = episodeOf(evenly(41, 25 * MS), 800);
  assert.equal(episode.pacedPackets, 40);
  assert.equal(episode.meanPacedGapUs, 25 * MS);
  assert.ok(episode.pacedGapVariation < 1e-6, `variation ${episode.pacedGapVariation}`);
  assert.equal(episode.pacedSpanUs, 39 * 25 * MS);
});

test('the mean paced gap ignores the gaps that were not paced', () => {
  // gaps 20 ms, 40 ms (paced), 500 ms, 1 ms (not)
  const episode = episodeOf([0, 20 * MS, 60 * MS, 560 * MS, 561 * MS], 100);
  assert.equal(episode.pacedPackets, 2);
  assert.equal(episode.meanPacedGapUs, 30 * MS);
  // population CV of {20, 40}: sd 10 / mean 30
  assert.ok(Math.abs(episode.pacedGapVariation - 1 / 3) < 1e-9, `variation ${episode.pacedGapVariation}`);
});

test('one paced gap has no variation to speak of', () => {
  assert.equal(episodeOf([0, 50 * MS], 100).pacedGapVariation, 0);
});

test('a jittery cadence varies much more than a steady one', () => {
  const random = mulberry32(7);
  const jittered: number[] = [0];
  for (let i = 1; i < 60; i++) jittered.push(jittered[i - 1] + 12 * MS + Math.floor(random() * 85 * MS)); // 12-97 ms
  const slightly: number[] = [0];
  for (let i = 1; i < 60; i++) slightly.push(slightly[i - 1] + 24 * MS + Math.floor(random() * 2 * MS)); // 24-26 ms
  const jittery = episodeOf(jittered, 120);
  const steady = episodeOf(slightly, 120);
  assert.equal(jittery.pacedPackets, 59);
  assert.equal(steady.pacedPackets, 59);
  assert.ok(steady.pacedGapVariation < 0.05, `steady variation ${steady.pacedGapVariation}`);
  assert.ok(jittery.pacedGapVariation > 0.3, `jittery variation ${jittery.pacedGapVariation}`);
  assert.ok(Math.abs(steady.meanPacedGapUs - 25 * MS) < 1 * MS, `steady mean ${steady.meanPacedGapUs}`);
});

test('pacedGapVariation matches the population coefficient of variation of the paced gaps', () => {
  const random = mulberry32(42);
  const offsets: number[] = [0];
  const gaps: number[] = [];
  for (let i = 1; i < 30; i++) {
    const gap = 10 * MS + Math.floor(random() * 90 * MS);
    gaps.push(gap);
    offsets.push(offsets[i - 1] + gap);
  }
  const episode = episodeOf(offsets, 200);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  assert.ok(Math.abs(episode.meanPacedGapUs - mean) < 1e-6);
  assert.ok(Math.abs(episode.pacedGapVariation - sd / mean) < 1e-9, `${episode.pacedGapVariation} vs ${sd / mean}`);
});

test('records of one size have no size variation', () => {
  const episode = episodeOf(evenly(20, 25 * MS), 800);
  assert.equal(episode.sizeVariation, 0);
  assert.equal(episode.meanPacketBytes, 800);
});

test('sizeVariation is the population coefficient of variation of the sizes', () => {
  // sizes 100 and 300: mean 200, sd 100 → 0.5
  assert.ok(Math.abs(episodeOf([0, 25 * MS], [100, 300]).sizeVariation - 0.5) < 1e-12);
  // sizes 1, 1, 1, 1001: mean 251, sd sqrt(3/4·250² + 1/4·750²) = 433.0127
  const skewed = episodeOf(evenly(4, 25 * MS), [1, 1, 1, 1_001]);
  assert.ok(Math.abs(skewed.sizeVariation - 433.0127018922193 / 251) < 1e-9, `${skewed.sizeVariation}`);
});

test('one packet has no size variation', () => {
  assert.equal(episodeOf([0], 1_400).sizeVariation, 0);
});

test('mainFlow is the flow that carried the most bytes, not the most packets', () => {
  const episode = new UploadEpisode('198.51.100.20:443', T0);
  for (let i = 0; i < 10; i++) episode.add(T0 + i * 25 * MS, 50, flowA); // 500 bytes in 10 packets
  episode.add(T0 + 260 * MS, 600, flowB); // 600 bytes in 1 packet
  assert.deepEqual(episode.mainFlow, flowB);
  episode.add(T0 + 290 * MS, 101, flowA); // flowA now 601
  assert.deepEqual(episode.mainFlow, flowA);
});

test('mainFlow is the same flow when another object describes the same 4-tuple', () => {
  const episode = new UploadEpisode('198.51.100.20:443', T0);
  episode.add(T0, 300, flowA);
  episode.add(T0 + 25 * MS, 200, flowB);
  episode.add(T0 + 50 * MS, 200, { ...flowB }); // a copy: same key, flowB now 400
  assert.deepEqual(episode.mainFlow, flowB);
});

test('mainFlow keeps the first flow when two carried equal bytes', () => {
  const episode = new UploadEpisode('198.51.100.20:443', T0);
  episode.add(T0, 300, flowB);
  episode.add(T0 + 25 * MS, 300, flowA);
  assert.deepEqual(episode.mainFlow, flowB);
});

test('an episode continues at exactly EPISODE_GAP_US after its last packet and not 1 µs later', () => {
  const episode = episodeOf([0, 40 * MS], 100);
  const last = T0 + 40 * MS;
  assert.equal(episode.continuesAt(last + EPISODE_GAP_US), true);
  assert.equal(episode.continuesAt(last + EPISODE_GAP_US + 1), false);
  assert.equal(episode.continuesAt(last), true);
});

test('continuesAt measures the gap from the last packet, not from the start', () => {
  const episode = episodeOf([0, 2_000 * MS, 4_000 * MS], 100);
  assert.equal(episode.continuesAt(T0 + 6_500 * MS), true, '2.5 s after the last packet');
  assert.equal(episode.continuesAt(T0 + 6_500 * MS + 1), false);
});

test('gaps longer than the paced range still extend the episode', () => {
  const episode = episodeOf([0, 2_400 * MS], 100);
  assert.equal(episode.packets, 2);
  assert.equal(episode.durationUs, 2_400 * MS);
  assert.equal(episode.pacedPackets, 0);
});

test('mainFlow tells a UDP flow from a TCP flow with the same addresses and ports', () => {
  const episode = new UploadEpisode('198.51.100.20:443', T0);
  const udp: FlowTuple = { ...flowA, protocol: 'udp' };
  episode.add(T0, 300, flowA);
  episode.add(T0 + 25 * MS, 200, udp);
  episode.add(T0 + 50 * MS, 200, udp); // udp 400 > tcp 300
  assert.deepEqual(episode.mainFlow, udp);
});
