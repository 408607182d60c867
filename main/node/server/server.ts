import http from 'node:http';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine';
import { EngineError } from '../engine';
import type { WireMessage, WireResponse } from '../../core/api/contract';
import { MAX_PROJECT_BYTES } from '../projectFiles';

export interface ServerOptions {
  engine: Engine;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Per-launch secret; generated when not given. */
  token?: string;
  /** Address to listen on; default loopback. Anything else exposes the app to the network (the token still guards it). */
  host?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Largest message a client may send: the largest project the app opens, plus room for the message around it
 * (a project's JSON is escaped once more inside the call), so saving or autosaving any project it opened fits.
 */
export const MAX_MESSAGE_BYTES = Math.ceil(MAX_PROJECT_BYTES * 1.25) + 1024 * 1024;

/** Failed token checks allowed per window before every further attempt is answered 429 until the window ends. */
const TOKEN_FAILURES_PER_WINDOW = 20;
const TOKEN_FAILURE_WINDOW_MS = 10_000;

/** Sent with every HTTP response: no framing, no caching, no sniffing, and the UI's own content policy. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:* ws://[::1]:*; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function tokensMatch(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Hosts the renderer and the engine API for browser mode. Binds to loopback only; every WebSocket
 * connection must present the per-launch token, and browsers may connect only from this server's own origin.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticRoot = path.resolve(options.staticDir);
  const listenHost = options.host ?? '127.0.0.1';
  let port = 0;

  // DNS rebinding: a page of another site that resolves its name to 127.0.0.1 sends its own name as Host.
  // Listening on every interface (an explicit choice, see --host) accepts whatever name reaches this port.
  const anyInterface = listenHost === '0.0.0.0' || listenHost === '::';
  const hostAllowed = (host: string | undefined) =>
    host !== undefined &&
    (anyInterface ? host.endsWith(`:${port}`) : [...LOOPBACK_NAMES, listenHost.includes(':') ? `[${listenHost}]` : listenHost].some((name) => host === `${name}:${port}`));
  // A browser page may call only from this server's own origin; other clients (tests, curl) send no Origin.
  const originAllowed = (origin: string | undefined, host: string | undefined) => origin === undefined || origin === `http://${host}`;

  let failures: number[] = [];
  /** Token check with a limit on failures, so the token cannot be guessed at speed. 'limited' while over it. */
  const checkToken = (given: string | null): 'ok' | 'wrong' | 'limited' => {
    const now = Date.now();
    failures = failures.filter((t) => now - t < TOKEN_FAILURE_WINDOW_MS);
    if (failures.length >= TOKEN_FAILURES_PER_WINDOW) return 'limited';
    if (tokensMatch(given, token)) return 'ok';
    failures.push(now);
    return 'wrong';
  };
  const refusal = (verdict: 'wrong' | 'limited' | 'host'): [number, string] =>
    verdict === 'limited' ? [429, 'Too many attempts with a wrong token; wait a few seconds.'] : verdict === 'host' ? [421, 'Wrong Host header.'] : [401, 'Unauthorized'];

  const server = http.createServer(async (req, res) => {
    // Set before any route writes its own headers, so every response carries them (writeHead merges).
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    try {
      if (!hostAllowed(req.headers.host)) {
        res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Wrong Host header.');
        return;
      }
      // Browser-GPU training data and weights (computeBridge.ts): the per-launch token is required here too.
      if (req.url?.startsWith('/compute/')) {
        const url = new URL(req.url, 'http://localhost');
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
        const verdict = originAllowed(req.headers.origin, req.headers.host) ? checkToken(bearer ?? url.searchParams.get('token')) : 'wrong';
        if (verdict !== 'ok') {
          const [status, text] = refusal(verdict);
          res.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
          return;
        }
        if (!(await options.engine.compute.handleHttp(req, res, url.pathname))) res.writeHead(404).end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
      const file = path.resolve(staticRoot, '.' + rel);
      if (!file.startsWith(staticRoot + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      const body = await fs.readFile(file);
      res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      if (!res.headersSent) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      else res.destroy();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    // A socket error before the handshake completes (a reset, a malformed request) must not reach the process.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verdict = !hostAllowed(req.headers.host)
      ? 'host'
      : url.pathname !== '/api' || !originAllowed(req.headers.origin, req.headers.host)
        ? 'wrong'
        : checkToken(url.searchParams.get('token'));
    if (verdict !== 'ok') {
      const [status, text] = refusal(verdict);
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const unsubscribe = options.engine.onEvent((event, payload) => {
    const frame = JSON.stringify({ kind: 'event', event, payload } satisfies WireMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // A malformed frame (too large, bad UTF-8, reserved opcode, unmasked, RSV bits) makes ws emit 'error' and
    // close this connection with the matching status; without a listener the error would end the whole process.
    ws.on('error', (e) => {
      console.warn(`[neurowire] closed a WebSocket connection: ${e.message}`);
      ws.terminate();
    });
    ws.on('message', async (data) => {
      let msg: WireMessage;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        ws.send(JSON.stringify({ kind: 'response', id: -1, ok: false, error: { message: 'Message is not valid JSON.', code: 'bad_message' } }));
        return;
      }
      if (msg?.kind !== 'request' || typeof msg.id !== 'number' || typeof msg.method !== 'string') {
        ws.send(JSON.stringify({ kind: 'response', id: -1, ok: false, error: { message: 'Expected a request message.', code: 'bad_message' } }));
        return;
      }
      let response: WireResponse;
      try {
        const result = await options.engine.dispatch(msg.method, msg.params);
        response = { kind: 'response', id: msg.id, ok: true, result };
      } catch (e) {
        const code = e instanceof EngineError ? e.code : 'failed';
        response = { kind: 'response', id: msg.id, ok: false, error: { message: (e as Error).message, code } };
      }
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, listenHost, () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const urlHost = LOOPBACK_NAMES.includes(listenHost) || anyInterface ? '127.0.0.1' : listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
