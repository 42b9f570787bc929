// Live mode: builds the three namespaces, starts the capture (box), the fake cloud and the fake
// Echo, waits on their events, then turns the Echo's reports of what it sent into truth. Every
// namespace and process it made is removed on success, on failure, and (through the CLI's signal
// handlers) on Ctrl-C.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADDRESSES, BOX, ECHO, HOSTS } from './echo-profile.js';
import { ScaledClock } from './live-clock.js';
import { selfSignedCertificate } from './live-credentials.js';
import { liveTruth, type LiveEvent } from './live-truth.js';
import { isMicState, type MicChange } from './mic-plan.js';
import { LAB_ADDRESSES, NetnsLab, removeStaleNamespaces } from './netns-lab.js';
import { JsonLines } from './process-lines.js';
import type { Plan } from './scenario-plan.js';
import { truthDocument } from './sim-truth.js';

const DNS_ADDRESS = '198.51.100.53';
const STARTUP_TIMEOUT_MS = 30_000;

export interface LiveRunOptions {
  plan: Plan;
  timeScale: number;
  capturePath: string;
  names: { capture: string; mic: string };
  progress: (message: string) => void;
  /** Once the box captures and the cloud listens, before the Echo starts: e.g. to run earshot in the box. */
  onBoxReady?: (box: { namespace: string; lanInterface: string }) => Promise<void>;
  /** Each event the fake Echo reports (mic changes, episodes), as it happens. */
  onEchoEvent?: (event: Record<string, unknown>) => void;
  /** After the Echo is done, before the namespaces go: stop what onBoxReady started. */
  beforeTeardown?: () => Promise<void>;
}

export interface LiveRunResult {
  truth: object;
  mic: MicChange[];
  frames: number;
  dropped: number;
  wallSeconds: number;
  warnings: string[];
}

/** Node flags that load code (tsx under tests and `npx tsx`), passed on to the role processes. */
function loaderArguments(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (/^--(import|require|loader|experimental-loader)=/.test(flag)) out.push(flag);
    else if (['--import', '--require', '-r', '--loader', '--experimental-loader'].includes(flag) && i + 1 < argv.length) out.push(flag, argv[++i]);
  }
  return out;
}

const ROLE_SCRIPT = fileURLToPath(new URL(`./live-role${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export class LiveSimulation {
  readonly lab = new NetnsLab();
  private readonly work = mkdtempSync(join(tmpdir(), 'earshot-sim-live-'));

  async run(options: LiveRunOptions): Promise<LiveRunResult> {
    const started = Date.now();
    const { plan } = options;
    const stale = removeStaleNamespaces();
    if (stale.length > 0) options.progress(`removed ${stale.length} namespaces left by an earlier run that was killed: ${stale.join(', ')}`);
    const servers = [...ADDRESSES.avs, ADDRESSES.metrics, ...ADDRESSES.rotation, ...ADDRESSES.amazonMusic, ADDRESSES.spotifyAudio, ADDRESSES.spotifySync, ADDRESSES.ntp, ADDRESSES.upload, ADDRESSES.rtpRelay, DNS_ADDRESS];
    this.lab.create(servers, { echo: ECHO.mac, boxLan: BOX.mac });
    const { echo, box, cloud } = this.lab.namespaces;
    const marker = randomBytes(16).toString('hex');
    const credentials = selfSignedCertificate([HOSTS.avs, HOSTS.metrics, HOSTS.amazonMusic, HOSTS.upload, ...HOSTS.rotation]);
    const start = (ns: string, role: string, config: object): JsonLines => {
      const path = join(this.work, `${role}.json`);
      writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
      return new JsonLines(this.lab.spawn(ns, process.execPath, [...loaderArguments(), ROLE_SCRIPT, role, path]), role);
    };
    const capture = start(box, 'capture', { iface: 'lan0', out: options.capturePath, markerHex: marker });
    await capture.waitFor('capturing', STARTUP_TIMEOUT_MS);
    const cloudRole = start(cloud, 'cloud', { certPem: credentials.certPem, keyPem: credentials.keyPem, dnsAddress: DNS_ADDRESS });
    await cloudRole.waitFor('listening', STARTUP_TIMEOUT_MS);
    await options.onBoxReady?.({ namespace: box, lanInterface: 'lan0' });
    const clock = new ScaledClock(plan, options.timeScale);
    const echoRole = start(echo, 'echo', { plan, timeScale: options.timeScale, caPem: credentials.certPem, dnsAddress: DNS_ADDRESS, marker: { hex: marker, address: LAB_ADDRESSES.cloud, port: 9 } });
    if (options.onEchoEvent) echoRole.onEvent = options.onEchoEvent;
    await echoRole.waitFor('ready', STARTUP_TIMEOUT_MS);
    options.progress(`running in namespaces ${echo}, ${box}, ${cloud} (processes ${this.lab.childPids.join(', ')}); about ${Math.ceil(clock.totalWallUs / 1e6)} s`);
    await echoRole.waitFor('done', clock.totalWallUs / 1000 + 120_000);
    const captured = await capture.waitFor('captured', STARTUP_TIMEOUT_MS);
    await options.beforeTeardown?.();
    await this.lab.remove();

    const events = echoRole.events.filter((e) => e.event === 'episode' || e.event === 'heartbeat' || e.event === 'stream') as unknown as LiveEvent[];
    const mic: MicChange[] = echoRole.events.flatMap((e) => (e.event === 'mic' && isMicState(String(e.state)) ? [{ timeUs: Number(e.timeUs), state: e.state as MicChange['state'] }] : []));
    const truth = liveTruth(ECHO.ip, events);
    // The capture says how many frames it wrote and when the first and the last were stamped.
    const frames = Number(captured.frames ?? 0);
    const firstUs = frames > 0 ? Number(captured.firstUs) : (mic[0]?.timeUs ?? 0);
    const lastUs = frames > 0 ? Number(captured.lastUs) : firstUs;
    const runStartUs = mic[0]?.timeUs ?? firstUs;
    const document = truthDocument(
      {
        mode: 'live',
        scenario: plan.scenario,
        seed: plan.seed,
        timeScale: options.timeScale,
        device: { ip: ECHO.ip, mac: ECHO.mac },
        captureFile: options.names.capture,
        frames,
        captureStartUs: firstUs,
        captureEndUs: lastUs,
        micFile: options.names.mic,
        graceS: 30,
        segments: plan.segments.map((s) => ({ scenario: s.scenario, startUs: runStartUs + clock.wallUs(s.startUs), endUs: runStartUs + clock.wallUs(s.endUs) })),
      },
      truth,
      mic,
    );
    return {
      truth: document,
      mic,
      frames,
      dropped: Number(captured.dropped ?? 0),
      wallSeconds: (Date.now() - started) / 1000,
      warnings: echoRole.events.filter((e) => e.event === 'warning').map((e) => String(e.message)),
    };
  }

  /** Removes everything this run made; safe to call more than once and after a failure. */
  async cleanup(): Promise<void> {
    await this.lab.remove();
    rmSync(this.work, { recursive: true, force: true });
  }

  cleanupSync(): void {
    this.lab.removeSync();
    rmSync(this.work, { recursive: true, force: true });
  }
}
