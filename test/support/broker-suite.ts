// One Mosquitto and one scratch folder for a test file that runs the service against a broker:
// started before its tests, with the muted ring and the file's own captures written, and every
// subscriber, the broker and the folder removed after them, even when a test fails.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { MosquittoBroker, MqttRecorder } from './mosquitto.js';
import { writeMicThroughout } from './service-captures.js';

/** The capture clock of the suites' generated uploads: 2026-01-15 12:00 UTC. */
export const SUITE_T0 = Date.UTC(2026, 0, 15, 12, 0, 0) * 1000;

export interface BrokerSuite {
  readonly broker: MosquittoBroker;
  /** Holds muted.csv (the ring muted throughout) and whatever `prepare` wrote. */
  readonly dir: string;
  /** A subscriber closed with the suite. */
  recorder(topics: string[], options?: { clientId?: string; clean?: boolean }): Promise<MqttRecorder>;
}

export function brokerSuite(prefix: string, prepare: (dir: string) => void): BrokerSuite {
  const recorders: MqttRecorder[] = [];
  let broker: MosquittoBroker | undefined;
  let dir = '';
  before(async () => {
    broker = await MosquittoBroker.start();
    dir = mkdtempSync(join(tmpdir(), prefix));
    writeMicThroughout(join(dir, 'muted.csv'), 'muted', SUITE_T0 - 60_000_000);
    prepare(dir);
  });
  after(async () => {
    for (const r of recorders) await r.close().catch(() => undefined);
    await broker?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get broker() {
      return broker!;
    },
    get dir() {
      return dir;
    },
    async recorder(topics, options) {
      const r = await MqttRecorder.connect(broker!.url, topics, options);
      recorders.push(r);
      return r;
    },
  };
}
