/**
 * The Node side of the browser GPU backends: bundles bench/gpu/page.ts with Vite (the build the renderer uses,
 * so renderer/src/compute/gpu.ts works as in the app), serves it on 127.0.0.1 (WebGPU needs a secure context)
 * and runs one (backend, model) per fresh Chromium, so that its peak memory belongs to that run alone.
 * The bench's parent process only builds (in a Vite child process) and spawns: a child inherits its parent's
 * peak RSS on Linux, so the parent stays as small as before for the other backends' figures.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ModelName, Plan } from '../models';
import type { GpuBackendName, GpuRunOutcome } from './page';

export type { GpuBackendName };
export const GPU_BACKENDS: GpuBackendName[] = ['webgl', 'webgpu'];

const ROOT = path.resolve(__dirname, '../..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

export interface GpuPage {
  url: string;
  close(): Promise<void>;
}

/** Builds the page into a new temporary folder (bench/gpu/vite.config.mts) and returns it; throws with Vite's error. */
export function buildGpuPage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurowire-bench-gpu-'));
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', path.join(ROOT, 'bench/gpu/vite.config.mts'), '--outDir', dir], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(((r.stderr ?? '') + (r.stdout ?? '')).trim().split('\n').slice(-1)[0] || `vite exited with ${r.status}`);
  }
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Neurowire bench</title><script type="module" src="./page.js"></script>\n');
  return dir;
}

/** Serves a built page folder on 127.0.0.1; `close` stops the server (the folder stays). */
export async function serveGpuPage(dir: string): Promise<GpuPage> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sum of the peak resident sets (VmHWM) of a process and its descendants, in MB; null off Linux. */
function treePeakRssMB(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The parent pid is the 2nd field after the command, which is in parentheses and may hold spaces.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* the process ended meanwhile */
    }
  }
  let kb = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop() as number;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      /* gone */
    }
    todo.push(...(children.get(p) ?? []));
  }
  return kb / 1024;
}

export interface ChromiumRun {
  outcome: GpuRunOutcome;
  /** Peak RSS of all of this Chromium's processes together (browser, GPU, renderer…). */
  peakRssMB: number | null;
}

/**
 * One (backend, model) in a fresh Chromium. Never throws: a browser that does not start, a page error or
 * a run past `capSec` comes back as a failed outcome with its reason.
 */
export async function runInChromium(page: GpuPage, backend: GpuBackendName, model: ModelName, plan: Plan, capSec: number): Promise<ChromiumRun> {
  // Loaded here only: the bench's parent process, which imports this module to build, stays without Playwright.
  const [{ chromium }, { default: config }] = await Promise.all([import('@playwright/test'), import('../../playwright.config')]);
  const base = config.use?.launchOptions ?? {};
  const args = [...(base.args ?? []), ...(backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : [])];
  let server;
  try {
    server = await chromium.launchServer({ executablePath: base.executablePath, args, headless: true });
  } catch (e) {
    return { outcome: { ok: false, started: false, reason: `Chromium did not start (${base.executablePath}): ${(e as Error).message.split('\n')[0]}` }, peakRssMB: null };
  }
  const pid = server.process().pid;
  let timer: NodeJS.Timeout | undefined;
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    const tab = await browser.newPage();
    const pageErrors: string[] = [];
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    await tab.goto(page.url);
    await tab.waitForFunction('!!window.neurowireBench', undefined, { timeout: 60_000 });
    const capped = new Promise<GpuRunOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, started: true, reason: `stopped at the ${capSec} s hard limit per model (one step takes longer than that here)` }), capSec * 1000);
    });
    const outcome = await Promise.race([
      tab.evaluate(([b, m, p]) => (window as unknown as { neurowireBench: { run: (...a: unknown[]) => Promise<GpuRunOutcome> } }).neurowireBench.run(b, m, p), [backend, model, plan] as const),
      capped,
    ]).catch((e: Error): GpuRunOutcome => ({ ok: false, started: true, reason: [e.message.split('\n')[0], ...pageErrors].join('; ') }));
    return { outcome, peakRssMB: pid === undefined ? null : treePeakRssMB(pid) };
  } finally {
    clearTimeout(timer);
    await server.close().catch(() => undefined);
  }
}
