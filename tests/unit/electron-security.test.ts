import { beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { FakeWebContents, type ElectronRecorder, type FakeBrowserWindow } from './electron-stand-in';

/**
 * Electron's security checklist (docs/security.md), checked against what the shell configures in a
 * stand-in Electron: the real binary is not needed to see which preferences, handlers and guards it sets.
 */
const rec = vi.hoisted(() => ({ current: null as null | ElectronRecorder, computeOptions: null as null | Record<string, unknown> }));

vi.mock('electron', async () => {
  const { electronStandIn, newRecorder } = await import('./electron-stand-in');
  rec.current = newRecorder();
  return electronStandIn(rec.current);
});

// Records the options main.ts gives the hidden compute window, and lets the real module run.
vi.mock('../../electron/computeWindow', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../electron/computeWindow')>();
  return {
    ...original,
    createComputeHost: (options: Parameters<typeof original.createComputeHost>[0]) => {
      rec.computeOptions = options as unknown as Record<string, unknown>;
      return original.createComputeHost(options);
    },
  };
});

const repo = path.resolve(__dirname, '../..');
let r: ElectronRecorder;
let mainWindow: FakeBrowserWindow;

beforeAll(async () => {
  await import('../../electron/main');
  await new Promise((resolve) => setTimeout(resolve, 50));
  r = rec.current!;
  mainWindow = r.windows[0];
});

const request = (url: string, method = 'GET') => r.protocolHandlers.get('app')!.handler(new Request(url, { method }));

describe('pages come from app://, not file:// (checklist 18)', () => {
  it('registers app:// as a privileged standard, secure scheme before ready, without bypassing the CSP', () => {
    expect(r.privilegedSchemes).toHaveLength(1);
    expect(r.privilegedSchemes[0].beforeReady).toBe(true);
    const [scheme] = r.privilegedSchemes[0].schemes as { scheme: string; privileges: Record<string, boolean> }[];
    expect(scheme.scheme).toBe('app');
    expect(scheme.privileges).toMatchObject({ standard: true, secure: true });
    expect(scheme.privileges.bypassCSP).toBeFalsy();
    expect(r.protocolHandlers.get('app')?.afterReady).toBe(true);
  });

  it('loads the main window and the hidden compute window from app:// URLs', () => {
    expect(mainWindow.loadedUrls).toEqual(['app://neurowire/index.html']);
    expect(mainWindow.loadedFiles).toEqual([]);
    expect(rec.computeOptions?.pageUrl).toBe('app://neurowire/compute.html');
  });

  it('serves the built pages with their content type and the CSP header', async () => {
    const res = await request('app://neurowire/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<div id="root">');
    expect((await request('app://neurowire/compute.html')).status).toBe(200);
    expect((await request('app://neurowire/missing.js')).status).toBe(404);
    expect((await request('app://neurowire/index.html', 'POST')).status).toBe(405);
  });

  it('refuses paths that leave the renderer folder, other hosts and malformed URLs', async () => {
    // package.json sits one level above the served folder: none of these may return it.
    for (const url of [
      'app://neurowire/..%2fpackage.json',
      'app://neurowire/%2e%2e%2fpackage.json',
      'app://neurowire/..%2F..%2Fetc%2Fpasswd',
      'app://neurowire/index.html%00.png',
      'app://neurowire/%E0%A4%A',
      'app://elsewhere/index.html',
      'app://neurowire:8080/index.html',
    ]) {
      const res = await request(url);
      expect(res.status, url).toBe(403);
      expect(await res.text()).not.toContain('"name": "neurowire"');
    }
    // URL parsing folds plain ../ into the root: it stays inside and finds nothing there.
    expect((await request('app://neurowire/../../package.json')).status).toBe(404);
  });

  it('resolves only inside the root, with POSIX and with Windows separators', async () => {
    const { resolveAppPath } = await import('../../electron/appProtocol');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-app-'));
    expect(resolveAppPath(root, 'app://neurowire/assets/a.js')).toBe(path.join(root, 'assets', 'a.js'));
    expect(resolveAppPath(root, 'app://neurowire/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://neurowire/..%2fsecret')).toBeNull();
    expect(resolveAppPath(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppPath(root, 'https://neurowire/index.html')).toBeNull();
    expect(resolveAppPath('C:\\app\\renderer', 'app://neurowire/..%5c..%5csecret', path.win32)).toBeNull();
    expect(resolveAppPath('C:\\app\\renderer', 'app://neurowire/a\\..\\..\\secret', path.win32)).toBeNull();
    expect(resolveAppPath('C:\\app\\renderer', 'app://neurowire/assets\\a.js', path.win32)).toBe('C:\\app\\renderer\\assets\\a.js');
    expect(resolveAppPath(root, 'app://neurowire/..foo')).toBe(path.join(root, '..foo')); // a name, not a parent
  });
});

describe('renderer isolation (checklist 2, 3, 4, 6, 8, 9, 10, 12)', () => {
  it('opens every window isolated, sandboxed, without Node, with web security and no insecure or experimental features', async () => {
    const { createComputeHost } = await import('../../electron/computeWindow');
    const { electronStandIn, newRecorder } = await import('./electron-stand-in');
    const computeRec = newRecorder();
    const host = createComputeHost({ pageUrl: 'app://neurowire/compute.html', preloadPath: '/x/compute-preload.js', electron: electronStandIn(computeRec) as never });
    void host.probe().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const compute = computeRec.windows[0];
    expect(compute.loadedUrls).toEqual(['app://neurowire/compute.html']);
    for (const win of [mainWindow, compute]) {
      const prefs = win.options.webPreferences as Record<string, unknown>;
      expect(prefs).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
      });
      expect(prefs.enableBlinkFeatures).toBeUndefined();
      expect(String(prefs.preload)).toMatch(/preload\.js$/);
    }
    host.dispose();
  });

  it('refuses to attach any <webview>', () => {
    expect(mainWindow.webContents.fireNavigation('will-attach-webview', 'https://example.com/')).toBe(true);
  });
});

