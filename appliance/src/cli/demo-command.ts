// `earshot demo`: the whole box on this machine. It generates an Echo's day (a wanted command,
// an upload while muted, a misactivation) with its mic timeline, runs the real service on it at
// a compressed pace with a live view, publishes to MQTT when given a broker, and ends with a
// summary. No broker, no hardware and no network are needed.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summaryEvent } from '../pipeline/capture-run.js';
import { resolveConfig } from '../service/load-config.js';
import { createService } from '../service/wiring.js';
import { demoSession, micTimelineCsv, sessionToPcap } from '../synth/echo-session.js';
import type { CliIo } from './cli-io.js';
import { EXIT_OK } from './cli-io.js';
import { DemoView } from './demo-view.js';
import { formatReplaySummary } from './replay-report.js';

export const DEMO_USAGE = 'demo [--mqtt URL] [--speed N] [--keep DIR]';

/** Frames of the live view per second of wall time. */
const VIEW_INTERVAL_MS = 100;

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { mqtt: { type: 'string' }, speed: { type: 'string' }, keep: { type: 'string' } } });
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'earshot-demo-'));
  mkdirSync(dir, { recursive: true });
  try {
    const session = demoSession();
    const capture = join(dir, 'echo-demo.pcap');
    const micFile = join(dir, 'echo-demo-mic.csv');
    writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
    writeFileSync(micFile, micTimelineCsv(session.mic));
    const first = session.frames[0].timeUs;
    const spanS = (session.frames[session.frames.length - 1].timeUs - first) / 1e6;
    const speed = values.speed === undefined ? Math.max(1, spanS / 20) : Number(values.speed);
    const config = resolveConfig(
      {
        id: 'demo',
        capture: { file: capture, pace: 'recorded', speed },
        mic: { timeline: micFile },
        device: { ip: session.echo.ip },
        state: { path: join(dir, 'state.json') },
        ...(values.mqtt ? { mqtt: { url: values.mqtt } } : {}),
      },
      'demo options',
      {},
      'demo',
    );
    const view = new DemoView(io.stdout, session.mic, process.stdout.isTTY === true);
    io.stdout(`earshot demo: ${session.frames.length} frames of generated Echo traffic (${session.echo.ip}), ${Math.round(spanS / 60)} minutes played ${speed.toFixed(0)}x faster, ${values.mqtt ? `publishing to ${values.mqtt}` : 'no MQTT broker (give --mqtt URL to publish to Home Assistant)'}\n\n`);
    const service = await createService({
      config,
      configFile: 'demo options',
      log: (level, line) => {
        if (line.startsWith('mqtt:')) view.note(line);
      },
      onJudgeEvent: (event) => view.event(event),
    });
    const timer = setInterval(() => {
      const now = service.captureNowUs();
      view.advance(now);
      view.status(service.state.snapshot(), now);
    }, VIEW_INTERVAL_MS);
    const started = process.hrtime.bigint();
    try {
      await service.run();
    } finally {
      clearInterval(timer);
    }
    view.advance(Number.MAX_SAFE_INTEGER);
    view.finish();
    const analysis = service.analysisResult!;
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = summaryEvent({ pipeline: analysis.pipeline, judge: analysis.judge, source: service.source, wallSeconds, inputError: undefined });
    io.stdout('\n' + formatReplaySummary(summary, `${session.mic.length} state changes from the generated timeline`, { title: 'earshot demo', paced: true }));
    return EXIT_OK;
  } finally {
    if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
