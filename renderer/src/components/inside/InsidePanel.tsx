import { useEffect, useMemo, useState } from 'react';
import { useActions, useApp, useThrottledApp } from '../../store/context';
import type { AppState } from '../../store/appStore';
import { ActivationView } from './ActivationView';
import { NormCharts } from './NormCharts';
import './inside.css';

const selectInside = (s: AppState) => s.inside;
const selectNorms = (s: AppState) => s.inside.norms;
const selectNormsRun = (s: AppState) => s.inside.normsRunId;
const selectNormsError = (s: AppState) => s.inside.normsError;
const selectRunList = (s: AppState) => s.runs.list;
const selectLastRun = (s: AppState) => s.training.lastRunId;
const selectRunsStatus = (s: AppState) => s.runs.status;

/**
 * Look inside: one test sample through a trained run's model, every layer's activations (also drawn on the canvas's
 * nodes while this tab is open), and, per layer, its weight / gradient / step norms: live while training, else as the
 * shown run kept them.
 */
export function InsidePanel() {
  const actions = useActions();
  const inside = useApp(selectInside);
  const runs = useApp(selectRunList);
  const runsStatus = useApp(selectRunsStatus);
  const lastRunId = useApp(selectLastRun);
  const norms = useThrottledApp(selectNorms, 250);
  const normsRunId = useApp(selectNormsRun);
  const normsError = useApp(selectNormsError);

  useEffect(() => {
    actions.setInsideOpen(true);
    return () => actions.setInsideOpen(false);
  }, [actions]);
  useEffect(() => {
    if (runsStatus === 'idle') void actions.refreshRuns();
  }, [actions, runsStatus]);
  // The list may not know the run that just ended yet: ask again when a new one kept a model.
  useEffect(() => {
    if (lastRunId) void actions.refreshRuns();
  }, [actions, lastRunId]);

  const normsRun = runs.find((r) => r.runId === normsRunId);
  const choices = useMemo(() => runs.filter((r) => r.hasModel), [runs]);
  const runId = inside.runId ?? lastRunId ?? choices[0]?.runId ?? null;
  const [index, setIndex] = useState(String(inside.index));
  const sample = Number(index);
  const validSample = index.trim() !== '' && Number.isInteger(sample) && sample >= 0;
  const show = (id: string | null, at: number) => {
    if (id) void actions.lookInside(id, at);
  };
  // Nothing charted yet (a reload, a run that sent none this session): the norms the shown run kept.
  useEffect(() => {
    if (runId && normsRunId === null) void actions.showRunNorms(runId);
  }, [actions, runId, normsRunId]);
  // The first time the tab opens with a trained run (or a run becomes known), show its sample.
  useEffect(() => {
    if (runId && !inside.report && !inside.loading && !inside.error) show(runId, inside.index);
  }, [runId]);

  const step = (delta: number) => {
    const next = Math.max(0, (inside.report?.index ?? sample) + delta);
    setIndex(String(next));
    show(runId, next);
  };
  const report = inside.report;
  const label = (r: (typeof choices)[number]) => `${r.projectName} · ${new Date(r.startedMs).toLocaleString()}${r.test ? ` · test acc ${(r.test.acc * 100).toFixed(1)} %` : ''}`;

  return (
    <div className="inside-panel" data-testid="inside-panel">
      <section className="inside-section">
        <div className="inside-controls">
          <label>
            Run{' '}
            <select
              data-testid="inside-run"
              value={runId ?? ''}
              onChange={(e) => {
                const id = e.target.value || null;
                show(id, validSample ? sample : 0);
                if (id) void actions.showRunNorms(id);
              }}
              disabled={choices.length === 0 && !runId}
            >
              {runId && !choices.some((r) => r.runId === runId) && <option value={runId}>the last run</option>}
              {choices.length === 0 && !runId && <option value="">no trained run yet</option>}
              {choices.map((r) => (
                <option key={r.runId} value={r.runId}>
                  {label(r)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Test sample{' '}
            <input
              data-testid="inside-sample"
              className="inside-sample"
              type="number"
              min={0}
              value={index}
              onChange={(e) => setIndex(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && validSample && show(runId, sample)}
              aria-invalid={!validSample}
            />
          </label>
          <button type="button" data-testid="inside-show" disabled={!runId || !validSample || inside.loading} onClick={() => show(runId, sample)}>
            Show
          </button>
          <button type="button" aria-label="Previous sample" disabled={!runId || inside.loading || (report?.index ?? 0) === 0} onClick={() => step(-1)}>
            ◀
          </button>
          <button type="button" aria-label="Next sample" disabled={!runId || inside.loading || (report !== null && report.index >= report.samples - 1)} onClick={() => step(1)}>
            ▶
          </button>
          {inside.loading && <span className="inside-status">Running the sample through the model…</span>}
          {report && !inside.loading && (
            <span className="inside-status" data-testid="inside-sample-info">
              Test sample {report.index} of {report.samples.toLocaleString('en-US')}
              {report.label !== undefined && `: ${report.label}`}
              {report.predicted && `, predicted ${report.predicted.label}${report.predicted.probability !== undefined ? ` (${(report.predicted.probability * 100).toFixed(1)} %)` : ''}`}
            </span>
          )}
        </div>
        {!runId && <div className="chart__empty">Train the network to look inside it: each layer's activations for a test sample appear here and on the canvas.</div>}
        {inside.error && (
          <div className="inside-error" role="alert" data-testid="inside-error">
            {inside.error}
          </div>
        )}
        {report && (
          <div className="inside-layers">
            {report.layers.map((l) => (
              <article key={l.layer} className="inside-layer" data-testid={`inside-layer-${l.layer}`}>
                <header>
                  <strong>{l.layer}</strong> <span className="inside-muted">{l.className} → [{l.shape.join(', ')}]</span>
                </header>
                <ActivationView activation={l} />
              </article>
            ))}
          </div>
        )}
      </section>
      <section className="inside-section">
        <h3 className="inside-heading">Is each layer learning? Norms of its weights, gradient and steps while training</h3>
        {normsRunId && normsRunId !== runId && norms.length > 0 && (
          <div className="inside-status" data-testid="inside-norms-run">
            {normsRun ? `The run of ${new Date(normsRun.startedMs).toLocaleString()}` : 'The run training now'}
          </div>
        )}
        {normsError && (
          <div className="inside-error" role="alert" data-testid="inside-norms-error">
            {normsError}
          </div>
        )}
        <NormCharts points={norms} />
      </section>
    </div>
  );
}
