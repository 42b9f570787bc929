// The cloud of the enforcement matrix, run inside the lab's cloud namespace: an HTTPS server
// (Node's TLS, HTTP/1.1 and HTTP/2) on port 443 and a UDP sink on port 5004 of every address
// given. It prints one line per piece of upload it receives, stamped with the wall clock (every
// namespace shares it), so the test can count what reached the cloud after the box's alert.
//
//   node --import tsx enforce-cloud.ts CERT KEY IP[,IP...]
//   stdout: {"event":"listening"}, {"event":"rx","at":MS,"proto":"tcp"|"udp","server":IP,"peer":PORT,"bytes":N}
//   stdin:  {"cmd":"sync","id":N} -> {"event":"synced","id":N} once everything read so far is printed

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { createInterface } from 'node:readline';
import { ENFORCE_CLOUD_PORTS } from './enforce-addresses.js';

const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
  const [certFile, keyFile, ipList] = process.argv.slice(2);
  if (!certFile || !keyFile || !ipList) throw new Error('usage: enforce-cloud.ts CERT KEY IP[,IP...]');
  const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile), allowHTTP1: true };
  const listening: Promise<void>[] = [];
  for (const ip of ipList.split(',')) {
    const https = createSecureServer(tls, (request, response) => {
      const peer = request.socket.remotePort ?? 0;
      let bytes = 0;
      request.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        print({ event: 'rx', at: Date.now(), proto: 'tcp', server: ip, peer, bytes: chunk.length });
      });
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes })));
      request.on('error', () => {});
    });
    // A cut client leaves its half of the connection behind; nothing to report about it.
    https.on('sessionError', () => {});
    https.on('tlsClientError', () => {});
    listening.push(new Promise((resolve) => https.listen(ENFORCE_CLOUD_PORTS.https, ip, resolve)));
    const udp = createSocket('udp4');
    udp.on('message', (data, from) => print({ event: 'rx', at: Date.now(), proto: 'udp', server: ip, peer: from.port, bytes: data.length }));
    listening.push(new Promise((resolve) => udp.bind(ENFORCE_CLOUD_PORTS.udp, ip, resolve)));
  }
  await Promise.all(listening);
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as { cmd: string; id?: number };
    // Sockets that were readable when this line arrived are read in the same loop turn; one more
    // turn (setImmediate after a timer) lets their data events print before the answer.
    if (command.cmd === 'sync') setTimeout(() => setImmediate(() => print({ event: 'synced', id: command.id })), 0);
  });
  print({ event: 'listening' });
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
