import { analyzeGraph, type GraphAnalysis } from '../../../main/core/graph/analyze';
import { targetOf, type DatasetInfo, type DatasetTarget } from '../../../main/core/datasets';
import { datasetKey, type Graph, type Project } from '../../../main/core/project';

/** The dataset info matching the project's dataset choice, if the engine listed it. */
export function findDataset(project: Project, datasets: readonly DatasetInfo[]): DatasetInfo | undefined {
  return datasets.find((d) => d.id === datasetKey(project.dataset.source));
}

let lastGraph: Graph | null = null;
let lastDataset: DatasetInfo | undefined;
let lastResult: GraphAnalysis | null = null;

/**
 * analyzeGraph on the current graph and dataset, memoized on their identities so every
 * component can call it on every render and the analysis runs once per edit.
 */
export function analysisFor(project: Project, datasets: readonly DatasetInfo[]): GraphAnalysis {
  const dataset = findDataset(project, datasets);
  if (lastResult && lastGraph === project.graph && lastDataset === dataset) return lastResult;
  const target: DatasetTarget | undefined = dataset ? targetOf(dataset) : undefined;
  lastResult = analyzeGraph(project.graph, target);
  lastGraph = project.graph;
  lastDataset = dataset;
  return lastResult;
}
