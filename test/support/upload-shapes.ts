// The upload shapes of issue 14, each driven by a client stack nobody on this project wrote:
// curl (HTTP/1.1 over OpenSSL), Node's http2 (nghttp2), `openssl s_client`, Python's ssl and
// socket modules. Every shape runs in the lab's echo namespace and resolves when its client is
// done. The pacing timers below are the traffic's shape, not waits for the system under test.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessOutput } from './netns.js';
import { exited, UPLOAD_LAB, type UploadLab } from './upload-lab.js';

export type ShapeKind = 'upload' | 'negative';

export interface UploadShape {
  /** A file-name-safe key. */
  name: string;
  stack: string;
  /** What it is, in words, for test names and the bench table. */
  shape: string;
  kind: ShapeKind;
  run(lab: UploadLab): Promise<void>;
}

const cloudUrl = `https://${UPLOAD_LAB.cloudIp}`;
const otherUrl = `https://${UPLOAD_LAB.otherCloudIp}`;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function bodyFile(lab: UploadLab, bytes: number): string {
  const file = join(lab.dir, `body-${bytes}.bin`);
  writeFileSync(file, randomBytes(bytes));
  return file;
}

/** curl over HTTP/1.1 (no Expect: 100-continue, so the body follows the headers at once). */
async function curlPost(lab: UploadLab, url: string, bytes: number, limitRate?: string): Promise<void> {
  const args = ['-sS', '-k', '--http1.1', '-H', 'Expect:', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${bodyFile(lab, bytes)}`];
  if (limitRate) args.push('--limit-rate', limitRate);
  args.push('-o', '/dev/null', '-w', '%{http_code} %{size_upload}', `${url}/upload`);
  const { stdout } = await lab.inEcho('curl', args, 120_000);
  if (!stdout.startsWith('200 ') || Number(stdout.split(' ')[1]) !== bytes) throw new Error(`curl upload of ${bytes} B: ${stdout}`);
}

async function curlGet(lab: UploadLab, path: string, timeoutMs = 60_000): Promise<void> {
  const { stdout } = await lab.inEcho('curl', ['-sS', '-k', '--http1.1', '-o', '/dev/null', '-w', '%{http_code}', `${cloudUrl}${path}`], timeoutMs);
  if (stdout !== '200') throw new Error(`curl GET ${path}: HTTP ${stdout}`);
}

/** nghttp2's own command-line client posting a file as fast as HTTP/2 flow control allows. */
async function nghttpPost(lab: UploadLab, bytes: number): Promise<void> {
  const { stdout } = await lab.inEcho('nghttp', ['-d', bodyFile(lab, bytes), `${cloudUrl}/upload`], 60_000);
  if (!stdout.includes(`"bytes":${bytes}`)) throw new Error(`nghttp upload of ${bytes} B: ${stdout.trim()}`);
}

async function h2Paced(lab: UploadLab, url: string, chunk: number, everyMs: number, forMs: number): Promise<void> {
  const child = lab.spawnInEcho(process.execPath, ['--import', 'tsx', 'test/support/h2-paced-client.ts', url, String(chunk), String(everyMs), String(forMs)]);
  const output = new ProcessOutput(child);
  const done = await output.waitFor((line) => (line.startsWith('done ') ? line : undefined), forMs + 30_000, 'the HTTP/2 client to finish');
  await exited(child);
  if (!done.includes(`"bytes":${Math.max(1, Math.round(forMs / everyMs)) * chunk}`)) throw new Error(`HTTP/2 upload incomplete: ${done}`);
}

/** `openssl s_client` with its stdin fed a line of `line` bytes every `everyMs` after the handshake. */
async function opensslPaced(lab: UploadLab, line: number, everyMs: number, forMs: number): Promise<void> {
  const child = lab.spawnInEcho('openssl', ['s_client', '-connect', `${UPLOAD_LAB.cloudIp}:${UPLOAD_LAB.tlsPort}`, '-servername', 'cloud.upload-lab.example']);
  const output = new ProcessOutput(child);
  // s_client prints its session summary, ending in the verify result, once the handshake is done.
  await output.waitFor((l) => (/Verify return code/.test(l) ? true : undefined), 15_000, 'the s_client handshake');
  const text = `${'x'.repeat(line - 1)}\n`;
  const startMs = Date.now();
  for (let index = 0; index * everyMs < forMs; index++) {
    const wait = startMs + index * everyMs - Date.now();
    if (wait > 0) await pause(wait);
    child.stdin!.write(text);
  }
  child.stdin!.end(); // EOF: s_client sends close_notify and exits
  const code = await exited(child);
  if (code !== 0) throw new Error(`openssl s_client exited ${code}: ${output.stderr.trim()}`);
}

/**
 * A paced Python sender: `size` bytes every `every` s for `total` s to host:port (argv), on the
 * socket `open` makes, each write as `write` does. It prints "first <epoch ms>" just before its
 * first write (the two-Echo test times its alert from it) and "sent <bytes>" at the end.
 */
function pythonPaced(open: string, write: string, close = ''): string {
  return `
import socket, ssl, sys, time
host, port, size, every, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
${open}
    start = time.monotonic()
    sent = 0
    while sent * every < total:
        delay = start + sent * every - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if sent == 0:
            print("first", int(time.time() * 1000), flush=True)
${write}
        sent += 1
${close}
print("sent", sent * size)
`;
}

const TLS_CLIENT = (settings = ''): string => `context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE${settings}
with context.wrap_socket(socket.create_connection((host, port)), server_hostname=host) as tls:`;

/** A row that runs a Python sender in the Echo's namespace: script, the cloud's port, its arguments. */
const python =
  (script: string, port: number, ...args: string[]) =>
  async (lab: UploadLab): Promise<void> =>
    void (await lab.inEcho('python3', ['-c', script, UPLOAD_LAB.cloudIp, String(port), ...args], 30_000));

/** Python's ssl, one TLS record per write. */
export const PYTHON_TLS_PACED = pythonPaced(TLS_CLIENT(), '        tls.sendall(bytes(size))', '    tls.unwrap()');

// Each write goes out behind a record the labelling rules call a heartbeat: TLS 1.2 with AES-GCM
// makes a 17-byte write a record of length 41 (8-byte nonce, 16-byte tag), and TCP_CORK puts it
// and the payload's record in one segment, so the segment's first record is "heartbeat".
const PYTHON_TLS_HEARTBEAT_DRESSED = pythonPaced(
  TLS_CLIENT('\ncontext.maximum_version = ssl.TLSVersion.TLSv1_2\ncontext.set_ciphers("ECDHE+AESGCM")'),
  `        tls.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        tls.sendall(bytes(17))
        tls.sendall(bytes(size))
        tls.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)`,
  '    tls.unwrap()',
);

// Plain TCP (no TLS) to Spotify's sync port 4070: the labelling rules call its DATA heartbeats.
const PYTHON_TCP_PACED = pythonPaced('with socket.create_connection((host, port)) as tcp:', '        tcp.sendall(bytes(size))');

const PYTHON_UDP_RTP = `
import random, socket, sys, time
host, port, every, total = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
start = time.monotonic()
sent = 0
while sent * every < total:
    delay = start + sent * every - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    udp.sendto(bytes(random.randint(160, 320)), (host, port))
    sent += 1
print("sent", sent)
`;

export const UPLOAD_SHAPES: UploadShape[] = [
  { name: 'curl-4k', stack: 'curl HTTP/1.1 + OpenSSL', shape: '24 KB POST at --limit-rate 4k', kind: 'upload', run: (lab) => curlPost(lab, cloudUrl, 24_000, '4k') },
  { name: 'curl-16k', stack: 'curl HTTP/1.1 + OpenSSL', shape: '64 KB POST at --limit-rate 16k', kind: 'upload', run: (lab) => curlPost(lab, cloudUrl, 64_000, '16k') },
  { name: 'curl-32k', stack: 'curl HTTP/1.1 + OpenSSL', shape: '185 KB POST at --limit-rate 32k (16 kHz PCM)', kind: 'upload', run: (lab) => curlPost(lab, cloudUrl, 185_000, '32k') },
  { name: 'curl-bulk', stack: 'curl HTTP/1.1 + OpenSSL', shape: '200 KB POST unthrottled (bulk)', kind: 'upload', run: (lab) => curlPost(lab, cloudUrl, 200_000) },
  { name: 'nghttp-bulk', stack: 'nghttp (nghttp2 C client)', shape: '120 KB HTTP/2 POST unthrottled', kind: 'upload', run: (lab) => nghttpPost(lab, 120_000) },
  { name: 'h2-100b-20ms', stack: 'Node http2 (nghttp2)', shape: '100 B every 20 ms for 3 s', kind: 'upload', run: (lab) => h2Paced(lab, cloudUrl, 100, 20, 3000) },
  { name: 'h2-640b-20ms', stack: 'Node http2 (nghttp2)', shape: '640 B every 20 ms for 3 s', kind: 'upload', run: (lab) => h2Paced(lab, cloudUrl, 640, 20, 3000) },
  { name: 'h2-4k-128ms', stack: 'Node http2 (nghttp2)', shape: '4 KB every 128 ms for 3 s', kind: 'upload', run: (lab) => h2Paced(lab, cloudUrl, 4096, 128, 3000) },
  { name: 'h2-16k-1s', stack: 'Node http2 (nghttp2)', shape: '16 KB burst every 1 s for 4 s', kind: 'upload', run: (lab) => h2Paced(lab, cloudUrl, 16_384, 1000, 4000) },
  { name: 'h2-opus', stack: 'Node http2 (nghttp2)', shape: 'Opus-like 80 B every 20 ms (4 KB/s) for 6 s', kind: 'upload', run: (lab) => h2Paced(lab, cloudUrl, 80, 20, 6000) },
  { name: 's-client-16k', stack: 'openssl s_client', shape: '320 B line every 20 ms (16 KB/s) for 4 s', kind: 'upload', run: (lab) => opensslPaced(lab, 320, 20, 4000) },
  {
    name: 'python-tls-2k',
    stack: 'Python ssl',
    shape: '200 B every 100 ms (2 KB/s) for 4 s',
    kind: 'upload',
    run: python(PYTHON_TLS_PACED, UPLOAD_LAB.tlsPort, '200', '0.1', '4'),
  },
  {
    name: 'python-tls-heartbeat-dressed',
    stack: 'Python ssl (TLS 1.2, TCP_CORK)',
    shape: 'a 41-byte record in front of 1,300 B, every 20 ms for 3 s',
    kind: 'upload',
    run: python(PYTHON_TLS_HEARTBEAT_DRESSED, UPLOAD_LAB.tlsPort, '1300', '0.02', '3'),
  },
  {
    name: 'python-tcp-4070-bulk',
    stack: 'Python socket (plain TCP)',
    shape: '1,400 B every 20 ms for 3 s to port 4070 (Spotify sync)',
    kind: 'upload',
    run: python(PYTHON_TCP_PACED, UPLOAD_LAB.spotifySyncPort, '1400', '0.02', '3'),
  },
  {
    name: 'python-tcp-4070-16k',
    stack: 'Python socket (plain TCP)',
    shape: '320 B every 20 ms (16 KB/s) for 4 s to port 4070 (Spotify sync)',
    kind: 'upload',
    run: python(PYTHON_TCP_PACED, UPLOAD_LAB.spotifySyncPort, '320', '0.02', '4'),
  },
  {
    name: 'udp-rtp',
    stack: 'Python socket (UDP)',
    shape: '160-320 B datagram every 20 ms for 5 s (RTP-like)',
    kind: 'upload',
    run: python(PYTHON_UDP_RTP, UPLOAD_LAB.udpPort, '0.02', '5'),
  },
  {
    name: 'split-burst-then-paced',
    stack: 'curl + Node http2',
    shape: '20 KB burst (curl), 2.5 s later 640 B/20 ms for 3 s to another server',
    kind: 'upload',
    run: async (lab) => {
      const startMs = Date.now();
      await curlPost(lab, cloudUrl, 20_000);
      await pause(Math.max(0, startMs + 2500 - Date.now()));
      await h2Paced(lab, otherUrl, 640, 20, 3000);
    },
  },
  { name: 'music-download', stack: 'curl HTTP/1.1 + OpenSSL', shape: '20 s music stream download, 16 KB/s server-paced', kind: 'negative', run: (lab) => curlGet(lab, '/stream?rate=16000&s=20') },
  { name: 'download-6mb', stack: 'curl HTTP/1.1 + OpenSSL', shape: '6 MB download', kind: 'negative', run: (lab) => curlGet(lab, '/bytes?n=6000000') },
  {
    name: 'reconnect-storm',
    stack: 'curl HTTP/1.1 + OpenSSL',
    shape: '20 short HTTPS GETs, each a new connection',
    kind: 'negative',
    run: async (lab) => {
      for (let index = 0; index < 20; index++) await curlGet(lab, '/ping', 15_000);
    },
  },
  {
    name: 'telemetry',
    stack: 'curl HTTP/1.1 + OpenSSL',
    shape: '300 B HTTPS POST every 5 s for 1 min',
    kind: 'negative',
    run: async (lab) => {
      const startMs = Date.now();
      for (let index = 0; index < 12; index++) {
        await pause(Math.max(0, startMs + index * 5000 - Date.now()));
        await curlPost(lab, cloudUrl, 300);
      }
    },
  },
];
