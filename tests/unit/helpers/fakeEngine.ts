import type { ApiMethod, EngineClient, EngineEvents, TrainingEvent } from '../../../main/core/api/contract';

/** Answers one engine method in a test: gets the call's params, returns (or resolves to) its result. */
export type Handler = (params: any) => unknown;

/**
 * A stand-in engine client for the renderer's tests: each method is answered by its handler (a method without one
 * throws, naming it), every call is recorded in order, and `emit` hands an event to every listener.
 */
export function fakeClient(handlers: Partial<Record<ApiMethod, Handler>> = {}) {
  const calls: { method: string; params: any }[] = [];
  const listeners = new Set<(e: TrainingEvent) => void>();
  const client: EngineClient = {
    async call(method, params) {
      calls.push({ method, params });
      const h = handlers[method];
      if (!h) throw new Error(`fake engine: no handler for ${method}`);
      return (await h(params)) as never;
    },
    on<E extends keyof EngineEvents>(_event: E, listener: (p: EngineEvents[E]) => void) {
      listeners.add(listener as (e: TrainingEvent) => void);
      return () => listeners.delete(listener as (e: TrainingEvent) => void);
    },
  };
  const emit = (e: TrainingEvent) => listeners.forEach((l) => l(e));
  /** How many times `method` was called. */
  const count = (method: ApiMethod) => calls.filter((c) => c.method === method).length;
  return { client, calls, emit, count };
}
