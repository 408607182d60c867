import { useMemo } from 'react';
import { modelSummary, summaryMarkdown, summaryText } from '../../../main/core/graph/summary';
import { formatBytes } from '../../../main/core/format';
import { useAnalysis } from '../analysis/context';
import { useActions, useApp } from '../store/context';
import { formatCount } from '../format';

/** Keras's `model.summary()` for the network on the canvas, live while it is drawn, copyable as text or Markdown. */
export function SummaryPanel() {
  const project = useApp((s) => s.project);
  const { notify } = useActions();
  const analysis = useAnalysis();
  const summary = useMemo(() => modelSummary(project.graph, analysis, project.training), [project.graph, project.training, analysis]);

  const copy = async (what: 'text' | 'Markdown') => {
    try {
      await navigator.clipboard.writeText(what === 'text' ? summaryText(summary) : summaryMarkdown(summary));
      notify('info', `Copied the model summary as ${what}.`);
    } catch (e) {
      notify('error', `Could not copy the summary: ${(e as Error).message}`);
    }
  };

  const count = formatCount;
  return (
    <div className="summary-panel" data-testid="summary-panel">
      <div className="summary-panel__bar">
        <span data-testid="summary-totals">
          {count(summary.totalParams)} parameters ({count(summary.trainableParams)} trainable, {count(summary.nonTrainableParams)} non-trainable) · about {formatBytes(summary.memory.totalBytes)} to train one
          batch of {summary.batchSize}
        </span>
        <button type="button" className="btn" data-testid="summary-copy-text" onClick={() => void copy('text')}>
          Copy as text
        </button>
        <button type="button" className="btn" data-testid="summary-copy-markdown" onClick={() => void copy('Markdown')}>
          Copy as Markdown
        </button>
      </div>
      <table className="summary-table" data-testid="summary-table">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Kind</th>
            <th>Output shape</th>
            <th className="num">Parameters</th>
            <th>Connected to</th>
          </tr>
        </thead>
        <tbody>
          {summary.rows.map((r) => (
            <tr key={r.name} data-testid={`summary-row-${r.name}`}>
              <td>{r.name}</td>
              <td>{r.kind}</td>
              <td className="mono">{r.outputShape}</td>
              <td className="num">{count(r.params)}</td>
              <td>{r.connectedTo.join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
