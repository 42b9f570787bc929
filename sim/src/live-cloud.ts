// The fake cloud of live mode, one process in the cloud namespace: AVS over HTTP/2 on TLS 1.2
// (ECDHE-ECDSA-AES128-GCM, so an HTTP/2 PING is a 41-byte record, as on the real Echo), a metrics
// server, the servers the Echo rotates through, an Amazon Music CDN, Spotify's HTTP CDN and sync
// port 4070, DNS and NTP, and where the shaped leaks go (an upload server, an RTP relay). Real Node stacks throughout; only the payload bytes are filler.

import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer, type ServerHttp2Stream } from 'node:http2';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { ADDRESSES, HOSTS, PORTS } from './echo-profile.js';
import { dnsResponse, ntpResponse } from './udp-messages.js';

export interface CloudConfig {
  certPem: string;
  keyPem: string;
  dnsAddress: string;
}

export const TLS_SETTINGS = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } as const;

/** What the fake Echo asks for in a request header: how many bytes the answer or download has. */
export const ANSWER_BYTES_HEADER = 'x-earshot-answer-bytes';

const FILLER = Buffer.alloc(16 * 1024, 0x6d);

/** Writes `total` bytes at about `bytesPerSecond` (a slice every 20 ms, in writes of up to 16 KB), then calls `done`. */
function paced(write: (chunk: Buffer) => unknown, total: number, bytesPerSecond: number, done: () => void): void {
  let sent = 0;
  const perTick = Math.max(1, Math.round(bytesPerSecond / 50));
  const tick = (): void => {
    for (let budget = perTick; sent < total && budget > 0; ) {
      const n = Math.min(FILLER.length, total - sent, budget);
      write(FILLER.subarray(0, n));
      sent += n;
      budget -= n;
    }
    if (sent >= total) done();
    else setTimeout(tick, 20);
  };
  tick();
}

const DNS_TABLE = new Map<string, string>([
  [HOSTS.avs, ADDRESSES.avs[0]],
  [HOSTS.metrics, ADDRESSES.metrics],
  [HOSTS.amazonMusic, ADDRESSES.amazonMusic[0]],
  [HOSTS.spotifyAudio, ADDRESSES.spotifyAudio],
  [HOSTS.spotifySync, ADDRESSES.spotifySync],
  [HOSTS.ntp, ADDRESSES.ntp],
  [HOSTS.upload, ADDRESSES.upload],
  [HOSTS.rtpRelay, ADDRESSES.rtpRelay],
  ...HOSTS.rotation.map((host, i) => [host, ADDRESSES.rotation[i % ADDRESSES.rotation.length]] as [string, string]),
]);

