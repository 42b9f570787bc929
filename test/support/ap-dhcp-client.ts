// A minimal DHCP client (RFC 2131: DISCOVER, OFFER, REQUEST, ACK) for the Echo's namespace, so the
// real dnsmasq hands out a real lease. It asks for broadcast replies, as the interface has no
// address yet. Prints {"ip": ..., "server": ..., "lease_s": ...} and exits.
//   ap-dhcp-client.ts MAC [TIMEOUT_MS]

import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

const [macText, timeoutText] = process.argv.slice(2);
const mac = Buffer.from(macText.replaceAll(':', ''), 'hex');
const xid = randomBytes(4);
const MAGIC = Buffer.from([99, 130, 83, 99]);
const option = (code: number, value: Buffer): Buffer => Buffer.concat([Buffer.from([code, value.length]), value]);

function message(type: number, extra: Buffer[] = []): Buffer {
  const header = Buffer.alloc(236);
  header[0] = 1; // BOOTREQUEST
  header[1] = 1; // Ethernet
  header[2] = 6;
  xid.copy(header, 4);
  header.writeUInt16BE(0x8000, 10); // broadcast flag: we cannot receive unicast yet
  mac.copy(header, 28);
  return Buffer.concat([header, MAGIC, option(53, Buffer.from([type])), option(61, Buffer.concat([Buffer.from([1]), mac])), ...extra, Buffer.from([255])]);
}

function options(packet: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let i = 240; i < packet.length; ) {
    const code = packet[i];
    if (code === 255) break;
    if (code === 0) {
      i++;
      continue;
    }
    out.set(code, packet.subarray(i + 2, i + 2 + packet[i + 1]));
    i += 2 + packet[i + 1];
  }
  return out;
}

const ip = (b: Buffer, at = 0): string => [...b.subarray(at, at + 4)].join('.');
const socket = createSocket({ type: 'udp4', reuseAddr: true });
const timer = setTimeout(() => {
  process.stderr.write('no DHCP answer in time\n');
  process.exit(1);
}, Number(timeoutText ?? 10_000));

socket.on('message', (packet) => {
  if (packet[0] !== 2 || !packet.subarray(4, 8).equals(xid)) return;
  const opts = options(packet);
  const type = opts.get(53)?.[0];
  const offered = packet.subarray(16, 20);
  const server = opts.get(54);
  if (type === 2 && server) {
    socket.send(message(3, [option(50, offered), option(54, server)]), 67, '255.255.255.255');
  } else if (type === 5) {
    clearTimeout(timer);
    process.stdout.write(`${JSON.stringify({ ip: ip(offered), server: server ? ip(server) : null, lease_s: opts.get(51)?.readUInt32BE(0) ?? null })}\n`);
    socket.close();
  } else if (type === 6) {
    process.stderr.write('DHCPNAK\n');
    process.exit(1);
  }
});
socket.bind(68, () => {
  socket.setBroadcast(true);
  socket.send(message(1), 67, '255.255.255.255');
});
