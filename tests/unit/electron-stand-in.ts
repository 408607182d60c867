import { vi } from 'vitest';

/**
 * A stand-in for the `electron` module (its binary is not installed on CI machines): it records what the
 * desktop shell configures, and lets a test fire the events Electron would (navigation, window.open,
 * permission requests, protocol requests). Use inside vi.mock('electron', …) with a vi.hoisted recorder.
 */

type Listener = (...args: unknown[]) => unknown;

export class FakeWebContents {
  readonly listeners = new Map<string, Listener[]>();
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: unknown[][] = [];
  readonly mainFrame = { url: '' };
  on(name: string, fn: Listener) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }
  once(name: string, fn: Listener) {
    return this.on(name, fn);
  }
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = fn;
  }
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  postMessage() {}
  focus() {}
  getURL() {
    return this.mainFrame.url;
  }
  /** Fires a navigation-style event; returns whether some listener called preventDefault. */
  fireNavigation(name: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' | 'will-attach-webview', url: string): boolean {
    let prevented = false;
    const event = { url, preventDefault: () => (prevented = true) };
    for (const fn of this.listeners.get(name) ?? []) fn(event, url);
    return prevented;
  }
  /** Fires an event with a preventable Event first and the given arguments after it. */
  fire(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    const event = { preventDefault: () => (prevented = true) };
    for (const fn of this.listeners.get(name) ?? []) fn(event, ...args);
    return prevented;
  }
}

export interface ElectronRecorder {
  windows: FakeBrowserWindow[];
  appListeners: Map<string, Listener[]>;
  readyFired: boolean;
  privilegedSchemes: { schemes: unknown[]; beforeReady: boolean }[];
  protocolHandlers: Map<string, { handler: (req: Request) => Promise<Response>; afterReady: boolean }>;
  permissionRequestHandler: Listener | null;
  permissionCheckHandler: Listener | null;
  devicePermissionHandler: Listener | null;
  ipcHandlers: Map<string, Listener>;
  ipcListeners: Map<string, Listener>;
  openedExternally: string[];
  menuTemplate: unknown[] | null;
  exposed: Record<string, unknown> | null;
  messageBoxes: { options: Record<string, unknown>; answer: number }[];
  /** Answer the next dialog.showMessageBox(Sync) with this button index. */
  nextMessageBoxAnswer: number;
  /** The file dialog.showOpenDialog answers with; null: cancelled. */
  nextOpenDialogPath: string | null;
  singleInstanceLock: boolean;
  userData: string;
  displays: { workArea: { x: number; y: number; width: number; height: number } }[];
  quitCalls: number;
  /** What the shell handed app.addRecentDocument (the system's recent list), in order; cleared by clearRecentDocuments. */
  recentDocuments: string[];
  /** App events the shell listened to before 'ready' (macOS sends open-file that early when a double-click starts the app). */
  appEventsBeforeReady: Set<string>;
}

export interface FakeBrowserWindow {
  options: Record<string, unknown>;
  webContents: FakeWebContents;
  loadedUrls: string[];
  loadedFiles: string[];
  listeners: Map<string, Listener[]>;
  bounds: { x: number; y: number; width: number; height: number };
  maximized: boolean;
  destroyed: boolean;
  focused: number;
  fire(name: string, ...args: unknown[]): boolean;
}

export function newRecorder(): ElectronRecorder {
  return {
    windows: [],
    appListeners: new Map(),
    readyFired: false,
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    devicePermissionHandler: null,
    ipcHandlers: new Map(),
    ipcListeners: new Map(),
    openedExternally: [],
    menuTemplate: null,
    exposed: null,
    messageBoxes: [],
    nextMessageBoxAnswer: 0,
    nextOpenDialogPath: null,
    singleInstanceLock: true,
    userData: '/nonexistent-user-data',
    displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    quitCalls: 0,
    recentDocuments: [],
    appEventsBeforeReady: new Set(),
  };
}

