import { contextBridge, ipcRenderer, webUtils } from 'electron';

/**
 * The only bridge between the sandboxed page and the engine: one call channel and one event
 * channel, both carrying the API contract, and the path of a file the person dropped on the window.
 * The page gets no Node or Electron objects.
 */
const CALL = 'neurowire:call';
const EVENT = 'neurowire:event';

type Envelope = { ok: true; result: unknown } | { ok: false; error: { message: string; code: string } };

contextBridge.exposeInMainWorld('neurowire', {
  async call(method: string, params: unknown): Promise<unknown> {
    if (typeof method !== 'string') throw new TypeError('method must be a string');
    const reply = (await ipcRenderer.invoke(CALL, method, params)) as Envelope;
    if (!reply.ok) {
      const err = new Error(reply.error.message);
      (err as Error & { code?: string }).code = reply.error.code;
      throw err;
    }
    return reply.result;
  },
  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    const handler = (_e: unknown, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(EVENT, handler);
    return () => ipcRenderer.removeListener(EVENT, handler);
  },
  /** Where a dropped File lies on disk ('' for one that is not a file on disk); the page sees only what the person dropped. */
  pathForFile(file: File): string {
    return file instanceof File ? webUtils.getPathForFile(file) : '';
  },
});
