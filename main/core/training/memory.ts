/**
 * Will a network fit in memory to train? Estimated from the graph analysis before anything is allocated, so
 * a model far too big gets a message with the numbers instead of minutes of swapping and an out-of-memory crash.
 *
 * float32 throughout. Weights count once for themselves, once for their gradients and once per optimizer slot
 * (Adam keeps two); every layer's output of one batch is kept for the backward pass and gets a gradient of
 * the same size. A rough but safe lower bound: tfjs allocates more than this, never less.
 */
import type { GraphAnalysis } from '../graph/analyze';
import type { Graph, TrainingConfig } from '../project';
import { shapeSize } from '../shapes';
import { formatBytes } from '../format';

const BYTES = 4;
/** Training may use at most this share of the machine's memory (the rest is the OS, the app, the data). */
export const TRAINING_MEMORY_SHARE = 0.5;

/** Copies of the weights training keeps: the weights, their gradients and the optimizer's slots. */
function weightCopies(optimizer: TrainingConfig['optimizer'], momentum: number): number {
  if (optimizer === 'adam' || optimizer === 'adamw') return 4;
  if (optimizer === 'sgd') return momentum > 0 ? 3 : 2;
  if (optimizer === 'rmsprop') return momentum > 0 ? 4 : 3;
  return 3; // adagrad
}

export interface MemoryEstimate {
  weightBytes: number;
  activationBytes: number;
  totalBytes: number;
  /** The layers with the most parameters and the largest output, to name in a message. */
  mostParams: { id: string; name: string; params: number } | null;
  largestOutput: { id: string; name: string; values: number } | null;
}

export function estimateTrainingMemory(graph: Graph, analysis: GraphAnalysis, config: Pick<TrainingConfig, 'batchSize' | 'optimizer' | 'momentum'>): MemoryEstimate {
  let mostParams: MemoryEstimate['mostParams'] = null;
  let largestOutput: MemoryEstimate['largestOutput'] = null;
  let values = 0;
  for (const node of graph.nodes) {
    const a = analysis.nodes[node.id];
    if (!a) continue;
    if (!mostParams || a.params > mostParams.params) mostParams = { id: node.id, name: node.name, params: a.params };
    const size = a.outputShape ? (shapeSize(a.outputShape) ?? 0) : 0;
    values += size;
    if (!largestOutput || size > largestOutput.values) largestOutput = { id: node.id, name: node.name, values: size };
  }
  const weightBytes = analysis.totalParams * BYTES * weightCopies(config.optimizer, config.momentum ?? 0);
  const activationBytes = values * config.batchSize * BYTES * 2;
  return { weightBytes, activationBytes, totalBytes: weightBytes + activationBytes, mostParams, largestOutput };
}

export interface MemoryProblem {
  /** What it needs against what the machine has, and what to change. */
  message: string;
  /** The layer to change: the one with the most parameters, or the largest output when activations weigh more. */
  nodeId: string | null;
}

/** Why training would need more than its share of `memoryBytes`, with the numbers and what to change; null when it fits. */
export function trainingMemoryProblem(graph: Graph, analysis: GraphAnalysis, config: Pick<TrainingConfig, 'batchSize' | 'optimizer' | 'momentum'>, memoryBytes: number): MemoryProblem | null {
  const e = estimateTrainingMemory(graph, analysis, config);
  const budget = memoryBytes * TRAINING_MEMORY_SHARE;
  if (e.totalBytes <= budget) return null;
  const weightsHeavier = e.weightBytes >= e.activationBytes;
  const fix = weightsHeavier
    ? `Make ${e.mostParams?.name ?? 'the largest layer'} smaller (it has ${e.mostParams?.params.toLocaleString('en-US')} parameters): fewer units, or pooling / a smaller input before it.`
    : `Lower the batch size (now ${config.batchSize}) or make ${e.largestOutput?.name ?? 'the largest layer'}'s output smaller (${e.largestOutput?.values.toLocaleString('en-US')} values per sample).`;
  return {
    message: `The network is too big to train on this machine: it needs about ${formatBytes(e.totalBytes)} (weights, gradients and optimizer state ${formatBytes(e.weightBytes)}; one batch of activations ${formatBytes(e.activationBytes)}), more than half of its ${formatBytes(memoryBytes)} of memory. ${fix}`,
    nodeId: (weightsHeavier ? e.mostParams?.id : e.largestOutput?.id) ?? null,
  };
}

/** Throws trainingMemoryProblem's message when training would not fit in `memoryBytes`. */
export function checkTrainingMemory(graph: Graph, analysis: GraphAnalysis, config: TrainingConfig, memoryBytes: number): void {
  const problem = trainingMemoryProblem(graph, analysis, config, memoryBytes);
  if (problem) throw new Error(problem.message);
}

/**
 * The editor's view of the same check: the analysis with the problem as an error on the layer to change (or on
 * the graph when no layer stands out), and so not valid, before anyone presses Train.
 */
export function withMemoryCheck(analysis: GraphAnalysis, graph: Graph, config: Pick<TrainingConfig, 'batchSize' | 'optimizer' | 'momentum'>, memoryBytes: number): GraphAnalysis {
  const problem = trainingMemoryProblem(graph, analysis, config, memoryBytes);
  if (!problem) return analysis;
  const node = problem.nodeId ? analysis.nodes[problem.nodeId] : undefined;
  if (!node) return { ...analysis, errors: [...analysis.errors, problem.message], valid: false };
  const nodes = { ...analysis.nodes, [problem.nodeId!]: { ...node, errors: [...node.errors, problem.message] } };
  return { ...analysis, nodes, valid: false };
}
