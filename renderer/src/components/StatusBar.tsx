import { useMemo } from 'react';
import { useApp } from '../store/context';
import { useAnalysis } from '../analysis/context';
import { backendText, backendTooltip, formatCount } from '../format';
import { useActions } from '../store/context';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function StatusBar() {
  const info = useApp((s) => s.engine.info);
  const runBackend = useApp((s) => s.training.backend);
  const connection = useApp((s) => s.engine.connection);
  const analysis = useAnalysis();
  const layers = useApp((s) => s.project.graph.nodes);
  // Counted once per analysis, not on every change of the project (a drag moves layers on each frame).
  const { errors, warnings } = useMemo(() => {
    const nodeProblems = Object.values(analysis.nodes);
    return {
      errors: analysis.errors.length + nodeProblems.reduce((n, a) => n + a.errors.length, 0),
      warnings: analysis.warnings.length + nodeProblems.reduce((n, a) => n + a.warnings.length, 0),
    };
  }, [analysis]);
  const backend = runBackend ?? info?.backend ?? null;
  const actions = useActions();
  // The count leads to the first layer with an error (else a warning).
  const firstProblem = useMemo(
    () => layers.find((n) => analysis.nodes[n.id]?.errors.length) ?? layers.find((n) => analysis.nodes[n.id]?.warnings.length),
    [analysis, layers],
  );
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span data-testid="total-params">Total parameters: {formatCount(analysis.totalParams)}</span>
      <span className={errors ? 'error-text' : warnings ? 'warn-text' : 'ok-text'} data-testid="problem-count">
        {errors === 0 && warnings === 0 ? 'No problems' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`}
      </span>
      {firstProblem && (
        <button type="button" className="layer-link" data-testid="status-problem-layer" title={`Show ${firstProblem.name} on the canvas`} onClick={() => actions.focusLayer(firstProblem.id)}>
          {firstProblem.name}
        </button>
      )}
      <span className="statusbar__spacer" />
      {connection === 'connecting' && <span className="muted">Connecting…</span>}
      {backend ? (
        <span className="statusbar__backend" data-testid="backend-info" title={backendTooltip(backend)}>
          {backendText(backend)}
        </span>
      ) : (
        <span className="muted" data-testid="backend-info">
          Backend: unknown
        </span>
      )}
      {info && <span className="muted">v{info.version}</span>}
    </footer>
  );
}
