import { beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { ElectronRecorder, FakeBrowserWindow } from './electron-stand-in';
import { restoreWindowState, DEFAULT_WINDOW_STATE, MIN_WIDTH } from '../../electron/windowState';
import { attachUnsavedChangesGuard } from '../../renderer/src/desktop';
import { emptyProject } from '../../main/core/project';

/** The desktop shell's app behaviour (one instance, remembered window, unsaved-changes question, menus) with a stand-in Electron. */
const rec = vi.hoisted(() => ({ current: null as null | ElectronRecorder }));
const SAVED = { x: 100, y: 80, width: 1200, height: 700, maximized: false };

vi.mock('electron', async () => {
  const { electronStandIn, newRecorder } = await import('./electron-stand-in');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  rec.current = newRecorder();
  rec.current.userData = mkdtempSync(join(tmpdir(), 'nw-user-'));
  writeFileSync(join(rec.current.userData, 'window-state.json'), JSON.stringify({ x: 100, y: 80, width: 1200, height: 700, maximized: false }));
  // Open Recent from the last launch: one project still there.
  writeFileSync(join(rec.current.userData, 'earlier.neurowire'), '{}');
  writeFileSync(join(rec.current.userData, 'recent-projects.json'), JSON.stringify({ version: 1, projects: [{ path: join(rec.current.userData, 'earlier.neurowire'), openedMs: 1 }] }));
  return electronStandIn(rec.current);
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
let r: ElectronRecorder;
let win: FakeBrowserWindow;

beforeAll(async () => {
  // Started by a double-click on Windows or Linux: the file comes on the command line.
  const argv = process.argv;
  process.argv = [...argv, '--no-sandbox', 'launched/first.neurowire'];
  try {
    await import('../../electron/main');
  } finally {
    process.argv = argv;
  }
  await settle();
  r = rec.current!;
  win = r.windows[0];
});

type MenuItem = { label?: string; role?: string; submenu?: MenuItem[]; click?: () => void; accelerator?: string; enabled?: boolean; toolTip?: string };

const ownPage = { senderFrame: { url: 'app://neurowire/index.html' } };
/** A call from the page into the engine, through the shell's IPC handler. */
const call = (method: string, params: unknown = {}) => r.ipcHandlers.get('neurowire:call')!(ownPage, method, params) as Promise<{ ok: boolean; result?: unknown }>;
const takeOpenRequests = async () => ((await call('project.takeOpenRequests')).result as { paths: string[] }).paths;
const fileMenu = () => (r.menuTemplate as MenuItem[]).find((m) => m.label === 'File')!.submenu!;
const recentMenu = () => fileMenu().find((i) => i.label === 'Open Recent')!.submenu!;

describe('menus', () => {
  it('has File (New, Open, Open Recent, Save, Save As, Import, Export, Compare), Edit, View and Help menus; File items send the renderer its own actions', () => {
    const menus = r.menuTemplate as MenuItem[];
    const file = menus.find((m) => m.label === 'File')!;
    expect(file.submenu!.filter((i) => i.label).map((i) => i.label)).toEqual(['New', 'Open…', 'Open Recent', 'Save', 'Save As…', 'Import Model…', 'Export Trained Model…', 'Compare…']);
    expect(menus.some((m) => m.label === 'Edit')).toBe(true);
    expect(menus.some((m) => m.role === 'viewMenu')).toBe(true);
    expect(menus.some((m) => m.role === 'help')).toBe(true);
    win.webContents.sent.length = 0;
    for (const item of file.submenu!.filter((i) => i.click && i.label !== 'Import Model…')) item.click!();
    expect(win.webContents.sent).toEqual(['new', 'open', 'save', 'saveAs', 'export', 'compare'].map((a) => ['neurowire:event', 'menu', a]));
  });

  it('File → Import Model… hands the path of the model picked in the system dialog to the page', async () => {
    const file = path.resolve(__dirname, '../fixtures/import/sequential-mlp.json');
    const importItem = fileMenu().find((i) => i.label === 'Import Model…')!;
    win.webContents.sent.length = 0;
    r.nextOpenDialogPath = file;
    importItem.click!();
    await vi.waitFor(() => expect(win.webContents.sent).toHaveLength(1));
    expect(win.webContents.sent[0]).toEqual(['neurowire:event', 'importModel', { name: 'sequential-mlp.json', path: file }]);
    // Cancelled: nothing happens.
    win.webContents.sent.length = 0;
    r.nextOpenDialogPath = null;
    importItem.click!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(win.webContents.sent).toEqual([]);
  });
});

describe('opening a project from outside the page', () => {
  it('a file on the command line of the first launch waits in the engine until the page takes it', async () => {
    expect(await takeOpenRequests()).toEqual([path.resolve('launched/first.neurowire')]);
    expect(await takeOpenRequests()).toEqual([]);
  });

  it('a second launch focuses the window and hands its file to the engine, which tells the page', async () => {
    expect(r.quitCalls).toBe(0);
    const focusedBefore = win.focused;
    win.webContents.sent.length = 0;
    for (const fn of r.appListeners.get('second-instance') ?? []) fn({}, ['/opt/neurowire', '--inspect=0', 'models/mnist.neurowire'], '/home/ada');
    expect(win.focused).toBe(focusedBefore + 1);
    expect(win.webContents.sent).toEqual([['neurowire:event', 'openRequested', { count: 1 }]]);
    expect(await takeOpenRequests()).toEqual([path.resolve('/home/ada', 'models/mnist.neurowire')]);
    // No file: only the focus.
    for (const fn of r.appListeners.get('second-instance') ?? []) fn({}, ['/opt/neurowire'], '/home/ada');
    expect(win.focused).toBe(focusedBefore + 2);
    expect(await takeOpenRequests()).toEqual([]);
  });

  it("macOS's open-file (a double-click in Finder) is taken from the system and queued the same way", async () => {
    expect(r.appEventsBeforeReady.has('open-file')).toBe(true);
    let prevented = false;
    for (const fn of r.appListeners.get('open-file') ?? []) fn({ preventDefault: () => (prevented = true) }, '/Users/ada/net.neurowire');
    expect(prevented).toBe(true);
    expect(await takeOpenRequests()).toEqual(['/Users/ada/net.neurowire']);
  });

  it('the project extension is associated with the app, and the open dialog offers it and .json', () => {
    const builder = fs.readFileSync(path.resolve(__dirname, '../../electron-builder.yml'), 'utf8');
    expect(builder).toMatch(/fileAssociations:\s*\n\s*- ext: neurowire\b/);
    expect(fs.readFileSync(path.resolve(__dirname, '../../electron/main.ts'), 'utf8')).toContain("extensions: ['neurowire', 'json']");
  });
});

describe('Open Recent', () => {
  it('lists what the last launch left, adds what is opened or saved (and tells the system), opens through the engine, and clears', async () => {
    const earlier = path.join(r.userData, 'earlier.neurowire');
    expect(recentMenu().filter((i) => i.click && i.label !== 'Clear Menu').map((i) => i.toolTip)).toEqual([earlier]);
    const saved = path.join(r.userData, 'net.neurowire');
    expect(await call('project.save', { path: saved, project: emptyProject('Net') })).toMatchObject({ ok: true });
    expect(recentMenu().filter((i) => i.toolTip).map((i) => i.label)).toEqual(['net.neurowire', 'earlier.neurowire']);
    expect(r.recentDocuments.at(-1)).toBe(saved);
    recentMenu()[1].click!();
    expect(await takeOpenRequests()).toEqual([earlier]);
    recentMenu().find((i) => i.label === 'Clear Menu')!.click!();
    await settle();
    expect(recentMenu().map((i) => i.label)).toEqual(['No Recent Projects', undefined, 'Clear Menu']);
    expect(recentMenu().find((i) => i.label === 'Clear Menu')!.enabled).toBe(false);
    expect(r.recentDocuments).toEqual([]);
  });
});

describe('one instance', () => {
  it('quits at once, without a window, when another instance holds the lock', async () => {
    // The shell's module again, as a second process would run it (the stand-in Electron stays the same).
    const windowsBefore = r.windows.length;
    r.singleInstanceLock = false;
    r.ipcHandlers.clear();
    vi.resetModules();
    await import('../../electron/main');
    await settle();
    expect(r.quitCalls).toBe(1);
    expect(r.windows).toHaveLength(windowsBefore);
    expect(r.ipcHandlers.size).toBe(0);
  });
});

describe('window size and position', () => {
  it('opens where it was last closed, and saves its bounds when it closes', () => {
    expect(win.options).toMatchObject({ x: SAVED.x, y: SAVED.y, width: SAVED.width, height: SAVED.height });
    win.bounds = { x: 30, y: 40, width: 1000, height: 650 };
    win.maximized = true;
    win.fire('close');
    expect(JSON.parse(fs.readFileSync(path.join(r.userData, 'window-state.json'), 'utf8'))).toEqual({ x: 30, y: 40, width: 1000, height: 650, maximized: true });
  });

  it('drops a position that is off every display, and shrinks a size that no longer fits', () => {
    const display = { x: 0, y: 0, width: 1280, height: 800 };
    expect(restoreWindowState({ x: 3000, y: 100, width: 1000, height: 700, maximized: false }, [display])).toEqual({ width: 1000, height: 700, maximized: false });
    expect(restoreWindowState({ x: 100, y: -500, width: 1000, height: 700 }, [display])).toEqual({ width: 1000, height: 700, maximized: false });
    expect(restoreWindowState({ x: 10, y: 10, width: 2500, height: 1600 }, [display])).toEqual({ x: 10, y: 10, width: 1280, height: 800, maximized: false });
    expect(restoreWindowState({ x: 2000, y: 50, width: 900, height: 600, maximized: true }, [display, { x: 1280, y: 0, width: 1920, height: 1080 }])).toEqual({ x: 2000, y: 50, width: 900, height: 600, maximized: true });
    expect(restoreWindowState({ width: 10, height: 10 }, [display])).toMatchObject({ width: MIN_WIDTH });
    for (const broken of [null, 'x', { width: 'wide', height: 500 }, { width: NaN, height: 500 }]) expect(restoreWindowState(broken, [display])).toEqual(DEFAULT_WINDOW_STATE);
  });
});

describe('unsaved changes', () => {
  it('the page cancels unload only while the document is dirty', () => {
    const page = new EventTarget();
    let dirty = true;
    const detach = attachUnsavedChangesGuard(page, () => dirty);
    const fire = () => {
      const event = new Event('beforeunload', { cancelable: true });
      page.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(fire()).toBe(true);
    dirty = false;
    expect(fire()).toBe(false);
    dirty = true;
    detach();
    expect(fire()).toBe(false);
  });

  it('the shell asks, and lets the window close only on Discard', () => {
    r.messageBoxes.length = 0;
    r.nextMessageBoxAnswer = 0; // Cancel
    expect(win.webContents.fire('will-prevent-unload')).toBe(false);
    r.nextMessageBoxAnswer = 1; // Discard Changes
    expect(win.webContents.fire('will-prevent-unload')).toBe(true);
    expect(r.messageBoxes).toHaveLength(2);
    expect(r.messageBoxes[0].options).toMatchObject({ buttons: ['Cancel', 'Discard Changes'], cancelId: 0, defaultId: 0 });
  });
});
