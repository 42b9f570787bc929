// `earshot-sim simulate --report`: simulates `--scenario all`, reads the paper's dataset and the real
// Echo captures from ../shared/data, and writes the realism section of docs/simulator.md and the
// summary numbers the tests use when that data is absent (test/fixtures/sim-paper-reference.json).

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../../appliance/src/capture/file-source.js';
import { PcapBuilder } from '../../../appliance/src/capture/capture-writer.js';
import { LinkType } from '../wire-constants.js';
import { paperLabel } from '../../../appliance/src/features/packet-class.js';
import { MicTimeline } from '../../../appliance/src/mic/mic-timeline.js';
import { simulateOffline, type OfflineResult } from '../offline-simulator.js';
import { parseDatasetCsv, type DatasetRow } from '../realism-stats.js';
import { realismMarkdown, referenceSummary, spliceReport, type NamedRows } from '../realism-report.js';
import { buildPlan } from '../scenario-plan.js';
import { runCapture } from '../../../appliance/src/pipeline/capture-run.js';
import { EXIT_OK, UsageError, type CliIo } from '../../../appliance/src/cli/cli-io.js';
import { writeOutput } from './simulate-command.js';

export interface ReportOptions {
  shared?: string;
  doc?: string;
  reference?: string;
}

/** The real captures' Echo (the only private address in them). */
const PCAP_ECHO = '10.63.7.79';
/** A byte-for-byte copy of microphone_mute/03.csv (design.md section 1): counted once. */
const DUPLICATE_FILE = 'no_wake_word/05.csv';
const REPORT_SEED = 1;

export async function simulateReport(options: ReportOptions, io: CliIo): Promise<number> {
  const shared = options.shared ?? process.env.EARSHOT_SHARED_DATA ?? join('..', 'shared', 'data');
  const paperDir = join(shared, 'paper-dataset');
  const pcapDir = join(shared, 'echo-pcaps');
  for (const dir of [paperDir, pcapDir]) if (!existsSync(dir)) throw new UsageError(`${dir}: absent; the realism report needs the shared data (give --shared DIR)`);
  const doc = options.doc ?? join('docs', 'simulator.md');
  const referencePath = options.reference ?? join('test', 'fixtures', 'sim-paper-reference.json');

  const paper = loadPaperDataset(paperDir);
  const pcaps = await loadEchoPcaps(pcapDir);
  io.stderr(`earshot-sim simulate --report: ${paper.length} paper files, ${pcaps.length} real captures; simulating --scenario all --seed ${REPORT_SEED}\n`);

  const dir = mkdtempSync(join(tmpdir(), 'earshot-sim-report-'));
  try {
    const { result, rows } = await simulatedRows(dir);
    const within = (names: string[]): DatasetRow[] => {
      const spans = result.plan.segments.filter((s) => names.includes(s.scenario));
      return rows.filter((r) => spans.some((s) => r.timeUs >= s.startUs && r.timeUs < s.endUs));
    };
    const voiceUploadBytes = result.truth.episodes.filter((e) => e.kind === 'voice_command' && e.span.packets > 0).map((e) => e.span.tcpPayloadBytes);
    const reference = referenceSummary(paper, pcaps);
    const markdown = realismMarkdown(
      {
        simulated: {
          command: `earshot-sim simulate --scenario all --seed ${REPORT_SEED}`,
          hours: (result.plan.endUs - result.plan.startUs) / 3.6e9,
          frames: result.frames,
          rows,
          streamingRows: within(['music-amazon', 'music-spotify']),
          conversationRows: within(['conversation']),
          voiceUploadBytes,
        },
        paper,
        pcaps,
      },
      reference,
    );
    const existing = existsSync(doc) ? readFileSync(doc, 'utf8') : '# The Echo traffic simulator\n';
    writeOutput(doc, spliceReport(existing, markdown));
    writeOutput(referencePath, JSON.stringify(reference, null, 1) + '\n');
    io.stderr(`earshot-sim simulate --report: wrote ${doc} and ${referencePath}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return EXIT_OK;
}

/** The paper's CSVs, one entry per file, without the duplicated one. */
export function loadPaperDataset(paperDir: string): NamedRows[] {
  const paper: NamedRows[] = [];
  for (const context of readdirSync(paperDir).sort()) {
    if (context.includes('.')) continue;
    for (const file of readdirSync(join(paperDir, context)).sort()) {
      const name = `${context}/${file}`;
      if (!file.endsWith('.csv') || name === DUPLICATE_FILE) continue;
      paper.push({ name, rows: parseDatasetCsv(readFileSync(join(paperDir, name), 'utf8')) });
    }
  }
  return paper;
}

/** The real Echo captures as dataset rows (no mic timeline: app data is `justified`). */
export async function loadEchoPcaps(pcapDir: string): Promise<NamedRows[]> {
  const pcaps: NamedRows[] = [];
  for (const file of readdirSync(pcapDir).sort()) {
    if (file.endsWith('.pcap') || file.endsWith('.pcapng')) pcaps.push({ name: file, rows: await featureRows(join(pcapDir, file), PCAP_ECHO) });
  }
  return pcaps;
}

async function featureRows(capture: string, device: string, mic?: MicTimeline): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  const run = await runCapture(new FileSource(capture), { device: { ip: device }, mic }, {
    packet: (_packet, f) => rows.push({ timeUs: f.timeUs, length: f.length, dstip: f.dstip, dstport: f.dstport, cls: paperLabel(f.packetClass), payload: f.payload }),
  });
  if (run.inputError) throw run.inputError;
  return rows;
}

async function simulatedRows(dir: string): Promise<{ result: OfflineResult; rows: DatasetRow[] }> {
  const plan = buildPlan(['all'], { seed: REPORT_SEED, startUs: Date.UTC(2026, 0, 15, 12) * 1000 });
  const pcap = new PcapBuilder(LinkType.ETHERNET);
  const result = simulateOffline(plan, (timeUs, frame) => pcap.add(timeUs, frame));
  const capture = join(dir, 'capture.pcap');
  writeFileSync(capture, Buffer.concat(pcap.take()));
  return { result, rows: await featureRows(capture, '192.0.2.10', new MicTimeline(plan.mic)) };
}
