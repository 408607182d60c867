import type { Session, WebContents, WebPreferences } from 'electron';

/**
 * The desktop shell's security settings in one place (docs/security.md maps each of Electron's checklist
 * items to the line here that implements it). Nothing in this module imports Electron at run time, so the
 * tests check it with stand-ins.
 */

/**
 * The only sites a link may open, in the system browser (https only, exact host names). Everything else a
 * page tries to open is dropped. Add a host here, and only here, when the UI gains a link to it.
 */
export const EXTERNAL_HOSTS: readonly string[] = [
  'js.tensorflow.org', // TensorFlow.js API reference
  'www.tensorflow.org', // TensorFlow.js guides and tutorials (tensorflow.org/js)
];

/** Links the Help menu opens (each must pass isAllowedExternalUrl; a test checks). */
export const HELP_LINKS: readonly { label: string; url: string }[] = [
  { label: 'TensorFlow.js API Reference', url: 'https://js.tensorflow.org/api/4.22.0/' },
  { label: 'TensorFlow.js Guides', url: 'https://www.tensorflow.org/js/guide' },
];

/** Whether `url` may be handed to shell.openExternal: parsed, https, no credentials or port, host on the list. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.port === '' && hosts.includes(parsed.hostname);
}

/**
 * Content-Security-Policy of every app:// page (sent as a response header; the pages' own meta tags add
 * theirs on top, and the browser enforces both). Why each source is there:
 * - script-src 'self': Vite's bundles only; no eval. tfjs needs no 'wasm-unsafe-eval' here: the pages train
 *   on WebGL / WebGPU, the wasm backend runs in Node (main/node/backend.ts), and long.js's optional i64 helper
 *   (inside tfjs-core) falls back to plain JavaScript when compiling WebAssembly is refused.
 * - style-src 'unsafe-inline': React Flow and Recharts position nodes and charts with style attributes.
 * - img-src data:: the page's empty favicon and inline SVG/PNG thumbnails.
 * - connect-src 'self': the desktop page talks to the engine over IPC, never the network.
 * - worker-src 'self': the editor's graph analysis runs in a worker from the app's own bundle.
 * - no frames, plugins, forms or <base>.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * webPreferences of every window the shell opens: isolated, sandboxed, no Node, web security on, no insecure
 * content, no experimental or Blink features, no <webview>. Callers add only a preload and harmless extras.
 */
export function secureWebPreferences(preload: string, extra: Pick<WebPreferences, 'backgroundThrottling'> = {}): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    ...extra,
  };
}

/** The session denies every permission request and check (camera, microphone, notifications, geolocation, HID, …). */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

export interface WebContentsPolicy {
  /** Whether `url` is one of the app's own pages (a webContents may only go to the own page it already shows). */
  isOwnPage(url: string): boolean;
  /** Opens an allowed link in the system browser (shell.openExternal in the app). */
  openExternal(url: string): void;
}

type NavigationEvent = { url?: string; preventDefault(): void };

/**
 * Every webContents (windows, and any frame or guest one may create): navigation, redirects, new windows and
 * <webview> tags are refused (the app is one page per window and never navigates; only a navigation to the
 * own page the webContents already shows may proceed); an https link to a listed host opens in the system
 * browser instead.
 */
export function hardenWebContents(contents: WebContents, policy: WebContentsPolicy): void {
  const guard = (event: NavigationEvent, url?: string) => {
    const target = event.url ?? url ?? '';
    if (!(policy.isOwnPage(target) && target === contents.getURL())) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', (event) => guard(event));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) policy.openExternal(url);
    return { action: 'deny' };
  });
}
