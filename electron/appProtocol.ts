import { promises as fsPromises } from 'node:fs';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { CONTENT_SECURITY_POLICY } from './security';

/**
 * The app's pages come from app://neurowire/<file>, served out of the built renderer folder (dist/renderer)
 * by a protocol handler, instead of file:// (which would let a page read any file on the disk). The handler
 * answers GET requests for files inside that folder only; anything else gets an error status.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'neurowire';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The URL of one of the built pages, e.g. appUrl('index.html'). */
export function appUrl(page: string): string {
  return `${APP_ORIGIN}/${page}`;
}

/**
 * Registered before the app is ready (Electron's rule). standard: relative URLs and a real origin, so 'self'
 * in the CSP means this app; secure: a secure context (WebGPU needs one); supportFetchAPI and corsEnabled:
 * Vite's `<script type="module" crossorigin>` and its chunk imports are CORS-mode fetches. Not bypassCSP.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file under `root` that `url` names, or null when the URL is not an app:// URL of this app or its path
 * leaves `root` (`..`, encoded `%2e%2e` or `%2f`, backslashes on Windows, NUL bytes, absolute paths).
 * `paths` is the platform's path module (tests pass path.win32 to check Windows separators on any machine).
 */
export function resolveAppPath(root: string, url: string, paths: path.PlatformPath = path): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.hostname !== APP_HOST || parsed.port !== '' || parsed.username !== '') return null;
  let relative: string;
  try {
    relative = decodeURIComponent(parsed.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (relative.includes('\0')) return null;
  if (relative === '/' || relative === '') relative = '/index.html';
  const base = paths.resolve(root);
  const file = paths.resolve(base, '.' + relative);
  const inside = paths.relative(base, file);
  if (inside === '' || inside === '..' || inside.startsWith('..' + paths.sep) || paths.isAbsolute(inside)) return null;
  return file;
}

export interface AppProtocolOptions {
  /** The built renderer folder (dist/renderer). */
  root: string;
  /** Reads a file (fs.promises.readFile in the app; Electron's fs reads inside app.asar too). */
  readFile?: (file: string) => Promise<Uint8Array>;
}

/** The protocol.handle handler for app://: the file's bytes with its content type and the app's CSP. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const readFile = options.readFile ?? ((file: string) => fsPromises.readFile(file));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405 });
    const file = resolveAppPath(options.root, request.url);
    if (!file) return new Response('Forbidden', { status: 403 });
    let body: Uint8Array;
    try {
      body = await readFile(file);
    } catch {
      return new Response('Not found', { status: 404 });
    }
    const headers = {
      'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    };
    return new Response(request.method === 'HEAD' ? null : (body as BodyInit), { status: 200, headers });
  };
}

/** Whether a frame's URL is the given app page (no query; the SPA never navigates). */
export function isAppPage(url: string, page: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.hostname === APP_HOST && parsed.pathname === `/${page}` && parsed.search === '';
  } catch {
    return false;
  }
}
