import { createAnalysisCache, type GraphAnalysis } from '../../../main/core/graph/analyze';
import { analyzeForEditor, type EditorAnalysisRequest } from '../../../main/core/graph/editorAnalysis';
import { datasetInfoFor, targetOf, type DatasetInfo } from '../../../main/core/datasets';
import { BUILTIN_DATASETS, datasetKey, type DatasetChoice, type Project } from '../../../main/core/project';

const BUILTIN_IDS: ReadonlySet<string> = new Set(BUILTIN_DATASETS);

export function isBuiltinId(id: string): boolean {
  return BUILTIN_IDS.has(id);
}

/**
 * The store's `data.datasets`: the built-ins from `datasets.list` plus, for a person's own data
 * (CSV, image folder, text, time series), the DatasetInfo that `datasets.inspect` returned for the
 * project's current source, under its datasetKey. That way findDataset/analysisFor (and so the canvas
 * warnings and the Train button) see own data exactly like a built-in.
 *
 * Drops own-data entries for any other key; `info` undefined keeps the entry for `key` as it is,
 * null removes it (inspection failed), an info replaces it.
 */
export function withInspected(datasets: readonly DatasetInfo[], key: string, info: DatasetInfo | null | undefined): DatasetInfo[] {
  const out = datasets.filter((d) => isBuiltinId(d.id) || (d.id === key && info === undefined));
  if (info && !isBuiltinId(key)) out.push({ ...info, id: key });
  return out;
}

/** The dataset info matching the project's dataset choice: a listed built-in or the inspected own data, with the choice's target. */
export function findDataset(project: Project, datasets: readonly DatasetInfo[]): DatasetInfo | undefined {
  const info = datasets.find((d) => d.id === datasetKey(project.dataset.source));
  return info && withChoiceTarget(project.dataset, info);
}

const asReconstruction = new WeakMap<DatasetInfo, DatasetInfo>();

/**
 * The info as the choice's target makes it (datasetInfoFor), the same object for the same info so the memoized
 * analysis stays memoized. Data whose input cannot be its target keeps its labels here: the Data tab says why,
 * and training refuses with the same message.
 */
export function withChoiceTarget(choice: Pick<DatasetChoice, 'target'>, info: DatasetInfo): DatasetInfo {
  if (choice.target !== 'input') return info;
  let made = asReconstruction.get(info);
  if (!made) {
    try {
      made = datasetInfoFor(choice, info);
    } catch {
      return info;
    }
    asReconstruction.set(info, made);
  }
  return made;
}

/** What the editor's analysis of `project` reads, from the store's state (`memoryBytes`: see machineMemory). */
export function editorAnalysisRequest(project: Project, datasets: readonly DatasetInfo[], memoryBytes: number | undefined): EditorAnalysisRequest {
  const dataset = findDataset(project, datasets);
  const { batchSize, optimizer, momentum } = project.training;
  return {
    graph: project.graph,
    ...(dataset ? { target: targetOf(dataset) } : {}),
    losses: project.training.outputs,
    training: { batchSize, optimizer, momentum },
    ...(memoryBytes ? { memoryBytes } : {}),
  };
}

let last: { project: Project; dataset: DatasetInfo | undefined; memoryBytes: number | undefined; result: GraphAnalysis } | null = null;
const layerCache = createAnalysisCache();

/**
 * The editor's analysis, computed here on the calling thread and memoized on the project, dataset and memory, so
 * every caller of one state gets one analysis. The UI runs it off its thread instead (analysis/worker.ts); this is
 * for code and tests without a worker.
 */
export function analysisFor(project: Project, datasets: readonly DatasetInfo[], memoryBytes?: number): GraphAnalysis {
  const dataset = findDataset(project, datasets);
  if (last && last.project === project && last.dataset === dataset && last.memoryBytes === memoryBytes) return last.result;
  const result = analyzeForEditor(editorAnalysisRequest(project, datasets, memoryBytes), layerCache);
  last = { project, dataset, memoryBytes, result };
  return result;
}
