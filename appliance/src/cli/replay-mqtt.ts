// `earshot replay CAPTURE --mqtt URL`: the service itself, on a capture file, publishing exactly
// what the box would (discovery, state, alerts), so Home Assistant can be tried without a box.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURE_DEFAULTS } from '../defaults.js';
import { resolveConfig } from '../service/load-config.js';
import { createLogger } from '../service/service-log.js';
import { createService } from '../service/wiring.js';
import { pipelineOptions } from './pipeline-options.js';
import { EXIT_OK, type CliIo } from './cli-io.js';

export interface ReplayBrokerValues {
  mqtt?: string;
  id?: string;
  pace?: string;
  mic?: string[];
  device?: string[];
  grace?: string;
  model?: string;
}

export async function replayToBroker(capture: string, values: ReplayBrokerValues, io: CliIo): Promise<number> {
  // The same Echos as without --mqtt (pipeline-options.ts), written as the config's devices.
  const { options } = await pipelineOptions({ device: values.device, mic: values.mic, grace: values.grace });
  const mics = values.mic ?? [];
  const listed = options.devices ?? [{ id: 'echo', name: 'Echo', spec: options.device }];
  const devices = listed.map((device, index) => ({ id: device.id, name: device.name, ...device.spec, ...(mics[index] ? { mic: { timeline: mics[index] } } : {}) }));
  const stateDir = mkdtempSync(join(tmpdir(), 'earshot-replay-'));
  try {
    const raw: Record<string, unknown> = {
      id: values.id ?? 'replay',
      capture: { file: capture, pace: values.pace ?? CAPTURE_DEFAULTS.pace },
      mqtt: { url: values.mqtt },
      state: { path: join(stateDir, 'state.json') },
      version: 3,
      devices,
      ...(values.grace ? { judge: { grace_s: Number(values.grace) } } : {}),
      model: values.model ?? 'none',
    };
    // Options are validated by the service's own schema, so errors read the same as for `run`.
    const config = resolveConfig(raw, 'replay options', {}, 'replay');
    const service = await createService({ config, configFile: 'replay options', log: createLogger(io.stderr, {}) });
    await service.run();
    return EXIT_OK;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
