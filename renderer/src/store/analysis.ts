import { analyzeGraph, type GraphAnalysis } from '../../../main/core/graph/analyze';
import { datasetInfoFor, targetOf, type DatasetInfo, type DatasetTarget } from '../../../main/core/datasets';
import { BUILTIN_DATASETS, datasetKey, type DatasetChoice, type Graph, type Project } from '../../../main/core/project';

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

let lastGraph: Graph | null = null;
let lastDataset: DatasetInfo | undefined;
let lastLosses: Project['training']['outputs'] | null = null;
let lastBatchSize: number | undefined;
let lastResult: GraphAnalysis | null = null;

/**
 * analyzeGraph on the current graph, dataset and output loss options, memoized on their identities so every
 * component can call it on every render and the analysis runs once per edit.
 */
export function analysisFor(project: Project, datasets: readonly DatasetInfo[]): GraphAnalysis {
  const dataset = findDataset(project, datasets);
  const losses = project.training.outputs;
  const batchSize = project.training.batchSize;
  if (lastResult && lastGraph === project.graph && lastDataset === dataset && lastLosses === losses && lastBatchSize === batchSize) return lastResult;
  const target: DatasetTarget | undefined = dataset ? targetOf(dataset) : undefined;
  // The outputs' loss options matter too: From logits changes which activation fits.
  // The training batch size too: a stateful layer's fixed batch is set to it.
  lastResult = analyzeGraph(project.graph, target, losses, { batchSize });
  lastGraph = project.graph;
  lastDataset = dataset;
  lastLosses = losses;
  lastBatchSize = batchSize;
  return lastResult;
}
