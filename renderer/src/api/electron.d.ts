/**
 * What the Electron preload script exposes to the renderer (contextBridge). Absent in a plain browser,
 * where the UI talks to `npm run serve` over a WebSocket instead.
 */
export interface NeurowireBridge {
  /** Invokes one engine method; resolves with its result or rejects with the engine's error. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Subscribes to engine events (e.g. "training"); returns the unsubscribe function. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
  /** Where a file dropped on the window lies on disk ('' when it is not a file on disk). */
  pathForFile(file: File): string;
}

declare global {
  interface Window {
    neurowire?: NeurowireBridge;
  }
}
