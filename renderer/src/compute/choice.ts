import type { ApiMethod, ApiParams, ApiResult, BrowserGpuInfo, EngineClient } from '../../../main/core/api/contract';
import { inPageRun, runInPage } from './inPage';
import { probeBrowserGpu } from './gpu';

/**
 * Where the next run trains: 'node' (the engine's CPU / CUDA backend) or 'browser-gpu' (WebGPU / WebGL
 * in Chromium: this page in browser mode, the hidden compute window in the desktop app). A small
 * external store (no project change: the same project can be trained either way), kept per browser.
 */
export type UiComputeChoice = 'node' | 'browser-gpu';

const KEY = 'neurowire.compute';
let choice: UiComputeChoice = readStored();
const listeners = new Set<() => void>();

function readStored(): UiComputeChoice {
  try {
    return globalThis.localStorage?.getItem(KEY) === 'browser-gpu' ? 'browser-gpu' : 'node';
  } catch {
    return 'node';
  }
}

export function getComputeChoice(): UiComputeChoice {
  return choice;
}

export function setComputeChoice(next: UiComputeChoice): void {
  if (next === choice) return;
  choice = next;
  try {
    globalThis.localStorage?.setItem(KEY, next);
  } catch {
    /* private mode */
  }
  for (const l of [...listeners]) l();
}

export function subscribeComputeChoice(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let gpuProbe: Promise<BrowserGpuInfo> | null = null;
/** This page's GPU (browser mode), probed once. */
export function pageGpu(): Promise<BrowserGpuInfo> {
  gpuProbe ??= probeBrowserGpu().catch((e: Error) => ({ available: false, attempts: [{ name: 'probe', ok: false, reason: e.message }] }));
  return gpuProbe;
}

/**
 * Wraps the engine client so that the app's existing Train / Stop actions honour the Compute choice:
 * - training.start gets `compute`; in browser mode (WebSocket transport) a browser-gpu run is then
 *   trained by this page (runInPage) while the store follows its events from the engine as usual;
 * - training.stop / pause / resume of a run this page trains reach its loop at once, and the engine too
 *   (which tells every other client, and ends the run if the page does not answer).
 */
export function withBrowserCompute<C extends EngineClient & { transport?: string }>(client: C): C {
  const inPage = client.transport !== 'ipc';
  const call = async <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => {
    if (method === 'training.start') {
      const p = params as ApiParams<'training.start'>;
      const withCompute = { ...p, compute: p.compute ?? choice } as ApiParams<M>;
      const r = (await client.call(method, withCompute)) as ApiResult<'training.start'>;
      if (inPage && r.compute === 'browser-gpu') runInPage(client, r.runId);
      return r as ApiResult<M>;
    }
    if (method === 'training.stop' || method === 'training.pause' || method === 'training.resume') {
      const runId = (params as { runId: string }).runId;
      inPageRun(runId)?.control.apply(method === 'training.stop' ? 'stop' : method === 'training.pause' ? 'pause' : 'resume');
    }
    return client.call(method, params);
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'call') return call;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
