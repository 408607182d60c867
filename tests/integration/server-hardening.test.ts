import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { Engine } from '../../main/node/engine';
import { MAX_PROJECT_BYTES } from '../../main/node/projectFiles';
import { MAX_MESSAGE_BYTES, startServer, type RunningServer } from '../../main/node/server/server';

/**
 * The local server as an attacker or an unlucky client meets it: malformed WebSocket frames close that one
 * connection and nothing else; Host and Origin are checked; token guessing is throttled; every response
 * carries the security headers.
 */

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-hardening-'));
  const staticDir = path.join(dataDir, 'ui');
  await fs.mkdir(staticDir);
  await fs.writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Neurowire</title>');
  server = await startServer({ engine: new Engine({ host: 'browser', dataDir }), staticDir });
});
afterAll(async () => server?.close());

/** A raw TCP connection that completed the WebSocket handshake, for sending frames no client library would. */
function rawSocket(): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined); // the server may reset the connection; that is the point
    socket.once('connect', () => {
      socket.write(
        [
          `GET /api?token=${server.token} HTTP/1.1`,
          `Host: 127.0.0.1:${server.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.once('data', (chunk) => (chunk.toString().startsWith('HTTP/1.1 101') ? resolve({ socket, closed }) : reject(new Error(chunk.toString()))));
  });
}

/** A client frame: FIN + opcode byte as given, masked unless told otherwise. */
function frame(first: number, payload: Buffer, opts: { masked?: boolean; declaredLength?: number } = {}): Buffer {
  const masked = opts.masked ?? true;
  const length = opts.declaredLength ?? payload.length;
  const header: number[] = [first];
  if (length < 126) header.push((masked ? 0x80 : 0) | length);
  else {
    header.push((masked ? 0x80 : 0) | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    header.push(...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(header), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([Buffer.from(header), mask, body]);
}

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { maxPayload: 2 * MAX_MESSAGE_BYTES });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown }> {
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { kind: string; id: number; ok: boolean; result?: unknown };
      if (msg.kind === 'response' && msg.id === id) resolve(msg);
    });
    ws.send(JSON.stringify({ kind: 'request', id, method, params }));
  });
}

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: pathname, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

describe('local server hardening', () => {
  const malformed: [string, Buffer][] = [
    ['a frame over the size limit', frame(0x81, Buffer.alloc(0), { declaredLength: MAX_MESSAGE_BYTES + 1 })],
    ['invalid UTF-8 in a text frame', frame(0x81, Buffer.from([0xc3, 0x28, 0xff]))],
    ['a reserved opcode', frame(0x83, Buffer.from('x'))],
    ['an unmasked client frame', frame(0x81, Buffer.from('{}'), { masked: false })],
    ['RSV1 set without compression', frame(0xc1, Buffer.from('{}'))],
    ['RSV2 set', frame(0xa1, Buffer.from('{}'))],
  ];

  it.each(malformed)('%s closes that connection only; the server answers the next call', async (_what, bytes) => {
    const { socket, closed } = await rawSocket();
    socket.write(bytes);
    await closed;
    const ws = await connect();
    try {
      await expect(call(ws, 1, 'templates.list', {})).resolves.toMatchObject({ ok: true });
    } finally {
      ws.close();
    }
  });

  it('takes a message as large as the largest project the app opens', async () => {
    expect(MAX_MESSAGE_BYTES).toBeGreaterThan(MAX_PROJECT_BYTES);
    const ws = await connect();
    try {
      // Extra fields are dropped by the method's schema; what matters is that a 30 MB frame is read.
      const response = await call(ws, 2, 'engine.info', { padding: 'x'.repeat(30 * 1024 * 1024) });
      expect(response.ok).toBe(true);
    } finally {
      ws.close();
    }
  });

  it('sends the security headers with every response', async () => {
    for (const pathname of ['/', '/missing.js', '/compute/x/meta']) {
      const res = await get(pathname, pathname.startsWith('/compute') ? { Authorization: `Bearer ${server.token}` } : {});
      expect(res.headers['x-frame-options'], pathname).toBe('DENY');
      expect(res.headers['cache-control'], pathname).toBe('no-store');
      expect(res.headers['content-security-policy'], pathname).toContain("frame-ancestors 'none'");
    }
  });

  it('refuses a Host that is not this loopback server (DNS rebinding), over HTTP and WebSocket', async () => {
    expect((await get('/', { Host: `evil.example:${server.port}` })).status).toBe(421);
    expect((await get('/', { Host: `127.0.0.1:${server.port + 1}` })).status).toBe(421);
    expect((await get('/', { Host: `localhost:${server.port}` })).status).toBe(200);
    const attempt = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, {
      headers: { Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}` },
    });
    const status = await new Promise<number>((resolve) => {
      attempt.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      attempt.once('open', () => resolve(101));
      attempt.once('error', () => undefined);
    });
    expect(status).toBe(421);
  });

  it('listening on another address (--host) accepts that name as Host, and still the loopback names', async () => {
    const other = await startServer({ engine: new Engine({ host: 'browser', dataDir }), staticDir: path.join(dataDir, 'ui'), host: '127.0.0.2' });
    try {
      expect(other.url).toBe(`http://127.0.0.2:${other.port}/?token=${other.token}`);
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          http.get({ host: '127.0.0.2', port: other.port, path: '/', headers: { Host: host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject);
        });
      expect(await status(`127.0.0.2:${other.port}`)).toBe(200);
      expect(await status(`evil.example:${other.port}`)).toBe(421);
    } finally {
      await other.close();
    }
  });

  it('throttles token guessing: after 20 wrong tokens in a few seconds every attempt gets 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await get('/compute/x/meta', { Authorization: 'Bearer wrong' })).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});
