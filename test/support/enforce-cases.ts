// The enforcement matrix's uploads, each from a client stack nobody on this project wrote (curl
// over OpenSSL, Python's socket module, Node's http2 on nghttp2), sent from the Echo's namespace
// through the box while the ring is muted and block-when-muted is on. runCase() measures what
// issue 14 asks: the bytes that reached the cloud after the alert, whether every flow of the
// episode was cut, and the alert's latency. The pacing timers below are the traffic's shape, not
// waits for the system under test.

import { ProcessOutput } from './netns.js';
import { exited } from './upload-lab.js';
import { ENFORCE_CLOUD_PORTS, SERVERS } from './enforce-addresses.js';
import type { CloudPiece, EnforceLab, Json } from './enforce-lab.js';

/** One client of a case, and whether it got its whole upload through. */
export interface ClientOutcome {
  what: string;
  protocol: 'tcp' | 'udp';
  server: string;
  /** Bytes it meant to upload. */
  bodyBytes: number;
  /** It finished its upload as if nothing happened (HTTP 200 for the whole body, every datagram sent). */
  completed: boolean;
  detail: string;
  /** Wall clock when it began. */
  startedAt: number;
  /** UDP: how many datagrams it sent. */
  datagrams?: number;
}

export interface EnforceCase {
  name: string;
  stack: string;
  shape: string;
  run(lab: EnforceLab): Promise<ClientOutcome[]>;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const url = (server: string): string => `https://${server}:${ENFORCE_CLOUD_PORTS.https}/upload`;

/** curl POSTs a body over HTTP/1.1 (no Expect: 100-continue, so the body follows the headers at once). */
async function curlPost(lab: EnforceLab, server: string, bytes: number, limitRate?: string): Promise<ClientOutcome> {
  const args = ['-sS', '-k', '--http1.1', '-H', 'Expect:', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${await lab.writeBody(bytes)}`];
  if (limitRate) args.push('--limit-rate', limitRate);
  args.push('--max-time', '30', '-o', '/dev/null', '-w', '%{http_code} %{size_upload}', url(server));
  const startedAt = Date.now();
  const result = await lab.inEcho('curl', args, 40_000);
  const [status, uploaded] = result.stdout.trim().split(' ');
  const what = `curl${limitRate ? ` --limit-rate ${limitRate}` : ''} ${Math.round(bytes / 1000)} KB`;
  const detail = result.code === 0 ? `HTTP ${status}, ${uploaded} B sent` : `exit ${result.code}: ${result.stderr.trim().split('\n')[0] ?? ''} (${uploaded ?? '?'} B sent)`;
  return { what, protocol: 'tcp', server, bodyBytes: bytes, completed: result.code === 0 && status === '200' && Number(uploaded) === bytes, detail, startedAt };
}

/** Node's http2 writes CHUNK bytes every EVERY_MS for FOR_MS on one POST (h2-paced-client.ts). */
async function h2Paced(lab: EnforceLab, server: string, chunk: number, everyMs: number, forMs: number): Promise<ClientOutcome> {
  const startedAt = Date.now();
  const child = lab.spawnInEcho(process.execPath, ['--import', 'tsx', 'test/support/h2-paced-client.ts', `https://${server}:${ENFORCE_CLOUD_PORTS.https}`, String(chunk), String(everyMs), String(forMs)]);
  const output = new ProcessOutput(child);
  const code = await exited(child, forMs + 30_000);
  const bytes = Math.max(1, Math.round(forMs / everyMs)) * chunk;
  const done = output.lines.find((l) => l.startsWith('done '));
  const completed = code === 0 && !!done?.includes(`"bytes":${bytes}`);
  const detail = completed ? `done: ${done}` : `exit ${code}: ${output.stderr.trim().split('\n')[0] ?? ''}`;
  return { what: `Node http2 ${chunk} B / ${everyMs} ms`, protocol: 'tcp', server, bodyBytes: bytes, completed, detail, startedAt };
}

const PYTHON_UDP_RTP = `
import random, socket, sys, time
host, port, every, total = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
start = time.monotonic()
sent = 0
size = 0
while sent * every < total:
    delay = start + sent * every - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    n = random.randint(160, 320)
    udp.sendto(bytes(n), (host, port))
    sent += 1
    size += n
print(sent, size)
`;

/** Python's socket module sends RTP-sized datagrams every 20 ms; UDP never fails, so "completed" means the cloud got them all. */
async function pythonUdp(lab: EnforceLab, server: string, everyS: number, forS: number): Promise<ClientOutcome> {
  const startedAt = Date.now();
  const result = await lab.inEcho('python3', ['-c', PYTHON_UDP_RTP, server, String(ENFORCE_CLOUD_PORTS.udp), String(everyS), String(forS)], (forS + 20) * 1000);
  if (result.code !== 0) throw new Error(`python3 UDP sender failed (${result.code}): ${result.stderr.trim()}`);
  const [datagrams, bytes] = result.stdout.trim().split(' ').map(Number);
  return { what: 'Python UDP 160-320 B / 20 ms', protocol: 'udp', server, bodyBytes: bytes, completed: false, detail: `${datagrams} datagrams, ${bytes} B sent`, startedAt, datagrams };
}

export const ENFORCE_CASES: EnforceCase[] = [
  { name: 'curl-32k', stack: 'curl HTTP/1.1 + OpenSSL', shape: '185 KB POST at --limit-rate 32k', run: async (lab) => [await curlPost(lab, SERVERS.first, 185_000, '32k')] },
  { name: 'curl-bulk', stack: 'curl HTTP/1.1 + OpenSSL', shape: '200 KB POST unthrottled', run: async (lab) => [await curlPost(lab, SERVERS.first, 200_000)] },
  { name: 'udp-rtp', stack: 'Python socket (UDP)', shape: '160-320 B every 20 ms for 5 s', run: async (lab) => [await pythonUdp(lab, SERVERS.first, 0.02, 5)] },
  {
    name: 'burst-then-paced',
    stack: 'curl, then Node http2',
    shape: '20 KB burst, 2.5 s later 640 B / 20 ms for 3 s to another server',
    run: async (lab) => {
      const burst = await curlPost(lab, SERVERS.first, 20_000);
      await pause(Math.max(0, burst.startedAt + 2500 - Date.now()));
      return [burst, await h2Paced(lab, SERVERS.second, 640, 20, 3000)];
    },
  },
];

/** `finished before the block`: its flow was blocked, but it had uploaded everything already (a burst over in milliseconds). */
export type ClientVerdict = 'cut' | 'finished before the block, then blocked' | 'not cut';

export interface EnforceRow {
  name: string;
  stack: string;
  shape: string;
  alert: Json | undefined;
  /** Capture time from the episode's first packet to the alert (the judge's latency). */
  alertLatencyMs: number | undefined;
  /** Wall clock from the episode's first packet until the episode's blocks were in nftables. */
  blockedAfterMs: number | undefined;
  enforcement: Json[];
  clients: ClientOutcome[];
  /** Upload bytes the cloud received in all, and after the packet that tipped the alert. */
  receivedBytes: number;
  leakedAfterAlert: number;
  /** Per client: bytes the cloud received from it (by server address and protocol), and what became of it. */
  receivedByClient: number[];
  verdicts: ClientVerdict[];
  /** Packets the forward chain's block rules dropped or reset during the case, by rule. */
  nftHits: Record<string, number>;
  /** No client got through uncut. */
  allCut: boolean;
}

/** Mutes the ring, runs the case, collects what the box and the cloud saw, then unmutes and waits for the episode to end. */
export async function runCase(lab: EnforceLab, c: EnforceCase): Promise<EnforceRow> {
  await lab.setMic('muted');
  const countersBefore = await lab.forwardCounters();
  const boxFrom = lab.box.mark;
  const cloudFrom = lab.cloud.mark;
  const clients = await c.run(lab);
  const alert = lab.box.since(boxFrom, 'alert')[0] ?? (await lab.box.waitFor(boxFrom, 'alert', 5000).catch(() => undefined));
  // The enforcer acts after the alert; its first event says the transaction is done.
  if (alert) await lab.box.waitFor(boxFrom, 'enforcement', 10_000, (e) => e.alert_id === alert.id || e.action === 'error');
  const pieces = await lab.cloudPieces(cloudFrom);
  const enforcement = lab.box.since(boxFrom, 'enforcement');
  const nftHits: Record<string, number> = {};
  for (const [rule, packets] of await lab.forwardCounters()) if (packets > (countersBefore.get(rule) ?? 0)) nftHits[rule] = packets - (countersBefore.get(rule) ?? 0);
  const udpDropped = Object.entries(nftHits).find(([rule]) => rule.includes('th sport') && rule.includes('@blocked_flows') && rule.endsWith('drop'))?.[1] ?? 0;
  await lab.setMic('idle');
  // The episode ends after its quiet gap; the next case must start an episode of its own.
  if (alert) await lab.box.waitFor(boxFrom, 'alert_end', 20_000, (e) => e.id === alert.id);
  const mine = enforcement.filter((e) => alert && e.alert_id === alert.id);
  const fromClient = (client: ClientOutcome): CloudPiece[] => pieces.filter((p) => p.server === client.server && p.proto === client.protocol);
  const receivedByClient = clients.map((client) => fromClient(client).reduce((n, p) => n + p.bytes, 0));
  const verdicts = clients.map((client, index): ClientVerdict => {
    const short = receivedByClient[index] < client.bodyBytes;
    if (client.protocol === 'udp') {
      // UDP cannot fail: every datagram that did not arrive must have been dropped by the block rule.
      const arrived = fromClient(client).length;
      return short && udpDropped > 0 && arrived + udpDropped >= (client.datagrams ?? Infinity) ? 'cut' : 'not cut';
    }
    if (!client.completed && short) return 'cut';
    const blocked = mine.some((e) => e.action === 'block' && e.flow?.dst === client.server);
    return blocked && !short ? 'finished before the block, then blocked' : 'not cut';
  });
  return {
    name: c.name,
    stack: c.stack,
    shape: c.shape,
    alert,
    alertLatencyMs: alert ? Date.parse(alert.time) - Date.parse(alert.start) : undefined,
    blockedAfterMs: alert && mine.length ? Math.max(...mine.map((e) => e.at as number)) - Date.parse(alert.start) : undefined,
    enforcement,
    clients,
    receivedBytes: pieces.reduce((n, p) => n + p.bytes, 0),
    // After the packet that tipped the alert was captured (the alert's `time`, same clock).
    leakedAfterAlert: pieces.filter((p) => !alert || p.at > Date.parse(alert.time)).reduce((n, p) => n + p.bytes, 0),
    receivedByClient,
    verdicts,
    nftHits,
    allCut: verdicts.every((v) => v !== 'not cut'),
  };
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
/** "reject with tcp reset" rules and drop rules: how many packets the block cost the client. */
const hits = (row: EnforceRow): string =>
  Object.entries(row.nftHits)
    .filter(([rule]) => /@(blocked_flows|cutting_echo|capped_echo)/.test(rule))
    .map(([rule, n]) => `${/@(\w+)/.exec(rule)![1]}${/l4proto \. ip daddr/.test(rule) ? ' (cloud side)' : ''} ${rule.includes('reject') ? 'reset' : 'drop'} ${n}`)
    .join(', ') || '-';

export function formatRows(rows: EnforceRow[]): string {
  const header = ['case', 'stack', 'shape', 'alert', 'latency', 'blocked at', 'leaked after alert', 'per client: received at the cloud, outcome', 'nft packets', 'all cut'];
  const lines = rows.map((r) => [
    r.name,
    r.stack,
    r.shape,
    r.alert ? `${r.alert.severity} (${r.alert.evidence?.rule}, ${r.alert.flows?.length ?? 1} flow${(r.alert.flows?.length ?? 1) > 1 ? 's' : ''})` : 'none',
    r.alertLatencyMs === undefined ? '-' : `${r.alertLatencyMs} ms`,
    r.blockedAfterMs === undefined ? '-' : `${r.blockedAfterMs} ms`,
    kb(r.leakedAfterAlert),
    r.clients.map((c, i) => `${c.what} -> ${c.server}: ${kb(r.receivedByClient[i])} of ${kb(c.bodyBytes)}, ${r.verdicts[i]} (${c.completed ? 'completed' : c.detail})`).join('; '),
    hits(r),
    r.allCut ? 'yes' : 'NO',
  ]);
  return [header, ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
