import { createStore, type StoreApi } from 'zustand/vanilla';
import type { GraphAnalysis } from '../../../main/core/graph/analyze';
import type { EngineInfo } from '../../../main/core/api/contract';
import type { DatasetInfo } from '../../../main/core/datasets';
import type { Graph, Project } from '../../../main/core/project';
import type { AppState, AppStore } from '../store/appStore';
import { editorAnalysisRequest, findDataset } from '../store/analysis';
import type { AnalysisCallbacks, AnalysisRunner } from './runner';

/** What the UI shows: the newest analysis that has arrived (null before the first), and whether a newer one computes. */
export interface AnalysisView {
  analysis: GraphAnalysis | null;
  pending: boolean;
}

export function createAnalysisView(): StoreApi<AnalysisView> {
  return createStore<AnalysisView>()(() => ({ analysis: null, pending: true }));
}

const GB = 1024 ** 3;

/** Memory of the machine that trains: the engine's word for it, else the browser's (navigator.deviceMemory, in GB). */
export function machineMemory(info: EngineInfo | null): number | undefined {
  if (info?.memoryBytes) return info.memoryBytes;
  const gb = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  return gb ? gb * GB : undefined;
}

interface Inputs {
  project: Project;
  dataset: DatasetInfo | undefined;
  datasets: readonly DatasetInfo[];
  memoryBytes: number | undefined;
}

function inputsOf(s: AppState): Inputs {
  return { project: s.project, dataset: findDataset(s.project, s.data.datasets), datasets: s.data.datasets, memoryBytes: machineMemory(s.engine.info) };
}

/** Whether two graphs analyse alike: the same connections and the same layers, wherever they sit on the canvas. */
function sameLayers(a: Graph, b: Graph): boolean {
  if (a === b) return true;
  if (a.edges !== b.edges || a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i];
    return n === m || (n.id === m.id && n.kind === m.kind && n.name === m.name && n.params === m.params);
  });
}

function sameInputs(a: Inputs, b: Inputs): boolean {
  const [ta, tb] = [a.project.training, b.project.training];
  return (
    a.dataset === b.dataset &&
    a.memoryBytes === b.memoryBytes &&
    ta.outputs === tb.outputs &&
    ta.batchSize === tb.batchSize &&
    ta.optimizer === tb.optimizer &&
    ta.momentum === tb.momentum &&
    sameLayers(a.project.graph, b.project.graph)
  );
}

/**
 * Keeps `view` in step with the app's project: every change that can alter the analysis (not a layer's move) asks
 * `runner` for a new one; the previous one stays on screen until it arrives. Returns the unsubscribe.
 */
export function attachAnalysis(app: AppStore, view: StoreApi<AnalysisView>, makeRunner: (callbacks: AnalysisCallbacks) => AnalysisRunner): () => void {
  const runner = makeRunner({
    // A runner hands back the layers' results an edit left alone as the same objects (see runner.ts).
    result: (analysis) => view.setState({ analysis, pending: false }),
    failed: (message) => {
      view.setState({ pending: false });
      app.getState().actions.notify('error', `Could not check the network: ${message}`);
    },
  });
  let last: Inputs | null = null;
  const update = (state: AppState) => {
    const inputs = inputsOf(state);
    if (last && sameInputs(last, inputs)) return;
    last = inputs;
    if (!view.getState().pending) view.setState({ pending: true });
    runner.analyze(editorAnalysisRequest(inputs.project, inputs.datasets, inputs.memoryBytes));
  };
  update(app.getState());
  const unsubscribe = app.subscribe(update);
  return () => {
    unsubscribe();
    runner.dispose();
  };
}
