// Addresses as numbers, so the packet path compares and keys them without building strings. An
// IPv4 address or a MAC is its own number (exact). An IPv6 address does not fit a double, so its
// key is 2^32 plus a 48-bit hash of its 16 bytes: two addresses share a key about once in 2^48
// pairs, which merges nothing a home network will ever see. Text is made only where a person or
// a file reads it (alerts, CSVs, logs), from the frame's bytes.

import { isIPv4, isIPv6 } from 'node:net';

const TWO_32 = 4294967296;
const TWO_16 = 65536;

export function ipv4KeyAt(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Two independent 32-bit mixes of the four words (murmur3's finaliser), 48 bits kept. */
export function ipv6KeyAt(b: Uint8Array, o: number): number {
  let h1 = 0x9747b28c;
  let h2 = 0x85ebca6b;
  for (let i = 0; i < 16; i += 4) {
    const word = (b[o + i] << 24) | (b[o + i + 1] << 16) | (b[o + i + 2] << 8) | b[o + i + 3];
    h1 = Math.imul(h1 ^ word, 0xcc9e2d51);
    h1 = (h1 << 13) | (h1 >>> 19);
    h2 = Math.imul(h2 ^ word, 0x1b873593);
    h2 = (h2 << 15) | (h2 >>> 17);
  }
  h1 = fmix(h1);
  h2 = fmix(h2 ^ h1);
  return TWO_32 + (h1 >>> 0) * TWO_16 + (h2 & 0xffff);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export function macKeyAt(b: Uint8Array, o: number): number {
  return ((b[o] << 8) | b[o + 1]) * TWO_32 + (((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0);
}

/** The key of an address written as text (a config's or `--device`'s), undefined when it is none. */
export function addressKey(text: string): number | undefined {
  if (isIPv4(text)) return ipv4KeyAt(Uint8Array.from(text.split('.').map(Number)), 0);
  const bytes = ipv6Bytes(text);
  return bytes ? ipv6KeyAt(bytes, 0) : undefined;
}

/** "aa:bb:cc:dd:ee:ff" (lower case, ':' separated) to its key. */
export function macKey(mac: string): number {
  return macKeyAt(Uint8Array.from(mac.split(':').map((part) => parseInt(part, 16))), 0);
}

/** The 16 bytes of an IPv6 address in any RFC 4291 text form (with `::` and a dotted tail). */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (!isIPv6(text)) return undefined;
  let groups = text.split('%')[0];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (tail) {
    const [a, b, c, d] = tail[1].split('.').map(Number);
    groups = groups.slice(0, -tail[1].length) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, rest] = groups.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const words = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    const value = parseInt(word, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}
