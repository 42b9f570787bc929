// `earshot demo`: generates a five-minute Echo capture (a wanted command, an upload while muted,
// a misactivation) with its mic timeline, then replays it through the whole pipeline.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoSession, micTimelineCsv, sessionToPcap } from '../synth/echo-session.js';
import type { CliIo } from './cli-io.js';
import { replayCommand } from './replay-command.js';

export const DEMO_USAGE = 'demo [--jsonl] [--keep DIR]';

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { jsonl: { type: 'boolean', default: false }, keep: { type: 'string' } } });
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'earshot-demo-'));
  mkdirSync(dir, { recursive: true });
  try {
    const session = demoSession();
    const capture = join(dir, 'echo-demo.pcap');
    const mic = join(dir, 'echo-demo-mic.csv');
    writeFileSync(capture, Buffer.concat(sessionToPcap(session)));
    writeFileSync(mic, micTimelineCsv(session.mic));
    if (!values.jsonl) {
      io.stdout(`earshot demo: generated ${session.frames.length} frames of Echo traffic (${session.echo.ip}) and its mic timeline\n`);
      io.stdout('  00:00 idle, 01:00 listening ("how is the weather today?"), 01:07 idle, 02:20 muted (upload at 02:40), 03:20 idle (upload at 04:00)\n\n');
    }
    const replayArgs = [capture, '--mic', mic, '--device', session.echo.ip, ...(values.jsonl ? ['--jsonl'] : [])];
    return await replayCommand(replayArgs, io);
  } finally {
    if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
