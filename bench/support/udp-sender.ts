// Sends UDP datagrams at a fixed rate for a while, then a marker datagram. Paced per millisecond
// tick so the rate holds on average without a busy loop.
//   udp-sender.ts DST_IP PORT PACKETS_PER_SECOND SECONDS MARKER_HEX

import { createSocket } from 'node:dgram';

const [dst, portText, rateText, secondsText, markerHex] = process.argv.slice(2);
const port = Number(portText);
const rate = Number(rateText);
const total = Math.round(rate * Number(secondsText));
const socket = createSocket('udp4');
const payload = Buffer.alloc(200, 0x5a);
const started = performance.now();
let sent = 0;

function tick(): void {
  const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
  while (sent < due) {
    socket.send(payload, port, dst);
    sent++;
  }
  if (sent < total) setImmediate(tick);
  else socket.send(Buffer.from(markerHex, 'hex'), port, dst, () => {
    console.log(JSON.stringify({ sent, seconds: (performance.now() - started) / 1000 }));
    socket.close();
  });
}
tick();