/** The name asked for in a DNS query (labels from offset 12), or undefined. */
function queryName(message: Buffer): string | undefined {
  const labels: string[] = [];
  let i = 12;
  while (i < message.length && message[i] !== 0) {
    const n = message[i];
    labels.push(message.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += n + 1;
  }
  return labels.length > 0 ? labels.join('.') : undefined;
}

/** Starts every server; resolves when all listen. */
export async function startCloud(config: CloudConfig): Promise<() => void> {
  const tlsOptions: TlsOptions = { cert: config.certPem, key: config.keyPem, ...TLS_SETTINGS };
  const closers: (() => void)[] = [];
  const listening: Promise<void>[] = [];
  const listen = (server: Server | ReturnType<typeof createSecureServer> | ReturnType<typeof createHttpServer>, host: string, port: number): void => {
    listening.push(new Promise((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve())));
    closers.push(() => server.close());
  };

  for (const address of ADDRESSES.avs) {
    const avs = createSecureServer({ ...tlsOptions, allowHTTP1: false });
    avs.on('stream', (stream: ServerHttp2Stream, headers) => {
      stream.on('error', () => {});
      if (headers[':path'] === '/v20160207/directives') {
        stream.respond({ ':status': 200 }); // the downchannel stays open
        return;
      }
      stream.resume();
      stream.on('end', () => {
        const answer = Number(headers[ANSWER_BYTES_HEADER] ?? 0);
        if (answer > 0) {
          stream.respond({ ':status': 200, 'content-type': 'multipart/related' });
          paced((chunk) => stream.write(chunk), answer, 1_500_000, () => stream.end());
        } else stream.respond({ ':status': 204 }, { endStream: true });
      });
    });
    avs.on('sessionError', () => {});
    listen(avs, address, PORTS.https);
  }

  // Metrics and the rotating servers: answer each write with a small record after a moment.
  for (const address of [ADDRESSES.metrics, ...ADDRESSES.rotation]) {
    const server = createTlsServer(tlsOptions, (socket) => {
      socket.on('error', () => {});
      socket.on('data', (data) => setTimeout(() => socket.writable && socket.write(FILLER.subarray(0, data.length <= 4 ? 12 : 300)), 2));
    });
    listen(server, address, PORTS.https);
  }

  // Where the shaped leaks upload: one small answer once the client has been quiet for 300 ms.
  const upload = createTlsServer(tlsOptions, (socket) => {
    socket.on('error', () => {});
    let answer: NodeJS.Timeout | undefined;
    socket.on('data', () => {
      clearTimeout(answer);
      answer = setTimeout(() => socket.writable && socket.write(FILLER.subarray(0, 120)), 300);
    });
  });
  listen(upload, ADDRESSES.upload, PORTS.https);

  // The Amazon Music CDN: the request names the segment's size; send it, then close.
  for (const address of ADDRESSES.amazonMusic) {
    const server = createTlsServer(tlsOptions, (socket) => {
      socket.on('error', () => {});
      socket.once('data', (data) => {
        const size = Number(/bytes=(\d+)/.exec(data.toString('latin1'))?.[1] ?? 200_000);
        paced((chunk) => socket.write(chunk), size, 2_000_000, () => {});
      });
    });
    listen(server, address, PORTS.https);
  }

  const spotify = createHttpServer({ keepAlive: true }, (request, response) => {
    const [, from, to] = /bytes=(\d+)-(\d+)/.exec(request.headers.range ?? '') ?? ['', '0', '65535'];
    const length = Number(to) - Number(from) + 1;
    response.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': length, 'content-range': `bytes ${from}-${to}/${Number(to) + 1_000_000}`, 'accept-ranges': 'bytes' });
    paced((chunk) => response.write(chunk), length, 2_500_000, () => response.end());
  });
  spotify.keepAliveTimeout = 600_000;
  listen(spotify, ADDRESSES.spotifyAudio, PORTS.http);

  const sync = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', () => setTimeout(() => socket.writable && socket.write(FILLER.subarray(0, 20)), 80));
  });
  listen(sync, ADDRESSES.spotifySync, PORTS.spotifySync);

  const dns = createSocket('udp4');
  dns.on('message', (message, from) => {
    const name = queryName(message);
    const address = name ? DNS_TABLE.get(name) : undefined;
    if (address) dns.send(dnsResponse(message.readUInt16BE(0), name!, [address], 60), from.port, from.address);
  });
  const ntp = createSocket('udp4');
  ntp.on('message', (message, from) => {
    const nowUs = Date.now() * 1000;
    const originUs = (message.readUInt32BE(40) - 2_208_988_800) * 1e6 + Math.floor((message.readUInt32BE(44) / 0x100000000) * 1e6);
    ntp.send(ntpResponse(originUs, nowUs, 0xc0000201), from.port, from.address);
  });
  // The RTP relay: an RTCP receiver report (52 bytes, RFC 5761 multiplexing) at most once a second per sender.
  const relay = createSocket('udp4');
  const lastReport = new Map<string, number>();
  relay.on('message', (_message, from) => {
    const key = `${from.address}:${from.port}`;
    if (Date.now() - (lastReport.get(key) ?? 0) < 1000) return;
    lastReport.set(key, Date.now());
    relay.send(Buffer.alloc(52, 0x81), from.port, from.address);
  });
  for (const [socket, address, port] of [
    [dns, config.dnsAddress, PORTS.dns],
    [ntp, ADDRESSES.ntp, PORTS.ntp],
    [relay, ADDRESSES.rtpRelay, PORTS.rtp],
  ] as const) {
    listening.push(new Promise((resolve, reject) => socket.once('error', reject).bind(port, address, () => resolve())));
    closers.push(() => socket.close());
  }
  await Promise.all(listening);
  return () => closers.forEach((close) => close());
}
