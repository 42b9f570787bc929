// The packet path makes no text of its own: addresses are numbers until something reads them.
// Counted by wrapping DecodedPacket's text getters while a generated day goes through the whole
// analysis (decode -> flows -> features -> judge), with uploads, episodes and alerts in it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodedPacket } from '../../appliance/src/decode/decoded-packet.js';
import { LinkType } from '../../appliance/src/decode/types.js';
import type { JudgeEvent } from '../../appliance/src/judge/judge-events.js';
import { parseMicTimeline } from '../../appliance/src/mic/mic-timeline.js';
import { buildAnalysis } from '../../appliance/src/pipeline/capture-run.js';
import { benchmarkSession, micTimelineCsv } from '../../sim/src/echo-session.js';

function countReads(name: 'src' | 'dst' | 'srcMac'): { count: () => number; restore: () => void } {
  const original = Object.getOwnPropertyDescriptor(DecodedPacket.prototype, name)!;
  let reads = 0;
  Object.defineProperty(DecodedPacket.prototype, name, {
    configurable: true,
    get(this: DecodedPacket) {
      reads++;
      return original.get!.call(this);
    },
  });
  return { count: () => reads, restore: () => Object.defineProperty(DecodedPacket.prototype, name, original) };
}

for (const named of ['ip', 'mac'] as const) {
  test(`a day of Echo traffic reads address text only for the connections the judge names, not per packet (Echo by ${named})`, () => {
    const session = benchmarkSession(30_000);
    const mic = parseMicTimeline(micTimelineCsv(session.mic), 'mic.csv');
    const counters = [countReads('src'), countReads('dst'), countReads('srcMac')];
    try {
      const events: JudgeEvent[] = [];
      const device = named === 'ip' ? { ip: session.echo.ip } : { mac: session.echo.mac };
      const analysis = buildAnalysis({ device, mic }, { judge: (event) => events.push(event) });
      for (const { timeUs, frame } of session.frames) analysis.push({ timeUs, originalLength: frame.length, linkType: LinkType.ETHERNET, bytes: frame });
      analysis.finish();
      const [src, dst, srcMac] = counters.map((c) => c.count());
      const episodes = analysis.judge.counts.episodes;
      assert.ok(events.some((e) => e.type === 'alert'), 'the day has alerts');
      assert.ok(session.frames.length >= 30_000, `${session.frames.length} frames`);
      // One src and one dst per connection an episode meets (at most 16 tracked per alert, 64 per
      // episode), plus the Echo's address once when it is named by MAC.
      assert.ok(src <= episodes * 64 + 1 && dst <= episodes * 64, `src ${src}, dst ${dst} reads for ${episodes} episodes`);
      assert.ok(src + dst < session.frames.length / 20, `${src + dst} reads for ${session.frames.length} frames`);
      assert.equal(srcMac, 0);
    } finally {
      for (const c of counters) c.restore();
    }
  });
}
