// Plain TCP ends for the two-Echo enforcement test, run inside network namespaces.
//   sink HOST PORT     counts the bytes each connection sends after its first line (the sender's
//                      name), printing {"event":"rx","from":name,"bytes":total} as they arrive.
//   client HOST PORT NAME  stdin {"cmd":"connect"} opens a connection (which sends "NAME\n"),
//                      {"cmd":"send","bytes":N} writes N bytes on it; prints
//                      {"event":"connected","localPort"} and {"event":"closed","error"}.

import { connect, createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const [mode, host, portText, name] = process.argv.slice(2);
const port = Number(portText);
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const errorCode = (error?: Error): string | null => (error as NodeJS.ErrnoException | undefined)?.code ?? null;

if (mode === 'sink') {
  const totals = new Map<string, number>();
  createServer((socket) => {
    let from: string | undefined;
    let head = '';
    socket.on('error', () => {});
    socket.on('data', (data: Buffer) => {
      let body = data;
      if (from === undefined) {
        head += data.toString('latin1');
        const newline = head.indexOf('\n');
        if (newline < 0) return;
        from = head.slice(0, newline);
        body = Buffer.from(head.slice(newline + 1), 'latin1');
      }
      totals.set(from, (totals.get(from) ?? 0) + body.length);
      if (body.length) print({ event: 'rx', from, bytes: totals.get(from) });
    });
  }).listen(port, host, () => print({ event: 'listening' }));
} else if (mode === 'client') {
  let socket: Socket | undefined;
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as { cmd: string; bytes?: number };
    if (command.cmd === 'connect') {
      const s = connect({ host, port });
      socket = s;
      s.on('connect', () => {
        s.write(`${name}\n`);
        print({ event: 'connected', localPort: s.localPort });
      });
      let closed = false;
      const close = (error?: Error): void => {
        if (closed) return;
        closed = true;
        print({ event: 'closed', error: errorCode(error) });
      };
      s.on('error', close);
      s.on('close', () => close());
    } else if (command.cmd === 'send') {
      socket?.write(Buffer.alloc(command.bytes ?? 0, 0x55));
    }
  });
}
