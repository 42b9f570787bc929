// `earshot-sim demo` (`make demo`): the whole box on this machine. The simulator makes part of an Echo's day (the
// paper's four example requests, Spotify, an upload while muted, a misactivation, a slow leak and
// leaks framed like no Echo client: a bulk upload, 16 KB bursts, UDP, a burst then a paced stream)
// with its mic timeline; the real service runs on it at a compressed pace with a live view,
// publishes to MQTT when given a broker, and ends with a summary. No broker, no hardware and no
// network are needed.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summaryEvent } from '../../../appliance/src/pipeline/capture-run.js';
import { resolveConfig } from '../../../appliance/src/service/load-config.js';
import { createService } from '../../../appliance/src/service/wiring.js';
import { parseMicTimeline } from '../../../appliance/src/mic/mic-timeline.js';
import { simulateCommand } from './simulate-command.js';
import type { CliIo } from '../../../appliance/src/cli/cli-io.js';
import { EXIT_OK } from '../../../appliance/src/cli/cli-io.js';
import { DemoView } from './demo-view.js';
import { formatReplaySummary } from '../../../appliance/src/cli/replay-report.js';

export const DEMO_USAGE = 'demo [--mqtt URL] [--speed N] [--keep DIR]';

/**
 * The day the demo plays: about 50 minutes, each leak once, between ordinary use. The shaped
 * leaks (bulk, bursts, UDP, split over two servers) show that what alerts is the upload, not one
 * client's framing.
 */
const DEMO_SCENARIOS = 'conversation,music-spotify,muted-upload,misactivation,slow-leak,bulk-leak,burst-leak,udp-leak,split-leak';
/** How long the demo should take on the wall clock. */
const DEMO_WALL_S = 30;

/** The page's usual port, as on the box (any free one if it is taken). */
const DEMO_PAGE_PORT = 8080;

/** Frames of the live view per second of wall time. */
const VIEW_INTERVAL_MS = 100;

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { mqtt: { type: 'string' }, speed: { type: 'string' }, keep: { type: 'string' } } });
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'earshot-demo-'));
  mkdirSync(dir, { recursive: true });
  try {
    let simulated = '';
    const code = await simulateCommand(['--scenario', DEMO_SCENARIOS, '--seed', '7', '--start', '2026-01-15T08:00:00Z', '--out', dir], { stdout: () => {}, stderr: (t) => void (simulated += t) });
    if (code !== EXIT_OK) throw new Error(`the simulator failed: ${simulated}`);
    const capture = join(dir, 'capture.pcap');
    const micFile = join(dir, 'mic.csv');
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { device: { ip: string }; capture: { start: string; end: string; frames: number } };
    const micChanges = parseMicTimeline(readFileSync(micFile, 'utf8'), micFile).changes();
    const spanS = (Date.parse(truth.capture.end) - Date.parse(truth.capture.start)) / 1000;
    const token = randomBytes(12).toString('hex');
    const speed = values.speed === undefined ? Math.max(1, spanS / DEMO_WALL_S) : Number(values.speed);
    const config = resolveConfig(
      {
        id: 'demo',
        capture: { file: capture, pace: 'recorded', speed },
        mic: { timeline: micFile },
        device: { ip: truth.device.ip },
        state: { path: join(dir, 'state.json') },
        record: { dir: join(dir, 'datasets') },
        // The whole simulated day fits the chart; a fresh token lets the person try the actions.
        status_page: { port: DEMO_PAGE_PORT, token, chart_s: Math.min(86400, Math.max(60, Math.ceil(spanS / 60) * 60)) },
        ...(values.mqtt ? { mqtt: { url: values.mqtt } } : {}),
      },
      'demo options',
      {},
      'demo',
    );
    const view = new DemoView(io.stdout, micChanges, process.stdout.isTTY === true);
    io.stdout(`earshot demo: ${truth.capture.frames.toLocaleString('en-US')} frames of simulated Echo traffic (${truth.device.ip}): ${DEMO_SCENARIOS.replaceAll(',', ', ')}\n`);
    io.stdout(`  ${Math.round(spanS / 60)} minutes played ${speed.toFixed(0)}x faster through the real service; ${values.mqtt ? `publishing to ${values.mqtt}` : 'no MQTT broker (give --mqtt URL to publish to Home Assistant)'}\n\n`);
    const service = await createService({
      config,
      configFile: 'demo options',
      log: (level, line) => {
        if (line.startsWith('mqtt:')) view.note(line);
      },
      onJudgeEvent: (event) => view.event(event),
      // A chart point per ~7 capture seconds (a request's listening band shows); another demo's page may hold the port.
      statusPage: {
        sampleMs: Math.max(100, Math.min(1000, Math.round(7_000 / speed))),
        anyPortWhenBusy: true,
        onListening: (url) => io.stdout(`  status page: ${url} (live; the actions' token is ${token})\n\n`),
      },
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
    const summary = summaryEvent({ pipeline: analysis.pipeline, judges: analysis.judges, source: service.source, wallSeconds, inputError: undefined });
    io.stdout('\n' + formatReplaySummary(summary, `${micChanges.length} state changes from the simulated ring`, { title: 'earshot demo', paced: true }));
    return EXIT_OK;
  } finally {
    if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
