// DNS and NTP messages for the Echo's background noise: a lookup before each new server, and a
// clock sync now and then. They are real RFC 1035 / RFC 5905 messages so tshark dissects them
// cleanly; the paper's dataset has no rows for UDP, but a capture on the AP carries them.

import { concat } from './frame-builder.js';

const encoder = new TextEncoder();

function encodeName(name: string): Uint8Array {
  const parts = name.split('.').filter((p) => p.length > 0);
  return concat(...parts.map((label) => concat(Uint8Array.of(label.length), encoder.encode(label))), Uint8Array.of(0));
}

function header(id: number, flags: number, questions: number, answers: number): Uint8Array {
  return Uint8Array.of(id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, questions, 0, answers, 0, 0, 0, 0);
}

const TYPE_A = 1;
const CLASS_IN = 1;

/** A recursive query for the A record of `name`. */
export function dnsQuery(id: number, name: string): Uint8Array {
  return concat(header(id, 0x0100, 1, 0), encodeName(name), Uint8Array.of(0, TYPE_A, 0, CLASS_IN));
}

/** The resolver's answer: each address as an A record pointing back at the question's name (0xc00c). */
export function dnsResponse(id: number, name: string, addresses: string[], ttlSeconds: number): Uint8Array {
  const answers = addresses.map((ip) =>
    concat(
      Uint8Array.of(0xc0, 0x0c, 0, TYPE_A, 0, CLASS_IN, ttlSeconds >>> 24, (ttlSeconds >>> 16) & 0xff, (ttlSeconds >>> 8) & 0xff, ttlSeconds & 0xff, 0, 4),
      Uint8Array.from(ip.split('.').map(Number)),
    ),
  );
  return concat(header(id, 0x8180, 1, addresses.length), encodeName(name), Uint8Array.of(0, TYPE_A, 0, CLASS_IN), ...answers);
}

/** Seconds between the NTP era (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2_208_988_800;

function ntpTimestamp(out: DataView, offset: number, timeUs: number): void {
  const seconds = Math.floor(timeUs / 1e6);
  out.setUint32(offset, (seconds + NTP_UNIX_OFFSET) >>> 0);
  out.setUint32(offset + 4, Math.floor(((timeUs - seconds * 1e6) / 1e6) * 0x100000000) >>> 0);
}

/** An NTPv4 client request (mode 3); only the transmit timestamp is set, as SNTP clients do. */
export function ntpRequest(timeUs: number): Uint8Array {
  const out = new Uint8Array(48);
  const view = new DataView(out.buffer);
  out[0] = (0 << 6) | (4 << 3) | 3;
  ntpTimestamp(view, 40, timeUs);
  return out;
}

/** A stratum-2 server's reply (mode 4) to a request sent at `originUs`, received and sent at `serverUs`. */
export function ntpResponse(originUs: number, serverUs: number, referenceId: number): Uint8Array {
  const out = new Uint8Array(48);
  const view = new DataView(out.buffer);
  out[0] = (0 << 6) | (4 << 3) | 4;
  out[1] = 2;
  out[2] = 6;
  out[3] = 0xe9; // precision 2^-23 s
  view.setUint32(4, 0x00000280);
  view.setUint32(8, 0x00000400);
  view.setUint32(12, referenceId >>> 0);
  ntpTimestamp(view, 16, serverUs - 300_000_000);
  ntpTimestamp(view, 24, originUs);
  ntpTimestamp(view, 32, serverUs);
  ntpTimestamp(view, 40, serverUs + 40);
  return out;
}
