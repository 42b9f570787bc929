// The entry point of live mode's three processes, each started inside its own network namespace
// by `earshot-sim simulate --live`:  live-role ROLE CONFIG.json
//   capture: LiveSource on the box's LAN veth    cloud: the fake servers    echo: the fake Echo
// Each prints JSON lines on stdout; errors go to stderr with exit code 1.

import { readFileSync } from 'node:fs';
import { runLiveCapture } from './live-capture.js';
import { startCloud, type CloudConfig } from './live-cloud.js';
import { LiveEcho, type EchoConfig } from './live-echo.js';

const [role, configPath] = process.argv.slice(2);
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

try {
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  if (role === 'capture') {
    const { iface, out, markerHex } = config as { iface: string; out: string; markerHex: string };
    await runLiveCapture(iface, out, markerHex, print);
    // node_pcap frees its poll handle only when another packet arrives (docs/capture.md).
    process.exit(0);
  } else if (role === 'cloud') {
    const stop = await startCloud(config as CloudConfig);
    process.on('SIGTERM', () => {
      stop();
      process.exit(0);
    });
    print({ event: 'listening' });
  } else if (role === 'echo') {
    await new LiveEcho(config as EchoConfig, print).run();
    process.exit(0);
  } else {
    throw new Error(`unknown role '${role}' (capture, cloud or echo)`);
  }
} catch (error) {
  process.stderr.write(`live ${role}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
