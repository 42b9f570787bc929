// Both ends of the enforcement test's traffic, over real TLS 1.3 between network namespaces.
//   cloud HOST PORT CERT KEY   the Echo's cloud: answers each 24-byte heartbeat ('H') with 24 'h'
//                              bytes, counts upload bytes ('U') per connection, and prints
//                              {"event":"report",...} when stdin says {"cmd":"report"}.
//   echo HOST PORT CERT        the Echo: stdin commands {"cmd":"connect"|"heartbeat"|"upload",...}
//                              print {"event":"tcp-connected"|"secure"|"heartbeat-ok"|
//                              "upload-done"|"closed",...}.
// A heartbeat of 24 bytes is one TLS 1.3 record of length 41, the Echo's heartbeat record.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { connect, createServer, type TLSSocket } from 'node:tls';

const [mode, host, portText, certPath, keyPath] = process.argv.slice(2);
const port = Number(portText);
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const count = (data: Buffer, byte: number): number => data.reduce((n, b) => n + (b === byte ? 1 : 0), 0);
const HEARTBEAT = 24;
const commands = createInterface({ input: process.stdin });

if (mode === 'cloud') {
  const connections = new Map<number, { remotePort: number; uploadBytes: number; open: boolean }>();
  let next = 0;
  const server = createServer({ cert: readFileSync(certPath), key: readFileSync(keyPath), minVersion: 'TLSv1.3' }, (socket) => {
    const id = ++next;
    const state = { remotePort: socket.remotePort ?? 0, uploadBytes: 0, open: true };
    connections.set(id, state);
    print({ event: 'connection', id, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
    let heartbeatBytes = 0;
    socket.on('data', (data: Buffer) => {
      state.uploadBytes += count(data, 0x55);
      heartbeatBytes += count(data, 0x48);
      for (; heartbeatBytes >= HEARTBEAT; heartbeatBytes -= HEARTBEAT) socket.write(Buffer.alloc(HEARTBEAT, 0x68));
    });
    const closed = (error?: Error): void => {
      if (!state.open) return;
      state.open = false;
      print({ event: 'closed', id, uploadBytes: state.uploadBytes, error: (error as NodeJS.ErrnoException | undefined)?.code ?? null });
    };
    socket.on('error', closed);
    socket.on('close', () => closed());
  });
  server.listen(port, host, () => print({ event: 'listening' }));
  commands.on('line', (line) => {
    if (JSON.parse(line).cmd === 'report') print({ event: 'report', connections: [...connections].map(([id, c]) => ({ id, ...c })) });
  });
} else if (mode === 'echo') {
  const ca = readFileSync(certPath);
  let socket: TLSSocket | undefined;
  let uploadSent = 0;
  let upload: NodeJS.Timeout | undefined;
  commands.on('line', (line) => {
    const command = JSON.parse(line);
    if (command.cmd === 'connect') {
      const s = connect({ host, port, ca, servername: 'test', minVersion: 'TLSv1.3' });
      socket = s;
      let replies = 0;
      let sentAt = 0;
      s.on('connect', () => print({ event: 'tcp-connected', localPort: s.localPort }));
      s.on('secureConnect', () => print({ event: 'secure', localPort: s.localPort }));
      s.on('data', (data: Buffer) => {
        replies += count(data, 0x68);
        for (; replies >= HEARTBEAT; replies -= HEARTBEAT) print({ event: 'heartbeat-ok', localPort: s.localPort, rttMs: Date.now() - sentAt });
      });
      (s as TLSSocket & { sendHeartbeat: () => void }).sendHeartbeat = () => {
        sentAt = Date.now();
        s.write(Buffer.alloc(HEARTBEAT, 0x48));
      };
      const closed = (error?: Error): void => {
        clearInterval(upload);
        if (socket === s) print({ event: 'closed', localPort: s.localPort, error: (error as NodeJS.ErrnoException | undefined)?.code ?? null, uploadSent });
        if (socket === s) socket = undefined;
      };
      s.on('error', closed);
      s.on('close', () => closed());
    } else if (command.cmd === 'heartbeat') {
      (socket as (TLSSocket & { sendHeartbeat: () => void }) | undefined)?.sendHeartbeat();
    } else if (command.cmd === 'upload') {
      // Voice-like: a first burst, then a record every intervalMs, as real Echo uploads go.
      const s = socket!;
      const { burst, chunk, intervalMs, total } = command as { burst: number; chunk: number; intervalMs: number; total: number };
      uploadSent = 0;
      const send = (n: number): void => {
        s.write(Buffer.alloc(n, 0x55));
        uploadSent += n;
      };
      send(burst);
      upload = setInterval(() => {
        if (socket !== s) return clearInterval(upload);
        send(Math.min(chunk, total - uploadSent));
        if (uploadSent >= total) {
          clearInterval(upload);
          print({ event: 'upload-done', localPort: s.localPort, uploadSent });
        }
      }, intervalMs);
    }
  });
  commands.on('close', () => process.exit(0));
}
