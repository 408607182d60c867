import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import path from 'node:path';
import { Engine, EngineError } from '../main/node/engine';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appUrl, createAppProtocolHandler, isAppPage } from './appProtocol';
import { createComputeHost } from './computeWindow';
import { denyAllPermissions, hardenWebContents, HELP_LINKS, isAllowedExternalUrl, secureWebPreferences } from './security';
import { loadWindowState, MIN_HEIGHT, MIN_WIDTH, saveWindowState } from './windowState';

/** Thin desktop shell: a window, the preload bridge and IPC into the same Engine the server uses. */
const CALL = 'neurowire:call';
const EVENT = 'neurowire:event';

/** The built renderer (dist/renderer), served as app://neurowire/… (electron/appProtocol.ts). */
const rendererRoot = path.resolve(__dirname, '../renderer');
const MAIN_PAGE = 'index.html';
const COMPUTE_PAGE = 'compute.html';
const isOwnPage = (url: string) => isAppPage(url, MAIN_PAGE) || isAppPage(url, COMPUTE_PAGE);

// Electron only grants a scheme its privileges when registered before 'ready'.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

/** Opens a link in the system browser, only for the allow-listed https hosts (electron/security.ts). */
function openExternalIfAllowed(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
}

// Every webContents the app ever creates (both windows, any frame or guest) gets the navigation guards.
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { isOwnPage, openExternal: openExternalIfAllowed }));

let mainWindow: BrowserWindow | null = null;

// Hidden GPU compute window (WebGPU / WebGL), created on first use: "GPU without CUDA".
const computeHost = createComputeHost({ pageUrl: appUrl(COMPUTE_PAGE), preloadPath: path.join(__dirname, 'compute-preload.js') });

