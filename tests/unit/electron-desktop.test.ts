import { beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { ElectronRecorder, FakeBrowserWindow } from './electron-stand-in';
import { restoreWindowState, DEFAULT_WINDOW_STATE, MIN_WIDTH } from '../../electron/windowState';
import { attachUnsavedChangesGuard } from '../../renderer/src/desktop';

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
  return electronStandIn(rec.current);
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
let r: ElectronRecorder;
let win: FakeBrowserWindow;

beforeAll(async () => {
  await import('../../electron/main');
  await settle();
  r = rec.current!;
  win = r.windows[0];
});

type MenuItem = { label?: string; role?: string; submenu?: MenuItem[]; click?: () => void; accelerator?: string };

describe('menus', () => {
  it('has File (New, Open, Save, Save As, Export), Edit, View and Help menus; File items send the renderer its own actions', () => {
    const menus = r.menuTemplate as MenuItem[];
    const file = menus.find((m) => m.label === 'File')!;
    expect(file.submenu!.filter((i) => i.label).map((i) => i.label)).toEqual(['New', 'Open…', 'Save', 'Save As…', 'Export Trained Model…']);
    expect(menus.some((m) => m.label === 'Edit')).toBe(true);
    expect(menus.some((m) => m.role === 'viewMenu')).toBe(true);
    expect(menus.some((m) => m.role === 'help')).toBe(true);
    win.webContents.sent.length = 0;
    for (const item of file.submenu!.filter((i) => i.click)) item.click!();
    expect(win.webContents.sent).toEqual(['new', 'open', 'save', 'saveAs', 'export'].map((a) => ['neurowire:event', 'menu', a]));
  });
});

describe('one instance', () => {
  it('a second launch focuses the window and opens the project file it was given', async () => {
    const { projectFileArgument } = await import('../../electron/main');
    expect(r.quitCalls).toBe(0);
    const focusedBefore = win.focused;
    win.webContents.sent.length = 0;
    for (const fn of r.appListeners.get('second-instance') ?? []) fn({}, ['/opt/neurowire', '--inspect=0', 'models/mnist.json'], '/home/ada');
    expect(win.focused).toBe(focusedBefore + 1);
    expect(win.webContents.sent).toEqual([['neurowire:event', 'menu', { action: 'openPath', path: path.resolve('/home/ada', 'models/mnist.json') }]]);
    // No file: only the focus.
    for (const fn of r.appListeners.get('second-instance') ?? []) fn({}, ['/opt/neurowire'], '/home/ada');
    expect(win.webContents.sent).toHaveLength(1);
    expect(projectFileArgument(['/opt/neurowire', '.', 'a.txt', '--x.json'], '/w')).toBeNull();
  });

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