describe('permissions (checklist 5)', () => {
  it('denies every permission request and check, and every device', () => {
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'fullscreen', 'openExternal', 'midiSysex']) {
      const answers: boolean[] = [];
      r.permissionRequestHandler!({}, permission, (granted: boolean) => answers.push(granted), {});
      expect(answers, permission).toEqual([false]);
      expect(r.permissionCheckHandler!({}, permission, 'app://neurowire', {}), permission).toBe(false);
    }
    expect(r.devicePermissionHandler!({ deviceType: 'usb', origin: 'app://neurowire' })).toBe(false);
  });
});

describe('Content-Security-Policy (checklist 7)', () => {
  it('allows scripts and workers from the app only: no eval, no inline scripts, no plugins or frames', async () => {
    const { CONTENT_SECURITY_POLICY } = await import('../../electron/security');
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => { const [name, ...sources] = d.trim().split(/\s+/); return [name, sources] as const; }));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-src')).toEqual(["'none'"]);
    expect(directives.get('worker-src')).toEqual(["'self'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*|http:|https:/);
  });

  it('keeps a restrictive meta CSP in both pages as well', () => {
    for (const page of ['index.html', 'compute.html']) {
      const html = fs.readFileSync(path.join(repo, 'renderer', page), 'utf8');
      const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(meta, page).toMatch(/script-src 'self';/);
      expect(meta, page).not.toMatch(/unsafe-eval/);
    }
  });
});

