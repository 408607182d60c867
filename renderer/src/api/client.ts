import type { ApiMethod, ApiParams, ApiResult, EngineClient, EngineEvents, WireMessage, WireRequest } from '../../../main/core/api/contract';
import type { NeurowireBridge } from './electron';

/** An error reported by the engine (or the transport), carrying the engine's message as is. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: string = 'ENGINE_ERROR',
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'failed';

/** The renderer's engine client: the contract's EngineClient plus connection state for the banner. */
export interface RendererEngineClient extends EngineClient {
  readonly transport: 'ipc' | 'websocket';
  readonly status: ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

type AnyListener = (payload: unknown) => void;

class ListenerSet {
  private readonly byEvent = new Map<string, Set<AnyListener>>();
  add(event: string, listener: AnyListener): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }
  emit(event: string, payload: unknown): void {
    for (const l of [...(this.byEvent.get(event) ?? [])]) {
      try {
        l(payload);
      } catch (e) {
        console.error(`Neurowire: a listener for "${event}" threw`, e);
      }
    }
  }
}

/** Electron wraps errors thrown in ipcMain.handle as "Error invoking remote method 'x': Error: msg". */
export function cleanIpcErrorMessage(message: string): string {
  return message.replace(/^Error invoking remote method '[^']*':\s*/, '').replace(/^(?:[A-Za-z]*Error):\s*/, '');
}

function toEngineError(e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  if (e && typeof e === 'object') {
    const o = e as { message?: unknown; code?: unknown };
    if (typeof o.message === 'string') return new EngineError(cleanIpcErrorMessage(o.message), typeof o.code === 'string' ? o.code : undefined);
  }
  return new EngineError(String(e));
}

class IpcEngineClient implements RendererEngineClient {
  readonly transport = 'ipc' as const;
  readonly status: ConnectionStatus = 'open';
  private readonly listeners = new ListenerSet();

  constructor(private readonly bridge: NeurowireBridge) {
    bridge.onEvent((event, payload) => this.listeners.emit(event, payload));
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    try {
      return (await this.bridge.call(method, params)) as ApiResult<M>;
    } catch (e) {
      throw toEngineError(e);
    }
  }

  on<E extends keyof EngineEvents>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    return this.listeners.add(event, listener as AnyListener);
  }

  onStatus(): () => void {
    return () => {};
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: EngineError) => void;
}

class WebSocketEngineClient implements RendererEngineClient {
  readonly transport = 'websocket' as const;
  status: ConnectionStatus = 'connecting';
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: string[] = [];
  private readonly listeners = new ListenerSet();
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.onopen = () => {
      this.setStatus('open');
      for (const frame of this.queue.splice(0)) this.ws.send(frame);
    };
    this.ws.onmessage = (ev) => this.receive(ev.data);
    this.ws.onclose = () => {
      this.setStatus(this.status === 'connecting' ? 'failed' : 'closed');
      const err = new EngineError('Lost connection to the Neurowire engine.', 'DISCONNECTED');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.queue.length = 0;
    };
    // An error is always followed by close, which reports it.
    this.ws.onerror = () => {};
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const l of [...this.statusListeners]) l(status);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: WireMessage;
    try {
      msg = JSON.parse(data) as WireMessage;
    } catch {
      console.warn('Neurowire: ignoring a non-JSON frame from the engine');
      return;
    }
    if (msg.kind === 'response') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new EngineError(msg.error?.message ?? 'The engine reported an error.', msg.error?.code));
    } else if (msg.kind === 'event') {
      this.listeners.emit(msg.event, msg.payload);
    }
  }

  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    if (this.status === 'closed' || this.status === 'failed') {
      return Promise.reject(new EngineError('Not connected to the Neurowire engine.', 'DISCONNECTED'));
    }
    const id = this.nextId++;
    const request: WireRequest = { kind: 'request', id, method, params };
    const frame = JSON.stringify(request);
    return new Promise<ApiResult<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.status === 'open') this.ws.send(frame);
      else this.queue.push(frame);
    });
  }

  on<E extends keyof EngineEvents>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    return this.listeners.add(event, listener as AnyListener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
}

/** Builds the WebSocket URL of the local engine server, carrying the page's `?token=`. */
export function webSocketUrl(loc: { host: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  return `ws://${loc.host}/api?token=${encodeURIComponent(token)}`;
}

/** Electron IPC when the preload bridge exists, otherwise the WebSocket of `npm run serve`. */
export function createEngineClient(): RendererEngineClient {
  if (typeof window !== 'undefined' && window.neurowire) return new IpcEngineClient(window.neurowire);
  return new WebSocketEngineClient(webSocketUrl(window.location));
}
