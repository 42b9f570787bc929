// The "cloud" of the upload lab, run inside its namespace: an HTTPS server speaking HTTP/1.1 and
// HTTP/2 (Node's TLS and nghttp2) on every address given, a raw TLS sink, a plain TCP sink and a UDP sink. Uploads
// are read and thrown away (only their size is kept); downloads are zero bytes, paced server-side
// when asked, so the client's ACK stream is the real one. Prints one "ready" line when listening.
//
//   node --import tsx upload-cloud.ts CERT KEY IP[,IP...]
//   POST /upload               -> {"bytes":N}
//   GET  /stream?rate=B&s=S    -> B bytes/s in 100 ms slices for S seconds (a music stream)
//   GET  /bytes?n=N            -> N bytes as fast as TCP allows (a large download)
//   GET  /ping                 -> "ok"
//   TLS  IP:8443, plain TCP IP:4070, UDP IP:5004  -> sinks

import { createSocket } from 'node:dgram';
import { createServer as createTcpServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createTlsServer } from 'node:tls';
import { UPLOAD_LAB } from './upload-lab-addresses.js';

function handle(request: Http2ServerRequest, response: Http2ServerResponse): void {
  const url = new URL(request.url, 'https://cloud');
  if (request.method === 'POST') {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => void (bytes += chunk.length));
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes })));
    return;
  }
  if (url.pathname === '/stream') {
    const rate = Number(url.searchParams.get('rate') ?? 16_000);
    const seconds = Number(url.searchParams.get('s') ?? 20);
    const slice = Buffer.alloc(Math.round(rate / 10));
    let sent = 0;
    response.writeHead(200, { 'content-type': 'audio/mpeg' });
    const timer = setInterval(() => {
      if (sent++ >= seconds * 10 || response.destroyed) {
        clearInterval(timer);
        response.end();
        return;
      }
      response.write(slice);
    }, 100);
    response.on('close', () => clearInterval(timer));
    return;
  }
  if (url.pathname === '/bytes') {
    let left = Number(url.searchParams.get('n') ?? 1_000_000);
    const block = Buffer.alloc(64 * 1024);
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const pump = (): void => {
      while (left > 0) {
        const part = left >= block.length ? block : block.subarray(0, left);
        left -= part.length;
        if (!response.write(part)) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
}

async function main(): Promise<void> {
  const [certFile, keyFile, ipList] = process.argv.slice(2);
  if (!certFile || !keyFile || !ipList) throw new Error('usage: upload-cloud.ts CERT KEY IP[,IP...]');
  const tlsOptions = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  const listening: Promise<void>[] = [];
  for (const ip of ipList.split(',')) {
    const https = createSecureServer({ ...tlsOptions, allowHTTP1: true }, handle);
    listening.push(new Promise((resolve) => https.listen(UPLOAD_LAB.httpsPort, ip, resolve)));
    const sink = createTlsServer(tlsOptions, (socket) => {
      socket.on('data', () => {});
      socket.on('error', () => {});
    });
    listening.push(new Promise((resolve) => sink.listen(UPLOAD_LAB.tlsPort, ip, resolve)));
    const plain = createTcpServer((socket) => {
      socket.on('data', () => {});
      socket.on('error', () => {});
    });
    listening.push(new Promise((resolve) => plain.listen(UPLOAD_LAB.spotifySyncPort, ip, resolve)));
    const udp = createSocket('udp4');
    udp.on('message', () => {});
    listening.push(new Promise((resolve) => udp.bind(UPLOAD_LAB.udpPort, ip, resolve)));
  }
  await Promise.all(listening);
  console.log('ready');
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
