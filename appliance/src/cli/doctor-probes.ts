// The real probes for `earshot doctor`: the machine's own /dev and /sys, i2c-bus, libpcap and the
// libgpiod tools. The capture is opened in a child process: node_pcap frees its poll handle only
// when a packet arrives (docs/capture.md), which would keep a quiet interface's doctor from exiting.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openI2cBus } from '../../../gpio/i2c/i2c-bus.js';
import { runTool } from '../../../gpio/process-tools.js';
import { DEFAULT_GPIOD_TOOLS } from '../../../gpio/wire/gpiod-edge-source.js';
import type { DoctorProbes } from './doctor-checks.js';

const CAPTURE_SCRIPT = `
const pcap = require(process.argv[1]);
pcap.warningHandler = () => {};
try {
  const session = pcap.createSession(process.argv[2], { buffer_size: 1 << 20, buffer_timeout: 50 });
  session.close();
  process.exit(0);
} catch (error) {
  process.stderr.write(String(error && error.message || error));
  process.exit(1);
}`;

export function openCaptureInChild(iface: string): Promise<void> {
  const pcapPath = createRequire(import.meta.url).resolve('pcap');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CAPTURE_SCRIPT, pcapPath, iface], { timeout: 10_000, encoding: 'utf8' }, (error, _stdout, stderr) => {
      if (!error) resolve();
      else reject(new Error(stderr.trim() || error.message));
    });
  });
}

/** The `models` directory of the checkout or install this file belongs to. */
export function packageModelDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'models');
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), 'models');
    dir = parent;
  }
}

/**
 * Until the service wires in the classifier's own loader, a model "loads" when it is a JSON
 * object; the description names its version and size when it has them.
 */
export async function loadModelAsJson(path: string): Promise<string> {
  const text = readFileSync(path, 'utf8');
  const model = JSON.parse(text) as Record<string, unknown>;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) throw new Error('not a JSON object');
  const version = model.version ?? model.model_version ?? (model.card as Record<string, unknown> | undefined)?.version;
  const kb = Math.round(statSync(path).size / 1024);
  return `loads (${version !== undefined ? `version ${String(version)}, ` : ''}${kb} KB)`;
}

export const realDoctorProbes = (): DoctorProbes => ({
  root: '/',
  openI2c: openI2cBus,
  openCapture: openCaptureInChild,
  run: runTool,
  tools: DEFAULT_GPIOD_TOOLS,
  modelDir: packageModelDir(),
  loadModel: loadModelAsJson,
});
