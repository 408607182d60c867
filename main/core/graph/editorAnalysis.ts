import type { DatasetTarget } from '../datasets';
import type { Graph, OutputLoss, TrainingConfig } from '../project';
import { withMemoryCheck } from '../training/memory';
import { analyzeGraph, type AnalysisCache, type GraphAnalysis } from './analyze';

/** Everything the editor's analysis reads: plain data, so it can be posted to a worker. */
export interface EditorAnalysisRequest {
  graph: Graph;
  target?: DatasetTarget;
  /** The outputs' loss options: From logits changes which activation fits. */
  losses: readonly OutputLoss[];
  /** The batch size and optimizer decide how much memory training needs. */
  training: Pick<TrainingConfig, 'batchSize' | 'optimizer' | 'momentum'>;
  /** Memory of the machine that trains, in bytes; absent where unknown (no size check then). */
  memoryBytes?: number;
}

/**
 * The analysis the editor shows: shapes and wiring (analyzeGraph), and a network too big for the machine's memory
 * flagged on the layer to shrink, with the same numbers training would refuse it with.
 */
export function analyzeForEditor(request: EditorAnalysisRequest, cache?: AnalysisCache): GraphAnalysis {
  const analysis = analyzeGraph(request.graph, request.target, request.losses, { cache, batchSize: request.training.batchSize });
  return request.memoryBytes ? withMemoryCheck(analysis, request.graph, request.training, request.memoryBytes) : analysis;
}
