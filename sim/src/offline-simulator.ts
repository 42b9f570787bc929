// Offline mode: plays a plan against the simulated Echo on a synthetic clock and hands every frame
// to a sink in capture order. No I/O here; the CLI writes the sink's frames to capture.pcap.

import { scheduleActivities } from './echo-activities.js';
import { EchoDevice } from './echo-device.js';
import { BOX, ECHO } from './echo-profile.js';
import { EventQueue } from './event-queue.js';
import type { Plan } from './scenario-plan.js';
import { SeededRandom } from './seeded-random.js';
import { truthDocument, type TruthRecorder } from './sim-truth.js';
import type { CaptureSink } from './tcp-session.js';

export interface OfflineOptions {
  /** Chance that one of the Echo's data segments is lost beyond the AP and retransmitted. */
  lossRate?: number;
  /** Whether the Echo's account has Spotify linked (its port-4070 sync connection). */
  spotifyLinked?: boolean;
}

export interface OfflineResult {
  plan: Plan;
  truth: TruthRecorder;
  frames: number;
  firstUs: number;
  lastUs: number;
}

export function simulateOffline(plan: Plan, sink: CaptureSink, options: OfflineOptions = {}): OfflineResult {
  const queue = new EventQueue(plan.startUs);
  let frames = 0;
  let firstUs = Infinity;
  let lastUs = -Infinity;
  const capture: CaptureSink = (timeUs, frame) => {
    if (timeUs > plan.endUs) return;
    frames++;
    if (timeUs < firstUs) firstUs = timeUs;
    lastUs = timeUs;
    sink(timeUs, frame);
  };
  const device = new EchoDevice({ queue, random: new SeededRandom(plan.seed).fork('traffic'), capture }, plan, {
    spotifyLinked: options.spotifyLinked ?? true,
    lossRate: options.lossRate ?? 0.002,
  });
  device.start();
  scheduleActivities(device);
  queue.runUntil(plan.endUs);
  return { plan, truth: device.truth, frames, firstUs, lastUs };
}

export const DEVICE = { ip: ECHO.ip, mac: ECHO.mac };
export const GATEWAY = BOX;

export interface OutputNames {
  capture: string;
  mic: string;
}

export function offlineTruth(result: OfflineResult, names: OutputNames, graceS = 30): object {
  const { plan } = result;
  return truthDocument(
    {
      mode: 'offline',
      scenario: plan.scenario,
      seed: plan.seed,
      timeScale: 1,
      device: DEVICE,
      captureFile: names.capture,
      frames: result.frames,
      captureStartUs: result.frames > 0 ? result.firstUs : plan.startUs,
      captureEndUs: result.frames > 0 ? result.lastUs : plan.endUs,
      micFile: names.mic,
      graceS,
      segments: plan.segments,
    },
    result.truth,
    plan.mic,
  );
}
