// The live simulator's muted upload (scenario muted-upload, seed 5, 45 s played 20x faster) for a
// live test of `earshot run`: the ring goes into `dir`/mic.csv as the fake Echo changes it, so a
// service whose config names that file follows the ring as it happens.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LiveSimulation, type LiveRunOptions, type LiveRunResult } from '../../sim/src/live-simulator.js';
import { buildPlan } from '../../sim/src/scenario-plan.js';

export interface LiveMutedUpload {
  /** The mic timeline the service follows (header only until the scenario writes to it). */
  readonly micFile: string;
  /** Plays the scenario; the hooks start and stop what runs in the box namespace. */
  run(hooks: Pick<LiveRunOptions, 'onBoxReady' | 'beforeTeardown'>): Promise<LiveRunResult>;
  /** Removes the namespaces and processes the run left, whether it passed or failed. */
  cleanup(): Promise<void>;
}

export function liveMutedUpload(dir: string): LiveMutedUpload {
  const micFile = join(dir, 'mic.csv');
  writeFileSync(micFile, 'time,state\n');
  const simulation = new LiveSimulation();
  return {
    micFile,
    run: (hooks) =>
      simulation.run({
        plan: buildPlan(['muted-upload'], { seed: 5, startUs: Date.now() * 1000, durationS: 45 }),
        timeScale: 20,
        capturePath: join(dir, 'capture.pcap'),
        names: { capture: 'capture.pcap', mic: 'mic.csv' },
        progress: () => {},
        ...hooks,
        // The ring as the scenario drives it, written where the service follows it.
        onEchoEvent: (event) => {
          if (event.event === 'mic') appendFileSync(micFile, `${Math.round(Number(event.timeUs) / 1000)},${String(event.state)}\n`);
        },
      }),
    cleanup: () => simulation.cleanup(),
  };
}
