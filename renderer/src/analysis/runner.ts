import type { GraphAnalysis } from '../../../main/core/graph/analyze';
import type { EditorAnalysisRequest } from '../../../main/core/graph/editorAnalysis';
import type { Graph } from '../../../main/core/project';
import { graphPatch, mergeAnalysis, type AnalysisPatch, type AnalysisRequestPatch } from './patches';

export interface AnalysisAsk {
  seq: number;
  request: AnalysisRequestPatch;
}
export type AnalysisReply = { seq: number; patch: AnalysisPatch } | { seq: number; error: string };

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
 * requests overtaken by an edit are dropped. Both ways only what changed travels (see patches.ts): the graph as a
 * patch on the last one sent, the analysis as a patch on the last one received.
 */
export function createWorkerRunner(callbacks: AnalysisCallbacks, worker: Worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module' })): AnalysisRunner {
  let seq = 0;
  let busy = false;
  let waiting: { seq: number; request: EditorAnalysisRequest } | null = null;
  // The graph the worker holds and the analysis it last replied with (null: start afresh, as after a failure).
  let workerGraph: Graph | null = null;
  let received: GraphAnalysis | null = null;
  const send = (ask: { seq: number; request: EditorAnalysisRequest }) => {
    busy = true;
    const { graph, ...rest } = ask.request;
    const patch = graphPatch(workerGraph, graph);
    if (patch.reset) received = null;
    workerGraph = graph;
    worker.postMessage({ seq: ask.seq, request: { ...rest, graph: patch } } satisfies AnalysisAsk);
  };
  const startAfresh = () => {
    workerGraph = null;
    received = null;
  };
  worker.onmessage = (event: MessageEvent<AnalysisReply>) => {
    busy = false;
    const reply = event.data;
    // Every reply counts for what the next one is a patch on, delivered or not.
    if ('patch' in reply) received = mergeAnalysis(received, reply.patch);
    else startAfresh();
    if (waiting) {
      // An edit came in while this one computed: this answer is already stale.
      const next = waiting;
      waiting = null;
      send(next);
      return;
    }
    if (reply.seq !== seq) return;
    if ('error' in reply) callbacks.failed(reply.error);
    else callbacks.result(received!);
  };
  worker.onerror = (event) => {
    busy = false;
    startAfresh();
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
