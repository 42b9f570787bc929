// TLS 1.2 handshake messages with valid structure (RFC 5246, RFC 8422 for ECDHE), so tshark
// dissects a simulated handshake as ClientHello, ServerHello, Certificate, ServerKeyExchange,
// ServerHelloDone, ClientKeyExchange, NewSessionTicket, and then encrypted Finished/alerts.
// Record sizes are calibrated on the paper's rows: with TCP timestamps a ClientKeyExchange record
// is a 141-byte frame, ChangeCipherSpec 72, the encrypted Finished 111 and a close_notify 97.

import { concat, tlsRecord } from './frame-builder.js';

export const TLS12 = 0x0303;
/** AES-128-GCM in TLS 1.2: 8 bytes of explicit nonce and a 16-byte tag around every record. */
export const GCM_RECORD_OVERHEAD = 24;
/** An encrypted Finished: 16 bytes of verify_data with its 4-byte header, plus the GCM overhead. */
export const ENCRYPTED_FINISHED_LENGTH = 40;
/** An encrypted close_notify alert: 2 bytes plus the GCM overhead. */
export const ENCRYPTED_ALERT_LENGTH = 26;

export const ContentType = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23 } as const;

const u8 = (v: number): Uint8Array => Uint8Array.of(v & 0xff);
const u16 = (v: number): Uint8Array => Uint8Array.of((v >> 8) & 0xff, v & 0xff);
const u24 = (v: number): Uint8Array => Uint8Array.of((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
const vector8 = (body: Uint8Array): Uint8Array => concat(u8(body.length), body);
const vector16 = (body: Uint8Array): Uint8Array => concat(u16(body.length), body);
const vector24 = (body: Uint8Array): Uint8Array => concat(u24(body.length), body);
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  return concat(u8(type), vector24(body));
}

/** A plaintext record around `fragment` (handshake messages before ChangeCipherSpec). */
export function plainRecord(contentType: number, fragment: Uint8Array, version = TLS12): Uint8Array {
  return concat(u8(contentType), u16(version), vector16(fragment));
}

/** An encrypted record of the given length (the ciphertext is opaque filler). */
export function encryptedRecord(contentType: number, length: number): Uint8Array {
  return tlsRecord(contentType, length, 0x5c);
}

const extension = (type: number, data: Uint8Array): Uint8Array => concat(u16(type), vector16(data));

/** Two stacks on the Echo: the AVS client (large hello, one segment per record) and a compact one. */
export type ClientProfile = 'avs' | 'compact';

const AVS_SUITES = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0x000a];
const COMPACT_SUITES = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0x009c, 0x002f];
const SIGNATURE_ALGORITHMS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201];

export interface ClientHelloSpec {
  profile: ClientProfile;
  random: Uint8Array;
  /** 32 bytes to offer resumption (the AVS stack always sends one), or empty. */
  sessionId: Uint8Array;
  serverName: string;
  alpn: string[];
  /** The record's length field to reach with a padding extension (RFC 7685), when larger than the natural one. */
  recordLength?: number;
}

export function clientHello(spec: ClientHelloSpec): Uint8Array {
  const suites = spec.profile === 'avs' ? AVS_SUITES : COMPACT_SUITES;
  const sni = vector16(concat(u8(0), vector16(ascii(spec.serverName))));
  const extensions: Uint8Array[] = [extension(0x0000, sni), extension(0x0017, new Uint8Array(0)), extension(0xff01, u8(0))];
  extensions.push(extension(0x000a, vector16(concat(u16(0x001d), u16(0x0017), u16(0x0018)))));
  extensions.push(extension(0x000b, vector8(u8(0))));
  extensions.push(extension(0x0023, new Uint8Array(0)));
  if (spec.alpn.length > 0) extensions.push(extension(0x0010, vector16(concat(...spec.alpn.map((p) => vector8(ascii(p)))))));
  if (spec.profile === 'avs') extensions.push(extension(0x0005, Uint8Array.of(1, 0, 0, 0, 0)));
  extensions.push(extension(0x000d, vector16(concat(...(spec.profile === 'avs' ? SIGNATURE_ALGORITHMS : SIGNATURE_ALGORITHMS.slice(0, 6)).map(u16)))));
  const head = concat(u16(TLS12), spec.random, vector8(spec.sessionId), vector16(concat(...suites.map(u16))), vector8(u8(0)));
  const natural = 4 + head.length + 2 + extensions.reduce((n, e) => n + e.length, 0);
  if (spec.recordLength !== undefined && spec.recordLength >= natural + 4) {
    extensions.push(extension(0x0015, new Uint8Array(spec.recordLength - natural - 4)));
  }
  return handshakeMessage(1, concat(head, vector16(concat(...extensions))));
}

export interface ServerHelloSpec {
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  alpn?: string;
}

export function serverHello(spec: ServerHelloSpec): Uint8Array {
  const extensions = [extension(0xff01, u8(0)), extension(0x000b, vector8(u8(0))), extension(0x0017, new Uint8Array(0)), extension(0x0023, new Uint8Array(0))];
  if (spec.alpn) extensions.push(extension(0x0010, vector16(vector8(ascii(spec.alpn)))));
  return handshakeMessage(2, concat(u16(TLS12), spec.random, vector8(spec.sessionId), u16(spec.cipherSuite), u8(0), vector16(concat(...extensions))));
}

export function certificateMessage(chain: Uint8Array[]): Uint8Array {
  return handshakeMessage(11, vector24(concat(...chain.map(vector24))));
}

/** ECDHE on secp256r1 with an RSA-PKCS1-SHA256 signature of `signature.length` bytes. */
export function serverKeyExchange(publicPoint: Uint8Array, signature: Uint8Array): Uint8Array {
  return handshakeMessage(12, concat(u8(3), u16(0x0017), vector8(publicPoint), u16(0x0401), vector16(signature)));
}

export const serverHelloDone = (): Uint8Array => handshakeMessage(14, new Uint8Array(0));

/** The client's ECDHE share: an uncompressed P-256 point (65 bytes), a 70-byte record. */
export function clientKeyExchange(publicPoint: Uint8Array): Uint8Array {
  return handshakeMessage(16, vector8(publicPoint));
}

export function newSessionTicket(lifetimeSeconds: number, ticket: Uint8Array): Uint8Array {
  return handshakeMessage(4, concat(Uint8Array.of(lifetimeSeconds >>> 24, (lifetimeSeconds >>> 16) & 0xff, (lifetimeSeconds >>> 8) & 0xff, lifetimeSeconds & 0xff), vector16(ticket)));
}

/** An uncompressed EC point: 0x04 then X and Y. */
export function ecPoint(coordinates: Uint8Array): Uint8Array {
  return concat(u8(4), coordinates.subarray(0, 64));
}

export const changeCipherSpecRecord = (): Uint8Array => plainRecord(ContentType.CHANGE_CIPHER_SPEC, u8(1));
