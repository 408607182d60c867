import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Engine } from '../../main/node/engine';
import { startServer, type RunningServer } from '../../main/node/server/server';
import type { WireMessage } from '../../main/core/api/contract';

let server: RunningServer;
let dataDir: string;
let staticDir: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-server-'));
  staticDir = path.join(dataDir, 'ui');
  await fs.mkdir(staticDir);
  await fs.writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Neurowire</title>');
  await fs.writeFile(path.join(dataDir, 'secret.txt'), 'do not serve');
  server = await startServer({ engine: new Engine({ host: 'browser', dataDir }), staticDir });
});
afterAll(async () => server?.close());

function connect(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

let nextId = 1;
function call(ws: WebSocket, method: string, params: unknown): Promise<Extract<WireMessage, { kind: 'response' }>> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as WireMessage;
      if (msg.kind === 'response' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, method, params }));
  });
}

describe('local server', () => {
  it('listens on loopback and prints a URL with the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{32}$`));
  });

  it('refuses connections without the token, with a wrong token, or from another origin', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
    await expect(connect('?token=wrong')).rejects.toThrow('HTTP 401');
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 401');
  });

  it('serves the UI but nothing outside its folder', async () => {
    const ok = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Neurowire');
    const escape = await fetch(`http://127.0.0.1:${server.port}/..%2fsecret.txt`);
    expect([403, 404]).toContain(escape.status);
    expect(await escape.text()).not.toContain('do not serve');
  });

  it('answers API calls and validates their params', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` });
    const templates = await call(ws, 'templates.list', {});
    expect(templates.ok).toBe(true);
    expect((templates as { result: { id: string }[] }).result.map((t) => t.id)).toContain('mnist-mlp');

    const unknown = await call(ws, 'fs.deleteEverything', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_method' } });

    const badParams = await call(ws, 'project.open', { path: 42 });
    expect(badParams).toMatchObject({ ok: false, error: { code: 'invalid_params' } });

    const template = (await call(ws, 'templates.get', { id: 'mnist-mlp' })) as { ok: true; result: unknown };
    const file = path.join(dataDir, 'projects', 'roundtrip.neurowire.json');
    expect(await call(ws, 'project.save', { path: file, project: template.result })).toMatchObject({ ok: true });
    expect(await call(ws, 'project.open', { path: file })).toMatchObject({ ok: true, result: { project: template.result } });
    const missing = await call(ws, 'project.open', { path: path.join(dataDir, 'nope.json') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'project_file' } });
    ws.close();
  });
});
