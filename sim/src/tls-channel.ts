// A TLS 1.2 session over a simulated TCP connection: the full handshake with real-looking
// messages, then opaque application-data records, then close_notify. Timings follow the paper's
// rows: the Echo answers the server's flight 30-100 ms later (its ECDHE on a small CPU), and the
// AVS stack puts ClientKeyExchange, ChangeCipherSpec and Finished in three segments, the compact
// stack in one.

import { concat } from './frame-builder.js';
import type { SeededRandom } from './seeded-random.js';
import type { SendOptions, SimContext, TcpSession } from './tcp-session.js';
import {
  certificateMessage,
  changeCipherSpecRecord,
  clientHello,
  clientKeyExchange,
  ContentType,
  ecPoint,
  ENCRYPTED_ALERT_LENGTH,
  ENCRYPTED_FINISHED_LENGTH,
  encryptedRecord,
  GCM_RECORD_OVERHEAD,
  newSessionTicket,
  plainRecord,
  serverHello,
  serverHelloDone,
  serverKeyExchange,
  type ClientProfile,
} from './tls-handshake.js';
import { certificate, rsaPublicKeyInfo, tbsCertificate } from './x509-certificate.js';

export interface TlsChannelSpec {
  serverName: string;
  profile: ClientProfile;
  alpn: string[];
  /** The ClientHello record's length (the paper's frames: 498 and 501 with timestamps, 473 without). */
  clientHelloLength?: number;
}

const chainCache = new Map<string, Uint8Array[]>();

/** A leaf and an intermediate with stand-in RSA keys and signatures; structure is all tshark checks. */
export function stubCertificateChain(serverName: string): Uint8Array[] {
  const cached = chainCache.get(serverName);
  if (cached) return cached;
  let seed = 0x811c9dc5;
  for (let i = 0; i < serverName.length; i++) seed = Math.imul(seed ^ serverName.charCodeAt(i), 0x01000193);
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) ^ i;
      out[i] = (seed >>> 8) & 0xff;
    }
    return out;
  };
  const issuer = { country: 'US', organization: 'earshot simulator', commonName: 'Simulated RSA 2048 M01' };
  const root = { country: 'US', organization: 'earshot simulator', commonName: 'Simulated Root CA 1' };
  const base = serverName.split('.').slice(-2).join('.');
  const notBefore = new Date(Date.UTC(2025, 9, 1));
  const notAfter = new Date(Date.UTC(2026, 9, 1));
  const leafTbs = tbsCertificate({
    serial: bytes(16),
    issuer,
    subject: { country: 'US', organization: 'earshot simulator', commonName: serverName },
    notBefore,
    notAfter,
    subjectPublicKeyInfo: rsaPublicKeyInfo(bytes(256)),
    dnsNames: [serverName, `*.${base}`, `*.na.${base}`, `*.eu.${base}`, `*.fe.${base}`, `api.${base}`],
    isCa: false,
    signatureAlgorithm: 'sha256WithRSA',
  });
  const intermediateTbs = tbsCertificate({
    serial: bytes(16),
    issuer: root,
    subject: issuer,
    notBefore,
    notAfter: new Date(Date.UTC(2030, 9, 1)),
    subjectPublicKeyInfo: rsaPublicKeyInfo(bytes(256)),
    dnsNames: [],
    isCa: true,
    signatureAlgorithm: 'sha256WithRSA',
  });
  const chain = [certificate(leafTbs, 'sha256WithRSA', bytes(256)), certificate(intermediateTbs, 'sha256WithRSA', bytes(256))];
  chainCache.set(serverName, chain);
  return chain;
}

export class TlsChannel {
  private ready = false;
  private readonly random: SeededRandom;
  /** Where the last write from the server ends (relative sequence number), to wait for its delivery. */
  serverEnd = 0;

  constructor(
    readonly tcp: TcpSession,
    ctx: SimContext,
    readonly spec: TlsChannelSpec,
  ) {
    this.random = ctx.random;
    this.queue = ctx.queue;
  }

  private readonly queue: SimContext['queue'];

  get isReady(): boolean {
    return this.ready && this.tcp.isOpen;
  }

  /** Opens the TCP connection and runs the handshake; `onReady` runs once the server's Finished arrived. */
  start(onReady: () => void): void {
    const tcp = this.tcp;
    const r = this.random;
    tcp.open(() => {
      this.queue.after(r.uniform(200, 2500), () => {
        const hello = clientHello({
          profile: this.spec.profile,
          random: r.bytes(32),
          sessionId: this.spec.profile === 'avs' ? r.bytes(32) : new Uint8Array(0),
          serverName: this.spec.serverName,
          alpn: this.spec.alpn,
          recordLength: this.spec.clientHelloLength,
        });
        const helloEnd = tcp.send(tcp.echo, plainRecord(ContentType.HANDSHAKE, hello));
        tcp.whenReceived(tcp.server, helloEnd, () => this.queue.after(r.uniform(500, 4000), () => this.serverFlight(onReady)));
      });
    });
  }

