import type { BrowserWindow as BrowserWindowType, MessagePortMain } from 'electron';
import type { BrowserGpuInfo } from '../main/core/api/contract';
import type { ComputeHostMessage, ComputeJob, ComputePageMessage } from '../main/core/api/compute';
import type { ComputeHost, ComputeJobHandle } from '../main/node/computeBridge';
import { secureWebPreferences } from './security';

/**
 * The desktop app's GPU compute window: a hidden, sandboxed BrowserWindow (renderer/compute.html) that
 * trains browser-gpu runs on WebGPU / WebGL with the same trainer as the Node worker. Created on first
 * use; the main process talks to it over one MessagePort (MessageChannelMain), handed over by
 * electron/compute-preload.ts. Jobs go in structured-cloned (typed arrays, no JSON); events, heartbeats
 * and the result (weights as an ArrayBuffer) come back the same way.
 */

export const PORT_CHANNEL = 'neurowire:compute-port';
const PROBE_TIMEOUT_MS = 20_000;

/** The parts of Electron this module uses (injected in tests; Electron has no binary there). */
export interface ElectronForCompute {
  BrowserWindow: new (options: Electron.BrowserWindowConstructorOptions) => BrowserWindowType;
  MessageChannelMain: new () => { port1: MessagePortMain; port2: MessagePortMain };
}

export interface ComputeWindowOptions {
  /** The compute page's app:// URL (electron/appProtocol.ts), never a file:// one. */
  pageUrl: string;
  preloadPath: string;
  electron?: ElectronForCompute;
}

export interface ComputeWindowHost extends ComputeHost {
  /** Closes the hidden window (app quit, main window closed). */
  dispose(): void;
}

/** Options of the hidden window: isolated, sandboxed, no Node, never shown, not throttled while hidden. */
export function computeWindowOptions(preloadPath: string): Electron.BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 400,
    height: 300,
    title: 'Neurowire GPU compute',
    // The same locked-down preferences as the main window; a hidden window's timers and rAF are
    // throttled by default, and training must not be.
    webPreferences: secureWebPreferences(preloadPath, { backgroundThrottling: false }),
  };
}

export function createComputeHost(options: ComputeWindowOptions): ComputeWindowHost {
  let win: BrowserWindowType | null = null;
  let ready: Promise<MessagePortMain> | null = null;
  const jobs = new Map<string, (msg: ComputePageMessage) => void>();
  const gpuWaiters: ((info: BrowserGpuInfo) => void)[] = [];

  // Loaded on first use: requiring 'electron' outside the Electron binary throws, and tests pass a stand-in.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
  const electron = (): ElectronForCompute => options.electron ?? (require('electron') as ElectronForCompute);

  const route = (msg: ComputePageMessage) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.kind === 'gpu') {
      for (const w of gpuWaiters.splice(0)) w(msg.info);
      return;
    }
    jobs.get(msg.runId)?.(msg);
  };

  /** Every job still running fails at once (instead of waiting for the engine's watchdog). */
  const lost = (why: string) => {
    win = null;
    ready = null;
    for (const [runId, onMessage] of [...jobs]) {
      onMessage({ kind: 'result', runId, result: { status: 'failed', error: why, epochsCompleted: 0, history: [] } });
    }
    jobs.clear();
  };

  const ensure = (): Promise<MessagePortMain> => {
    if (ready) return ready;
    ready = new Promise<MessagePortMain>((resolve, reject) => {
      const { BrowserWindow, MessageChannelMain } = electron();
      const w = new BrowserWindow(computeWindowOptions(options.preloadPath));
      win = w;
      w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
      // Never navigates, opens or embeds anything (the app also guards every webContents: electron/security.ts).
      w.webContents.on('will-navigate', (e) => e.preventDefault());
      w.webContents.on('will-redirect', (e) => e.preventDefault());
      w.webContents.on('will-attach-webview', (e) => e.preventDefault());
      w.webContents.on('render-process-gone', (_e, details) => {
        w.destroy();
        lost(`The GPU compute window crashed (${details.reason}). Train on Node, or try again.`);
      });
      w.on('closed', () => {
        if (win === w) lost('The GPU compute window closed.');
      });
      w.webContents.once('did-finish-load', () => {
        const { port1, port2 } = new MessageChannelMain();
        port1.on('message', (e) => route(e.data as ComputePageMessage));
        port1.start();
        w.webContents.postMessage(PORT_CHANNEL, null, [port2]);
        resolve(port1);
      });
      w.loadURL(options.pageUrl).catch((e: Error) => {
        ready = null;
        reject(new Error(`could not load the compute page (${e.message})`));
      });
    });
    return ready;
  };

  const send = (msg: ComputeHostMessage) =>
    ensure().then((port) => port.postMessage(msg));

  return {
    async probe(): Promise<BrowserGpuInfo> {
      const info = new Promise<BrowserGpuInfo>((resolve, reject) => {
        gpuWaiters.push(resolve);
        setTimeout(() => reject(new Error(`the compute window did not report its GPU within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS).unref?.();
      });
      await send({ kind: 'probe' });
      return info;
    },

    run(job: ComputeJob, onMessage: (msg: ComputePageMessage) => void): ComputeJobHandle {
      jobs.set(job.runId, onMessage);
      send({ kind: 'job', job }).catch((e: Error) => {
        if (!jobs.delete(job.runId)) return;
        onMessage({ kind: 'result', runId: job.runId, result: { status: 'failed', error: `The GPU compute window could not start: ${e.message}`, epochsCompleted: 0, history: [] } });
      });
      return {
        command: (command) => void send({ kind: 'command', runId: job.runId, command }).catch(() => undefined),
        close: () => void jobs.delete(job.runId),
      };
    },

    dispose() {
      const w = win;
      win = null;
      ready = null;
      jobs.clear();
      if (w && !w.isDestroyed()) w.destroy();
    },
  };
}
