import { beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Electron's binary is not needed to check what the shell asks of it: a stand-in records the calls.
const recorded = vi.hoisted(() => ({
  windowOptions: [] as Record<string, unknown>[],
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  headers: null as null | ((details: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void),
  exposed: null as null | Record<string, unknown>,
}));

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { setWindowOpenHandler: vi.fn(), on: vi.fn(), send: vi.fn() };
    constructor(options: Record<string, unknown>) {
      recorded.windowOptions.push(options);
    }
    loadFile = vi.fn(async () => undefined);
    on = vi.fn();
    static getAllWindows = () => [];
  }
  const ready = Promise.resolve();
  return {
    app: { whenReady: () => ready, on: vi.fn() },
    BrowserWindow,
    dialog: {},
    shell: { openExternal: vi.fn() },
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn(() => ({})) },
    session: { defaultSession: { webRequest: { onHeadersReceived: (fn: never) => (recorded.headers = fn) } } },
    ipcMain: { handle: (channel: string, fn: never) => recorded.handlers.set(channel, fn) },
    contextBridge: { exposeInMainWorld: (_key: string, api: Record<string, unknown>) => (recorded.exposed = api) },
    ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
  };
});

beforeAll(async () => {
  await import('../../electron/main');
  await new Promise((r) => setTimeout(r, 50));
});

describe('desktop shell', () => {
  it('opens the window isolated and sandboxed, without Node in the page', () => {
    const prefs = recorded.windowOptions[0].webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs.preload)).toMatch(/preload\.js$/);
  });

  it('sends a Content-Security-Policy with every response', () => {
    let headers: Record<string, string[]> = {};
    recorded.headers!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy'][0]).toContain("default-src 'self'");
    expect(headers['Content-Security-Policy'][0]).toContain("script-src 'self'");
  });

  it('answers only its own page, and validates calls in the engine', async () => {
    const handler = recorded.handlers.get('neurowire:call')!;
    const ownPage = pathToFileURL(path.resolve(__dirname, '../../renderer/index.html')).href;
    const foreign = await handler({ senderFrame: { url: 'https://example.com/' } }, 'templates.list', {});
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const unknown = await handler({ senderFrame: { url: ownPage } }, 'shell.exec', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    const invalid = await handler({ senderFrame: { url: ownPage } }, 'templates.get', { id: '../../etc/passwd' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
  });

  it('exposes only call and onEvent to the page', async () => {
    await import('../../electron/preload');
    expect(Object.keys(recorded.exposed ?? {}).sort()).toEqual(['call', 'onEvent']);
  });
});
