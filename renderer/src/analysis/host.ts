import { createAnalysisCache, type GraphAnalysis } from '../../../main/core/graph/analyze';
import { analyzeForEditor } from '../../../main/core/graph/editorAnalysis';
import { analysisPatch, createGraphReplica } from './patches';
import type { AnalysisAsk, AnalysisReply } from './runner';

/**
 * The analysis worker's side (analysis.worker.ts hosts it): the graph kept up to date by the patches that come in,
 * the per-layer cache, so an edit re-checks only what it reaches, and the last analysis sent, so a reply carries
 * only what changed.
 */
export function createAnalysisHost(): { answer(ask: AnalysisAsk): AnalysisReply } {
  const cache = createAnalysisCache();
  const graph = createGraphReplica();
  let sent: GraphAnalysis | null = null;
  return {
    answer({ seq, request }) {
      try {
        if (request.graph.reset) sent = null;
        const analysis = analyzeForEditor({ ...request, graph: graph.apply(request.graph) }, cache);
        const patch = analysisPatch(sent, analysis);
        sent = analysis;
        return { seq, patch };
      } catch (e) {
        return { seq, error: e instanceof Error ? e.message : String(e) };
      }
    },
  };
}
