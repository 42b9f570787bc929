// `earshot replay CAPTURE --mqtt URL`: the service itself, on a capture file, publishing exactly
// what the box would (discovery, state, alerts), so Home Assistant can be tried without a box.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURE_DEFAULTS } from '../defaults.js';
import { parseDeviceSpec } from '../pipeline/device-selector.js';
import { resolveConfig } from '../service/load-config.js';
import { createLogger } from '../service/service-log.js';
import { createService } from '../service/wiring.js';
import { EXIT_OK, UsageError, type CliIo } from './cli-io.js';

export interface ReplayBrokerValues {
  mqtt?: string;
  id?: string;
  pace?: string;
  mic?: string;
  device?: string;
  grace?: string;
  model?: string;
}

export async function replayToBroker(capture: string, values: ReplayBrokerValues, io: CliIo): Promise<number> {
  const device = values.device === undefined ? undefined : parseDeviceSpec(values.device);
  if (values.device !== undefined && !device) throw new UsageError(`--device: expected an IP address or a MAC address (got '${values.device}')`);
  const stateDir = mkdtempSync(join(tmpdir(), 'earshot-replay-'));
  try {
    const raw: Record<string, unknown> = {
      id: values.id ?? 'replay',
      capture: { file: capture, pace: values.pace ?? CAPTURE_DEFAULTS.pace },
      mqtt: { url: values.mqtt },
      state: { path: join(stateDir, 'state.json') },
      ...(device ? { device } : {}),
      ...(values.mic ? { mic: { timeline: values.mic } } : {}),
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