/** The module object to return from vi.mock('electron', …). */
export function electronStandIn(rec: ElectronRecorder): Record<string, unknown> {
  const fireApp = (name: string, ...args: unknown[]) => {
    for (const fn of rec.appListeners.get(name) ?? []) fn(...args);
  };
  // 'ready' comes once the shell's module code has run (the first whenReady() call starts it), as in Electron.
  let ready: Promise<void> | null = null;
  const whenReady = () =>
    (ready ??= Promise.resolve().then(() => {
      rec.readyFired = true;
    }));

  class BrowserWindow implements FakeBrowserWindow {
    options: Record<string, unknown>;
    webContents = new FakeWebContents();
    loadedUrls: string[] = [];
    loadedFiles: string[] = [];
    listeners = new Map<string, Listener[]>();
    bounds: { x: number; y: number; width: number; height: number };
    maximized = false;
    destroyed = false;
    focused = 0;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      const o = options as { x?: number; y?: number; width?: number; height?: number };
      this.bounds = { x: o.x ?? 0, y: o.y ?? 0, width: o.width ?? 800, height: o.height ?? 600 };
      rec.windows.push(this);
      // Electron announces every new webContents on the app.
      fireApp('web-contents-created', {}, this.webContents);
    }
    loadURL = vi.fn(async (url: string) => {
      this.loadedUrls.push(url);
      this.webContents.mainFrame.url = url;
    });
    loadFile = vi.fn(async (file: string) => {
      this.loadedFiles.push(file);
    });
    on(name: string, fn: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? [])].concat(fn));
      return this;
    }
    once(name: string, fn: Listener) {
      return this.on(name, fn);
    }
    fire(name: string, ...args: unknown[]): boolean {
      let prevented = false;
      const event = { preventDefault: () => (prevented = true) };
      for (const fn of this.listeners.get(name) ?? []) fn(event, ...args);
      return prevented;
    }
    getNormalBounds() {
      return { ...this.bounds };
    }
    getBounds() {
      return { ...this.bounds };
    }
    isMaximized() {
      return this.maximized;
    }
    maximize() {
      this.maximized = true;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    show() {}
    focus() {
      this.focused++;
    }
    close() {
      this.fire('close');
    }
    destroy() {
      this.destroyed = true;
    }
    isDestroyed() {
      return this.destroyed;
    }
    static getAllWindows = () => rec.windows.filter((w) => !w.destroyed);
  }

  return {
    app: {
      whenReady,
      on: (name: string, fn: Listener) => {
        if (!rec.readyFired) rec.appEventsBeforeReady.add(name);
        rec.appListeners.set(name, [...(rec.appListeners.get(name) ?? []), fn]);
      },
      requestSingleInstanceLock: () => rec.singleInstanceLock,
      quit: () => rec.quitCalls++,
      exit: () => rec.quitCalls++,
      getPath: () => rec.userData,
      isReady: () => rec.readyFired,
      addRecentDocument: (file: string) => rec.recentDocuments.push(file),
      clearRecentDocuments: () => (rec.recentDocuments.length = 0),
      isPackaged: false,
    },
    BrowserWindow,
    MessageChannelMain: class {
      port1 = { on() {}, start() {}, postMessage() {} };
      port2 = {};
    },
    dialog: {
      showOpenDialog: async () => {
        const file = rec.nextOpenDialogPath;
        return file ? { canceled: false, filePaths: [file] } : { canceled: true, filePaths: [] };
      },
      showMessageBoxSync: (_win: unknown, options: Record<string, unknown>) => {
        rec.messageBoxes.push({ options, answer: rec.nextMessageBoxAnswer });
        return rec.nextMessageBoxAnswer;
      },
      showMessageBox: async (_win: unknown, options: Record<string, unknown>) => {
        rec.messageBoxes.push({ options, answer: rec.nextMessageBoxAnswer });
        return { response: rec.nextMessageBoxAnswer, checkboxChecked: false };
      },
    },
    shell: { openExternal: async (url: string) => void rec.openedExternally.push(url) },
    Menu: {
      setApplicationMenu: () => undefined,
      buildFromTemplate: (template: unknown[]) => {
        rec.menuTemplate = template;
        return {};
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => rec.privilegedSchemes.push({ schemes, beforeReady: !rec.readyFired }),
      handle: (scheme: string, handler: (req: Request) => Promise<Response>) => rec.protocolHandlers.set(scheme, { handler, afterReady: rec.readyFired }),
    },
    screen: { getAllDisplays: () => rec.displays },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (rec.permissionRequestHandler = fn),
        setPermissionCheckHandler: (fn: Listener) => (rec.permissionCheckHandler = fn),
        setDevicePermissionHandler: (fn: Listener) => (rec.devicePermissionHandler = fn),
        webRequest: { onHeadersReceived: () => undefined },
      },
    },
    ipcMain: {
      handle: (channel: string, fn: Listener) => rec.ipcHandlers.set(channel, fn),
      on: (channel: string, fn: Listener) => rec.ipcListeners.set(channel, fn),
    },
    contextBridge: { exposeInMainWorld: (_key: string, api: Record<string, unknown>) => (rec.exposed = api) },
    ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn(), send: vi.fn() },
    webUtils: { getPathForFile: (file: File) => `/dropped/${file.name}` },
  };
}
