// The page's HTTP side on node:http: three bundled assets, a JSON snapshot, a Server-Sent Events
// stream, and three actions behind a bearer token. Eight routes and one stream do not need a
// framework: node:http keeps the box's memory and dependency list as they are (docs/status-page.md).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { PAGE_CSS, PAGE_HTML } from './page-assets.js';
import { PAGE_SCRIPT } from './page-script.js';

export type PageAction = { type: 'acknowledge'; id?: string } | { type: 'enforcement'; on: boolean } | { type: 'recording'; on: boolean };

export interface PageHandlers {
  /** The whole page's data, for a first load and for every new stream. */
  snapshot(): unknown;
  /** Carries out an action; a thrown Error's message goes back to the browser (409). */
  act(action: PageAction): unknown;
  /** The token actions need; undefined: actions are refused. */
  token(): string | undefined;
  tokenHint: string;
}

/** Browsers open a few streams each; a bound keeps a misbehaving client from eating memory. */
const MAX_STREAMS = 32;
const MAX_BODY_BYTES = 4096;

const ASSETS: Record<string, { type: string; body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
  '/page.js': { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT },
  '/page.css': { type: 'text/css; charset=utf-8', body: PAGE_CSS },
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export class PageServer {
  readonly server: Server;
  private readonly streams = new Set<ServerResponse>();

  constructor(private readonly handlers: PageHandlers) {
    this.server = createServer((request, response) => this.route(request, response));
    // A phone on the LAN may go to sleep with a stream open: do not hold sockets forever.
    this.server.keepAliveTimeout = 5_000;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Sends one event to every open stream. */
  broadcast(event: string, data: unknown): void {
    if (this.streams.size === 0) return;
    const message = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of this.streams) stream.write(message);
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        // The page never keeps the process alive: the capture (or the service's stop) decides.
        this.server.unref();
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    const asset = ASSETS[path];
    if (request.method === 'GET' && asset) return send(response, 200, asset.type, asset.body, 'no-cache');
    if (request.method === 'GET' && path === '/api/status') return sendJson(response, 200, this.handlers.snapshot());
    if (request.method === 'GET' && path === '/api/events') return this.openStream(response);
    if (request.method === 'POST' && path.startsWith('/api/')) return void this.action(path.slice('/api/'.length), request, response);
    const known = asset !== undefined || path === '/api/status' || path === '/api/events';
    sendJson(response, known ? 405 : 404, { error: known ? `${request.method} is not allowed here` : 'not found' });
  }

  private openStream(response: ServerResponse): void {
    if (this.streams.size >= MAX_STREAMS) return sendJson(response, 503, { error: `at most ${MAX_STREAMS} live views at once` });
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.socket?.setKeepAlive(true, 30_000);
    response.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(this.handlers.snapshot())}\n\n`);
    this.streams.add(response);
    response.on('close', () => this.streams.delete(response));
  }

  private async action(name: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const token = this.handlers.token();
    if (!token) return sendJson(response, 403, { error: `actions are off: no token (${this.handlers.tokenHint})` });
    if (!tokenMatches(request.headers.authorization, token)) return sendJson(response, 401, { error: 'wrong or missing token' });
    let body: Record<string, unknown>;
    try {
      body = await readJsonBody(request);
    } catch (error) {
      return sendJson(response, 400, { error: (error as Error).message });
    }
    const action = parseAction(name, body);
    if (typeof action === 'string') return sendJson(response, 400, { error: action });
    try {
      sendJson(response, 200, this.handlers.act(action));
    } catch (error) {
      sendJson(response, 409, { error: (error as Error).message });
    }
  }
}

function parseAction(name: string, body: Record<string, unknown>): PageAction | string {
  if (name === 'acknowledge') {
    if (body.id !== undefined && typeof body.id !== 'string') return 'id: expected an alert id';
    return { type: 'acknowledge', id: body.id as string | undefined };
  }
  if (name === 'enforcement' || name === 'recording') {
    if (typeof body.on !== 'boolean') return 'on: expected true or false';
    return { type: name, on: body.on };
  }
  return `unknown action '${name}' (known: acknowledge, enforcement, recording)`;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body over ${MAX_BODY_BYTES} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        const value: unknown = JSON.parse(text);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) reject(new Error('expected a JSON object'));
        else resolve(value as Record<string, unknown>);
      } catch {
        reject(new Error('not valid JSON'));
      }
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, type: string, body: string, cache: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': cache, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value), 'no-store');
}