const engine = new Engine({
  host: 'electron',
  computeHost,
  async pickPath(purpose, defaultPath) {
    if (!mainWindow) return null;
    const filters = [{ name: 'Neurowire project', extensions: ['json'] }];
    if (purpose === 'openProject') {
      const r = await dialog.showOpenDialog(mainWindow, { defaultPath, filters, properties: ['openFile'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    }
    if (purpose === 'saveProject') {
      const r = await dialog.showSaveDialog(mainWindow, { defaultPath, filters });
      return r.canceled ? null : (r.filePath ?? null);
    }
    if (purpose === 'dataFile') {
      const dataFilters = [
        { name: 'Tables (CSV, TSV)', extensions: ['csv', 'tsv', 'txt'] },
        { name: 'All files', extensions: ['*'] },
      ];
      const r = await dialog.showOpenDialog(mainWindow, { defaultPath, filters: dataFilters, properties: ['openFile'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    }
    if (purpose === 'dataFolder') {
      const r = await dialog.showOpenDialog(mainWindow, { defaultPath, properties: ['openDirectory'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    }
    const r = await dialog.showOpenDialog(mainWindow, { defaultPath, properties: ['openDirectory', 'createDirectory'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
});

/** A project file named on the command line of a second launch (`neurowire model.json`), resolved against its folder. */
export function projectFileArgument(argv: readonly string[], workingDirectory: string): string | null {
  const file = argv.slice(1).filter((a) => !a.startsWith('-') && /\.json$/i.test(a)).at(-1);
  return file ? path.resolve(workingDirectory, file) : null;
}

/**
 * Asks before the page unloads with unsaved changes (window close, quit, reload): the page answers through
 * beforeunload (renderer/src/desktop.ts), Electron reports it here, and preventDefault lets the unload go on.
 */
function confirmDiscardChanges(win: BrowserWindow, event: { preventDefault(): void }): void {
  const choice = dialog.showMessageBoxSync(win, {
    type: 'warning',
    buttons: ['Cancel', 'Discard Changes'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
    message: 'This project has unsaved changes.',
    detail: 'Discard them and close? To keep them, choose Cancel, then File → Save.',
  });
  if (choice === 1) event.preventDefault();
}

function createWindow(): void {
  const userData = app.getPath('userData');
  const state = loadWindowState(userData, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...state,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'Neurowire',
    webPreferences: secureWebPreferences(path.join(__dirname, 'preload.js')),
  });
  mainWindow = win;
  if (state.maximized) win.maximize();
  win.webContents.on('will-prevent-unload', (event) => confirmDiscardChanges(win, event));
  void win.loadURL(appUrl(MAIN_PAGE));
  win.on('close', () => saveWindowState(userData, win.getNormalBounds(), win.isMaximized()));
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
    computeHost.dispose(); // else the hidden window keeps the app alive
  });
}

/** Menu items send the same actions as the toolbar; the renderer handles them. */
function menuAction(action: string) {
  return () => mainWindow?.webContents.send(EVENT, 'menu', action);
}

function buildMenu(): void {
  const isMac = process.platform === 'darwin';
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(isMac ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          { label: 'New', accelerator: 'CmdOrCtrl+N', click: menuAction('new') },
          { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: menuAction('open') },
          { type: 'separator' },
          { label: 'Save', accelerator: 'CmdOrCtrl+S', click: menuAction('save') },
          { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: menuAction('saveAs') },
          { type: 'separator' },
          { label: 'Export Trained Model…', accelerator: 'CmdOrCtrl+E', click: menuAction('export') },
          { type: 'separator' },
          isMac ? { role: 'close' } : { role: 'quit' },
        ],
      },
      {
        label: 'Edit',
        submenu: [
          // The page handles these keys itself (text fields keep their own undo), so the menu only shows them.
          { label: 'Undo', accelerator: 'CmdOrCtrl+Z', registerAccelerator: false, click: menuAction('undo') },
          { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', registerAccelerator: false, click: menuAction('redo') },
          { type: 'separator' },
          { role: 'cut' },
          { role: 'copy' },
          { role: 'paste' },
        ],
      },
      {
        label: 'Training',
        submenu: [
          { label: 'Train', accelerator: 'CmdOrCtrl+Enter', click: menuAction('train') },
          { label: 'Stop', accelerator: 'CmdOrCtrl+.', click: menuAction('stop') },
        ],
      },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      {
        role: 'help',
        submenu: HELP_LINKS.map(({ label, url }) => ({ label, click: () => openExternalIfAllowed(url) })),
      },
    ]),
  );
}

// One app at a time: a second launch hands its file argument to the first and quits.
const isPrimaryInstance = app.requestSingleInstanceLock();
if (!isPrimaryInstance) app.quit();
app.on('second-instance', (_event, argv, workingDirectory) => {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
  const file = projectFileArgument(argv, workingDirectory);
  if (file) mainWindow.webContents.send(EVENT, 'menu', { action: 'openPath', path: file });
});

app.whenReady().then(() => {
  if (!isPrimaryInstance) return;
  // The pages, with the CSP header, from the built renderer folder only (path traversal refused).
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: rendererRoot }));
  denyAllPermissions(session.defaultSession);
  ipcMain.handle(CALL, async (event, method: unknown, params: unknown) => {
    // Only our own page may call the engine.
    if (!isAppPage(event.senderFrame?.url ?? '', MAIN_PAGE)) return { ok: false, error: { message: 'Call from an unknown page refused.', code: 'forbidden' } };
    if (typeof method !== 'string') return { ok: false, error: { message: 'Bad call.', code: 'bad_message' } };
    try {
      return { ok: true, result: await engine.dispatch(method, params) };
    } catch (e) {
      return { ok: false, error: { message: (e as Error).message, code: e instanceof EngineError ? e.code : 'failed' } };
    }
  });
  engine.onEvent((name, payload) => mainWindow?.webContents.send(EVENT, name, payload));
  buildMenu();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// After every window has closed (a Cancel in the unsaved-changes question stops the quit before this).
app.on('will-quit', () => {
  computeHost.dispose();
  void engine.dispose();
});
