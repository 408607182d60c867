/// <reference lib="webworker" />
import { createAnalysisHost } from './host';
import type { AnalysisAsk } from './runner';

// The editor's analysis, off the UI thread; its state lives as long as the worker.
const host = createAnalysisHost();
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<AnalysisAsk>) => scope.postMessage(host.answer(event.data));
