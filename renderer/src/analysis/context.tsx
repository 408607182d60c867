import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import { createAnalysisCache, type GraphAnalysis, type NodeAnalysis } from '../../../main/core/graph/analyze';
import { analyzeForEditor } from '../../../main/core/graph/editorAnalysis';
import { useAppStore } from '../store/context';
import { attachAnalysis, createAnalysisView, type AnalysisView } from './attach';
import { shareUnchanged } from './shareUnchanged';
import { createWorkerRunner, type AnalysisCallbacks, type AnalysisRunner } from './runner';

const AnalysisContext = createContext<StoreApi<AnalysisView> | null>(null);

/** Before the first analysis arrives: nothing known, nothing wrong yet, not trainable. */
const NOT_YET: GraphAnalysis = { nodes: {}, errors: [], warnings: [], fixes: [], totalParams: 0, order: [], inputIds: [], outputIds: [], valid: false };

/** A Web Worker where there is one; else (no Worker, or one refused) the same analysis on this thread. */
function makeRunner(callbacks: AnalysisCallbacks): AnalysisRunner {
  try {
    if (typeof Worker !== 'undefined') return createWorkerRunner(callbacks);
  } catch {
    // fall through to this thread
  }
  const cache = createAnalysisCache();
  let last: GraphAnalysis | null = null;
  return {
    // What the worker's patches do: the results an edit left alone keep their objects.
    analyze: (request) => {
      const analysis = analyzeForEditor(request, cache);
      last = last ? shareUnchanged(last, analysis) : analysis;
      callbacks.result(last);
    },
    dispose: () => undefined,
  };
}

/** Runs the editor's analysis off the UI thread for everything inside it (see attachAnalysis). */
export function AnalysisProvider({ children }: { children: ReactNode }) {
  const app = useAppStore();
  const [view] = useState(createAnalysisView);
  useEffect(() => attachAnalysis(app, view, makeRunner), [app, view]);
  return <AnalysisContext.Provider value={view}>{children}</AnalysisContext.Provider>;
}

function useView(): StoreApi<AnalysisView> {
  const view = useContext(AnalysisContext);
  if (!view) throw new Error('useAnalysis must be used inside <AnalysisProvider>');
  return view;
}

/** The newest analysis of the project (the previous one while a newer computes). */
export function useAnalysis(): GraphAnalysis {
  return useStore(useView(), (v) => v.analysis) ?? NOT_YET;
}

/** Whether the analysis on screen is behind the project (a newer one computes, or none has arrived yet). */
export function useAnalysisPending(): boolean {
  return useStore(useView(), (v) => v.pending);
}

/**
 * A part of one layer's analysis (`pick` of undefined before the first analysis, or for a layer it has not seen yet).
 * `pick` should give a plain value (a string, a number): the component renders again only when that value changes,
 * so an edit that changes a layer's shape redraws its shape, not the rest of the layer.
 */
export function useNodeAnalysis<T>(id: string, pick: (info: NodeAnalysis | undefined) => T): T {
  return useStore(useView(), (v) => pick(v.analysis?.nodes[id]));
}