describe('navigation, new windows and links (checklist 13, 14, 15)', () => {
  const foreign = ['https://example.com/', 'file:///etc/passwd', 'http://js.tensorflow.org/', 'app://neurowire/other.html', 'app://neurowire/compute.html', 'javascript:alert(1)', 'app://neurowire/index.html?x=1'];

  it('refuses every navigation, redirect and frame navigation away from the page the window shows', () => {
    const wc = mainWindow.webContents;
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate'] as const) {
      for (const url of foreign) expect(wc.fireNavigation(event, url), `${event} ${url}`).toBe(true);
      expect(wc.fireNavigation(event, 'app://neurowire/index.html'), event).toBe(false);
    }
  });

  it('guards every webContents the app creates, not only the main window', () => {
    const other = new FakeWebContents();
    for (const fn of r.appListeners.get('web-contents-created') ?? []) fn({}, other);
    expect(other.fireNavigation('will-navigate', 'https://example.com/')).toBe(true);
    expect(other.fireNavigation('will-attach-webview', 'https://example.com/')).toBe(true);
    expect(other.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('denies every new window, and opens only listed https hosts in the system browser', async () => {
    const open = mainWindow.webContents.windowOpenHandler!;
    const tried = [
      'https://js.tensorflow.org/api/4.22.0/',
      'https://www.tensorflow.org/js/guide',
      'https://js.tensorflow.org.evil.example/',
      'https://evil.example/?https://js.tensorflow.org/',
      'https://user@js.tensorflow.org/',
      'https://js.tensorflow.org:8443/',
      'http://js.tensorflow.org/',
      'file:///C:/Windows/System32/calc.exe',
      'smb://js.tensorflow.org/share',
      'not a url',
    ];
    r.openedExternally.length = 0;
    for (const url of tried) expect(open({ url }), url).toEqual({ action: 'deny' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(r.openedExternally).toEqual(['https://js.tensorflow.org/api/4.22.0/', 'https://www.tensorflow.org/js/guide']);
  });

  it('has a Help menu whose links all pass the allow-list', async () => {
    const { HELP_LINKS, isAllowedExternalUrl } = await import('../../electron/security');
    const help = (r.menuTemplate as { role?: string; submenu?: { label: string; click: () => void }[] }[]).find((m) => m.role === 'help');
    expect(help?.submenu?.map((i) => i.label)).toEqual(HELP_LINKS.map((l) => l.label));
    for (const link of HELP_LINKS) expect(isAllowedExternalUrl(link.url), link.url).toBe(true);
    r.openedExternally.length = 0;
    help!.submenu![0].click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(r.openedExternally).toEqual([HELP_LINKS[0].url]);
  });
});

describe('current Electron and fuses (checklist 16, 19)', () => {
  it('depends on a supported Electron major (43 or newer), the same in package.json and the lock file', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
    const wanted = /^\^?(\d+)\./.exec(pkg.devDependencies.electron)?.[1];
    const locked = lock.packages['node_modules/electron'].version as string;
    expect(Number(wanted)).toBeGreaterThanOrEqual(43);
    expect(locked.split('.')[0]).toBe(wanted);
    expect(pkg.allowScripts.electron).toBe(true); // the binary's download still runs on install
  });

  it('flips the fuses that close Node-style entry points and keep the app inside its signed asar', () => {
    const yaml = createRequire(__filename)('js-yaml') as { load(text: string): unknown };
    const config = yaml.load(fs.readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, boolean>; asar?: boolean };
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).not.toBe(false);
  });
});

describe('IPC (checklist 17, 20)', () => {
  it('answers the engine channel only from the main page served over app://', async () => {
    const handler = r.ipcHandlers.get('neurowire:call')!;
    for (const url of ['https://example.com/', `file://${path.join(repo, 'renderer/index.html')}`, 'app://neurowire/compute.html', 'app://elsewhere/index.html', '']) {
      expect(await handler({ senderFrame: { url } }, 'templates.list', {}), url).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await handler({ senderFrame: null }, 'templates.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await handler({ senderFrame: { url: 'app://neurowire/index.html' } }, 'shell.exec', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });
});
