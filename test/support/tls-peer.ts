// Both ends of the live-capture test's TLS traffic, run inside a network namespace:
//   server HOST PORT CERT KEY          echoes everything back; prints {"event":"listening"}
//   client HOST PORT CERT VERSION N    sends N bytes, reads N back; prints {"event":"done",...}
//   udp HOST PORT HEX                  sends one datagram (the capture's end marker)

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, createServer, type SecureVersion } from 'node:tls';

const [mode, host, portText, ...rest] = process.argv.slice(2);
const port = Number(portText);
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'server') {
  const [certPath, keyPath] = rest;
  const server = createServer({ cert: readFileSync(certPath), key: readFileSync(keyPath), minVersion: 'TLSv1.2' }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  server.listen(port, host, () => print({ event: 'listening', port }));
} else if (mode === 'client') {
  const [certPath, version, countText] = rest;
  const count = Number(countText);
  const socket = connect({ host, port, ca: readFileSync(certPath), servername: 'test', minVersion: 'TLSv1.2', maxVersion: version as SecureVersion });
  let received = 0;
  socket.on('secureConnect', () => {
    socket.write(Buffer.alloc(count, 0x61));
  });
  socket.on('data', (data: Buffer) => {
    received += data.length;
    if (received < count) return;
    print({ event: 'done', protocol: socket.getProtocol(), localPort: socket.localPort, received });
    socket.end();
  });
  socket.on('error', (error) => {
    process.stderr.write(`client error: ${error.message}\n`);
    process.exit(1);
  });
} else if (mode === 'udp') {
  const socket = createSocket('udp4');
  socket.send(Buffer.from(rest[0], 'hex'), port, host, (error) => {
    if (error) throw error;
    socket.close();
  });
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
