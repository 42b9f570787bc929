import type { HttpRequestLine } from './types.js';

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE']);
const LONGEST_METHOD = 7;
const SCAN_LIMIT = 2048;
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

// "HTTP/1." as bytes.
const HTTP_1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e];

/**
 * Recognises `METHOD SP target SP HTTP/1.x CRLF` at the start of `b[start..end)`, looking no
 * further than 2048 bytes. Runs on every TCP payload, so the first byte rules out most traffic
 * (TLS records start with 0x14..0x17) before any string is built.
 */
export function parseHttpRequestLine(b: Uint8Array, start: number, end: number): HttpRequestLine | undefined {
  if (start >= end || !isUpper(b[start])) return undefined;
  const limit = end - start > SCAN_LIMIT ? start + SCAN_LIMIT : end;
  let i = start + 1;
  while (i < limit && i - start <= LONGEST_METHOD && isUpper(b[i])) i++;
  if (i >= limit || b[i] !== SP) return undefined;
  const method = latin1(b, start, i);
  if (!METHODS.has(method)) return undefined;
  const targetStart = ++i;
  while (i < limit && b[i] > SP && b[i] !== 0x7f) i++;
  if (i === targetStart || i >= limit || b[i] !== SP) return undefined;
  const targetEnd = i++;
  if (i + HTTP_1.length + 3 > limit) return undefined;
  for (let k = 0; k < HTTP_1.length; k++) if (b[i + k] !== HTTP_1[k]) return undefined;
  i += HTTP_1.length;
  const minor = b[i];
  if (minor < 0x30 || minor > 0x39 || b[i + 1] !== CR || b[i + 2] !== LF) return undefined;
  return { method, target: latin1(b, targetStart, targetEnd), version: minor === 0x31 ? 'HTTP/1.1' : 'HTTP/1.' + String.fromCharCode(minor) };
}