  private serverFlight(onReady: () => void): void {
    const tcp = this.tcp;
    const r = this.random;
    const alpn = this.spec.alpn[0];
    const flight = concat(
      plainRecord(ContentType.HANDSHAKE, serverHello({ random: r.bytes(32), sessionId: r.bytes(32), cipherSuite: 0xc02f, alpn })),
      plainRecord(ContentType.HANDSHAKE, certificateMessage(stubCertificateChain(this.spec.serverName))),
      plainRecord(ContentType.HANDSHAKE, serverKeyExchange(ecPoint(r.bytes(64)), r.bytes(256))),
      plainRecord(ContentType.HANDSHAKE, serverHelloDone()),
    );
    const flightEnd = tcp.send(tcp.server, flight);
    tcp.whenReceived(tcp.echo, flightEnd, () => this.queue.after(r.uniform(30_000, 100_000), () => this.clientFinish(onReady)));
  }

  private clientFinish(onReady: () => void): void {
    const tcp = this.tcp;
    const r = this.random;
    const records = [plainRecord(ContentType.HANDSHAKE, clientKeyExchange(ecPoint(r.bytes(64)))), changeCipherSpecRecord(), encryptedRecord(ContentType.HANDSHAKE, ENCRYPTED_FINISHED_LENGTH)];
    let end = 0;
    if (this.spec.profile === 'avs') for (const record of records) end = tcp.send(tcp.echo, record);
    else end = tcp.send(tcp.echo, concat(...records));
    tcp.whenReceived(tcp.server, end, () =>
      this.queue.after(r.uniform(300, 3000), () => {
        const serverEnd = tcp.send(tcp.server, concat(plainRecord(ContentType.HANDSHAKE, newSessionTicket(7200, r.bytes(r.int(160, 200)))), changeCipherSpecRecord(), encryptedRecord(ContentType.HANDSHAKE, ENCRYPTED_FINISHED_LENGTH)));
        tcp.whenReceived(tcp.echo, serverEnd, () => {
          this.ready = true;
          onReady();
        });
      }),
    );
  }

  /**
   * Application data from the Echo: one record per plaintext length (each record length is the
   * plaintext plus the GCM overhead). `coalesce` writes them as one buffer (a burst that fills
   * segments); otherwise each record is its own write, as the AVS client sends audio frames.
   * Returns the sum of the record lengths.
   */
  echoSends(plaintextLengths: number[], options: SendOptions & { coalesce?: boolean } = {}): number {
    return this.sendRecords(true, plaintextLengths, options);
  }

  serverSends(plaintextLengths: number[], options: SendOptions & { coalesce?: boolean } = {}): number {
    return this.sendRecords(false, plaintextLengths, options);
  }

  /** Sends a record whose length is given directly (heartbeats of 41 and 28 bytes). */
  echoSendsRecord(recordLength: number, options: SendOptions = {}): void {
    if (!this.isReady) return;
    this.tcp.send(this.tcp.echo, encryptedRecord(ContentType.APPLICATION_DATA, recordLength), options);
  }

  serverSendsRecord(recordLength: number, options: SendOptions = {}): void {
    if (!this.isReady) return;
    this.tcp.send(this.tcp.server, encryptedRecord(ContentType.APPLICATION_DATA, recordLength), options);
  }

  /** Optionally close_notify from the Echo, then FIN, or RST without ACK (the paper's 54-byte rows). */
  close(how: 'fin' | 'rst', alert = true): void {
    const tcp = this.tcp;
    if (!tcp.isOpen) return;
    this.ready = false;
    if (alert) tcp.send(tcp.echo, encryptedRecord(ContentType.ALERT, ENCRYPTED_ALERT_LENGTH));
    if (how === 'fin') tcp.close(tcp.echo);
    else tcp.reset(tcp.echo);
  }

  /**
   * The server's close_notify and FIN cross the Echo's own RST, so the Echo answers each with
   * another RST: how a CDN connection usually ends in the paper's Amazon Music capture (2.6 RSTs
   * per connection).
   */
  closeCrossing(): void {
    const tcp = this.tcp;
    if (!tcp.isOpen) return;
    this.ready = false;
    tcp.send(tcp.server, encryptedRecord(ContentType.ALERT, ENCRYPTED_ALERT_LENGTH));
    tcp.close(tcp.server);
    this.queue.after(Math.max(0, tcp.rttUs / 2 - 400), () => tcp.reset(tcp.echo));
  }

  private sendRecords(fromEcho: boolean, plaintextLengths: number[], options: SendOptions & { coalesce?: boolean }): number {
    if (!this.isReady) return 0;
    const tcp = this.tcp;
    const side = fromEcho ? tcp.echo : tcp.server;
    const records = plaintextLengths.map((n) => encryptedRecord(ContentType.APPLICATION_DATA, n + GCM_RECORD_OVERHEAD));
    let end = 0;
    if (options.coalesce) end = tcp.send(side, concat(...records), options);
    else for (const record of records) end = tcp.send(side, record, options);
    if (!fromEcho) this.serverEnd = end;
    return plaintextLengths.reduce((n, p) => n + p + GCM_RECORD_OVERHEAD, 0);
  }
}
