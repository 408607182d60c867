/// <reference lib="webworker" />
import { createAnalysisCache } from '../../../main/core/graph/analyze';
import { analyzeForEditor } from '../../../main/core/graph/editorAnalysis';
import type { AnalysisReply, AnalysisAsk } from './runner';

// The editor's analysis, off the UI thread. The cache lives as long as the worker: an edit re-checks only what it reaches.
const cache = createAnalysisCache();
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<AnalysisAsk>) => {
  const { seq, request } = event.data;
  let reply: AnalysisReply;
  try {
    reply = { seq, analysis: analyzeForEditor(request, cache) };
  } catch (e) {
    reply = { seq, error: e instanceof Error ? e.message : String(e) };
  }
  scope.postMessage(reply);
};
