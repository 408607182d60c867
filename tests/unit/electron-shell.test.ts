import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ElectronRecorder } from './electron-stand-in';

// Electron's binary is not needed to check what the shell asks of it: a stand-in records the calls
// (tests/unit/electron-stand-in.ts; the security settings are checked in electron-security.test.ts).
const rec = vi.hoisted(() => ({ current: null as null | ElectronRecorder }));

vi.mock('electron', async () => {
  const { electronStandIn, newRecorder } = await import('./electron-stand-in');
  rec.current = newRecorder();
  return electronStandIn(rec.current);
});

let r: ElectronRecorder;
beforeAll(async () => {
  await import('../../electron/main');
  await new Promise((resolve) => setTimeout(resolve, 50));
  r = rec.current!;
});

describe('desktop shell', () => {
  it('opens the window isolated and sandboxed, without Node in the page', () => {
    const prefs = r.windows[0].options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs.preload)).toMatch(/preload\.js$/);
  });

  it('sends a Content-Security-Policy with every page', async () => {
    const res = await r.protocolHandlers.get('app')!.handler(new Request('app://neurowire/index.html'));
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('answers only its own page, and validates calls in the engine', async () => {
    const handler = r.ipcHandlers.get('neurowire:call')!;
    const ownPage = 'app://neurowire/index.html';
    const foreign = await handler({ senderFrame: { url: 'https://example.com/' } }, 'templates.list', {});
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const unknown = await handler({ senderFrame: { url: ownPage } }, 'shell.exec', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    const invalid = await handler({ senderFrame: { url: ownPage } }, 'templates.get', { id: '../../etc/passwd' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
  });

  it('exposes only call, onEvent and the path of a dropped file to the page', async () => {
    await import('../../electron/preload');
    expect(Object.keys(r.exposed ?? {}).sort()).toEqual(['call', 'onEvent', 'pathForFile']);
    const pathForFile = r.exposed!.pathForFile as (file: unknown) => string;
    expect(pathForFile(new File(['{}'], 'net.neurowire'))).toBe('/dropped/net.neurowire');
    // Anything but a File (a string a page made up) gets no path.
    expect(pathForFile('/etc/passwd')).toBe('');
    expect(pathForFile({ name: 'x', path: '/etc/passwd' })).toBe('');
  });
});
