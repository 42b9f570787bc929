// `earshot-sim simulate --live`: the plan played with real TLS/HTTP2 through network namespaces this
// command creates, captured with libpcap on the box's LAN veth. Needs root. Whatever it set up is
// removed when it ends, fails, or gets SIGINT/SIGTERM (exit 130/143 then).

import { join } from 'node:path';
import { micTimelineCsv } from '../echo-session.js';
import { LiveSimulation } from '../live-simulator.js';
import { liveUnavailableReason } from '../netns-lab.js';
import { EXIT_OK, UsageError, type CliIo } from '../../../appliance/src/cli/cli-io.js';
import { OUTPUT_FILES, summaryLine, writeOutput, type SimulateRequest } from './simulate-command.js';

type TruthSummary = Parameters<typeof summaryLine>[3];

export async function simulateLive(request: SimulateRequest, io: CliIo): Promise<number> {
  const reason = liveUnavailableReason();
  if (reason) throw new UsageError(`--live: ${reason} (offline mode, without --live, needs no privileges)`);
  const simulation = new LiveSimulation();
  const say = (message: string): void => io.stderr(`earshot-sim simulate --live: ${message}\n`);
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: removing the namespaces and processes of this run`);
    void simulation.cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const onExit = (): void => simulation.cleanupSync();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  try {
    const result = await simulation.run({
      plan: request.plan,
      timeScale: request.timeScale,
      capturePath: join(request.out, OUTPUT_FILES.capture),
      names: OUTPUT_FILES,
      progress: say,
    });
    writeOutput(join(request.out, OUTPUT_FILES.mic), micTimelineCsv(result.mic));
    writeOutput(join(request.out, OUTPUT_FILES.truth), JSON.stringify(result.truth, null, 1) + '\n');
    for (const warning of result.warnings) say(`warning from the fake Echo: ${warning}`);
    io.stderr(summaryLine(request.plan, result.frames, request.out, result.truth as TruthSummary, result.wallSeconds));
    say(`${result.dropped} frames dropped by the capture; namespaces and processes removed`);
    return EXIT_OK;
  } finally {
    await simulation.cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', onExit);
  }
}
