import { analyzeGraph, createAnalysisCache, type GraphAnalysis } from '../../../main/core/graph/analyze';
import { targetOf, type DatasetInfo, type DatasetTarget } from '../../../main/core/datasets';
import { BUILTIN_DATASETS, datasetKey, type Graph, type Project } from '../../../main/core/project';

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

/** The dataset info matching the project's dataset choice: a listed built-in or the inspected own data. */
export function findDataset(project: Project, datasets: readonly DatasetInfo[]): DatasetInfo | undefined {
  return datasets.find((d) => d.id === datasetKey(project.dataset.source));
}

let lastGraph: Graph | null = null;
let lastDataset: DatasetInfo | undefined;
let lastLosses: Project['training']['outputs'] | null = null;
let lastResult: GraphAnalysis | null = null;
const layerCache = createAnalysisCache();

/**
 * analyzeGraph on the current graph, dataset and output loss options, memoized on their identities so every
 * component can call it on every render and the analysis runs once per edit.
 */
export function analysisFor(project: Project, datasets: readonly DatasetInfo[]): GraphAnalysis {
  const dataset = findDataset(project, datasets);
  const losses = project.training.outputs;
  if (lastResult && lastGraph === project.graph && lastDataset === dataset && lastLosses === losses) return lastResult;
  const target: DatasetTarget | undefined = dataset ? targetOf(dataset) : undefined;
  // The outputs' loss options matter too: From logits changes which activation fits.
  lastResult = analyzeGraph(project.graph, target, losses, layerCache);
  lastGraph = project.graph;
  lastDataset = dataset;
  lastLosses = losses;
  return lastResult;
}
