import http from 'node:http';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine';
import { EngineError } from '../engine';
import type { WireMessage, WireResponse } from '../../core/api/contract';

export interface ServerOptions {
  engine: Engine;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Per-launch secret; generated when not given. */
  token?: string;
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

/** Largest message a client may send; a project with thousands of layers is far below this. */
const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;

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

  const server = http.createServer(async (req, res) => {
    try {
      // Browser-GPU training data and weights (computeBridge.ts): the per-launch token is required here too.
      if (req.url?.startsWith('/compute/')) {
        const url = new URL(req.url, 'http://localhost');
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
        const origin = req.headers.origin;
        if (!tokensMatch(bearer ?? url.searchParams.get('token'), token) || (origin !== undefined && origin !== `http://${req.headers.host}`)) {
          res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized');
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
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const host = req.headers.host;
    const originOk = origin === undefined || origin === `http://${host}`;
    if (url.pathname !== '/api' || !tokensMatch(url.searchParams.get('token'), token) || !originOk) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
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
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
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
