import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import path from 'node:path';
import { Engine, EngineError } from '../main/node/engine';
import { projectFileArgument } from '../main/node/projectFiles';
import { RECENT_FILE } from '../main/node/recentProjects';
import type { RecentProject } from '../main/core/api/contract';
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
  recentProjectsFile: path.join(app.getPath('userData'), RECENT_FILE),
  async pickPath(purpose, defaultPath) {
    if (!mainWindow) return null;
    // .json: projects saved before .neurowire (main/core/projectFile.ts).
    const filters = [{ name: 'Neurowire project', extensions: ['neurowire', 'json'] }];
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

/**
 * A project file to open from outside the page (double-click, command line, second launch, Open Recent): the
 * engine holds it until the page takes it, so it also works before the window exists or has loaded.
 */
function openFromOutside(file: string): void {
  engine.requestOpen(file);
  if (!mainWindow) {
    if (app.isReady()) createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

/** File → Open Recent, from the engine's list (main/node/recentProjects.ts); rebuilt when it changes. */
let recentProjects: readonly RecentProject[] = [];
function showRecentProjects(projects: readonly RecentProject[]): void {
  // The system's own list (Dock, Jump List) too: newest first.
  if (projects[0] && projects[0].path !== recentProjects[0]?.path) app.addRecentDocument(projects[0].path);
  recentProjects = projects;
  buildMenu();
}

function recentMenu() {
  const items = recentProjects.map((p) => ({ label: p.name, toolTip: p.path, click: () => openFromOutside(p.path) }));
  return [
    ...(items.length ? items : [{ label: 'No Recent Projects', enabled: false }]),
    { type: 'separator' as const },
    {
      label: 'Clear Menu',
      enabled: items.length > 0,
      click: () =>
        void engine.recent.clear().then((projects) => {
          app.clearRecentDocuments();
          showRecentProjects(projects);
        }),
    },
  ];
}

/** Menu items send the same actions as the toolbar; the renderer handles them. */
function menuAction(action: string) {
  return () => mainWindow?.webContents.send(EVENT, 'menu', action);
}

/**
 * File → Import Model…: the person picks a Keras or TensorFlow.js model (model.json, .h5, .keras) in the system
 * dialog; its path goes to the page, which has the engine import it with the weights beside it (nothing here parses).
 */
async function importModelFromDialog(): Promise<void> {
  if (!mainWindow) return;
  const r = await dialog.showOpenDialog(mainWindow, {
    title: 'Import a Keras or TensorFlow.js model',
    filters: [{ name: 'Model (model.json, .h5, .keras)', extensions: ['json', 'h5', 'hdf5', 'keras'] }],
    properties: ['openFile'],
  });
  const file = r.filePaths[0];
  if (r.canceled || !file) return;
  mainWindow.webContents.send(EVENT, 'importModel', { name: path.basename(file), path: file });
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
          { label: 'Open Recent', submenu: recentMenu() },
          { type: 'separator' },
          { label: 'Save', accelerator: 'CmdOrCtrl+S', click: menuAction('save') },
          { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: menuAction('saveAs') },
          { type: 'separator' },
          { label: 'Import Model…', accelerator: 'CmdOrCtrl+I', click: () => void importModelFromDialog() },
          { label: 'Export Trained Model…', accelerator: 'CmdOrCtrl+E', click: menuAction('export') },
          { label: 'Compare…', click: menuAction('compare') },
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
  const file = projectFileArgument(argv, workingDirectory);
  if (file) openFromOutside(file);
  else if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});
// macOS hands a double-clicked file to the running app this way, also before 'ready' when it starts the app for it.
app.on('open-file', (event, file) => {
  event.preventDefault();
  openFromOutside(file);
});
// Windows and Linux start the app with the double-clicked file on its command line.
const fileAtLaunch = isPrimaryInstance ? projectFileArgument(process.argv, process.cwd()) : null;
if (fileAtLaunch) engine.requestOpen(fileAtLaunch);

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
  engine.onEvent((name, payload) => {
    if (name === 'recentChanged') showRecentProjects((payload as { projects: RecentProject[] }).projects);
    mainWindow?.webContents.send(EVENT, name, payload);
  });
  buildMenu();
  void engine.recent.list().then(showRecentProjects);
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
