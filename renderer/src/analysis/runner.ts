import type { GraphAnalysis } from '../../../main/core/graph/analyze';
import type { EditorAnalysisRequest } from '../../../main/core/graph/editorAnalysis';

export interface AnalysisAsk {
  seq: number;
  request: EditorAnalysisRequest;
}
export type AnalysisReply = { seq: number; analysis: GraphAnalysis } | { seq: number; error: string };

/** Runs the editor's analysis somewhere; `latest` is called with the newest request's answer only. */
export interface AnalysisRunner {
  /** Starts an analysis; an answer to an older request that arrives later is dropped (the latest edit wins). */
  analyze(request: EditorAnalysisRequest): void;
  dispose(): void;
}

export interface AnalysisCallbacks {
  result(analysis: GraphAnalysis): void;
  failed(message: string): void;
}

/**
 * The analysis in a Web Worker, so that a long graph never blocks the UI thread. Only the newest request's answer
 * is delivered: while an older one computes, newer edits just replace what waits to be sent, and answers to
 * requests overtaken by an edit are dropped.
 */
export function createWorkerRunner(callbacks: AnalysisCallbacks, worker: Worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module' })): AnalysisRunner {
  let seq = 0;
  let busy = false;
  let waiting: AnalysisAsk | null = null;
  const send = (ask: AnalysisAsk) => {
    busy = true;
    worker.postMessage(ask);
  };
  worker.onmessage = (event: MessageEvent<AnalysisReply>) => {
    busy = false;
    const reply = event.data;
    if (waiting) {
      // An edit came in while this one computed: this answer is already stale.
      const next = waiting;
      waiting = null;
      send(next);
      return;
    }
    if (reply.seq !== seq) return;
    if ('error' in reply) callbacks.failed(reply.error);
    else callbacks.result(reply.analysis);
  };
  worker.onerror = (event) => {
    busy = false;
    callbacks.failed(event.message || 'the analysis worker stopped');
  };
  return {
    analyze(request) {
      const ask = { seq: ++seq, request };
      if (busy) waiting = ask;
      else send(ask);
    },
    dispose: () => worker.terminate(),
  };
}
