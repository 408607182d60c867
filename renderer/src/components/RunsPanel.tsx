import { memo, useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunDetails, RunSummary } from '../../../main/core/api/contract';
import type { AppState } from '../store/appStore';
import { useActions, useApp } from '../store/context';
import { overlaySeries } from '../store/slices/runs';
import { formatPercent } from '../format';
import './training/training-extras.css';

const COLORS = ['#2456a6', '#d9822b', '#2e7d32', '#c62828', '#7b3fa0', '#00838f', '#8d6e63', '#e91e63', '#546e7a', '#9e9d24'];

const selectRuns = (s: AppState) => s.runs;

function fmtDate(ms: number): string {
  const d = new Date(ms);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  // With seconds: runs started in the same minute (quick experiments) must still be told apart in the list and the legend.
  return d.toLocaleString(undefined, { ...(sameYear ? {} : { year: 'numeric' }), month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function maybePercent(v: number | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? formatPercent(v) : '—';
}

function maybeNum(v: number | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '—';
}

const OverlayChart = memo(function OverlayChart({
  runIds,
  details,
  list,
  metric,
}: {
  runIds: string[];
  details: Record<string, RunDetails>;
  list: RunSummary[];
  metric: 'loss' | 'acc';
}) {
  const lines = useMemo(
    () =>
      runIds.flatMap((id, i) => {
        const d = details[id];
        if (!d) return [];
        const { points, validation } = overlaySeries(d.history, metric);
        const summary = list.find((r) => r.runId === id) ?? d.summary;
        const name = `${summary.projectName} · ${fmtDate(summary.startedMs)}${validation ? '' : ' (train)'}`;
        return [{ id, name, points, color: COLORS[i % COLORS.length] }];
      }),
    [runIds, details, list, metric],
  );
  const maxEpoch = Math.max(1, ...lines.flatMap((l) => l.points.map((p) => p.x)));
  return (
    <figure className="chart runs-chart" data-testid="runs-overlay-chart">
      <figcaption className="chart__title">Validation {metric === 'loss' ? 'loss' : 'accuracy'} per epoch</figcaption>
      {lines.length === 0 ? (
        <div className="chart__empty">Tick runs in the list to compare them here.</div>
      ) : (
        <LineChart responsive style={{ width: '100%', height: 200 }} margin={{ top: 4, right: 12, bottom: 0, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" />
          <XAxis type="number" dataKey="x" domain={[1, maxEpoch]} allowDecimals={false} fontSize={11} label={{ value: 'epoch', position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
          <YAxis
            fontSize={11}
            width={48}
            domain={metric === 'acc' ? [0, 1] : ['auto', 'auto']}
            tickFormatter={(v: number) => (metric === 'acc' ? `${Math.round(v * 100)}%` : String(+v.toPrecision(3)))}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? (metric === 'acc' ? formatPercent(v) : v.toFixed(4)) : String(v))}
            labelFormatter={(x) => `epoch ${x}`}
          />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {lines.map((l) => (
            <Line key={l.id} data={l.points} dataKey="y" name={l.name} stroke={l.color} strokeWidth={1.5} dot={{ r: 2 }} isAnimationActive={false} />
          ))}
        </LineChart>
      )}
    </figure>
  );
});

function RunRow({ run, color, selected }: { run: RunSummary; color: string | null; selected: boolean }) {
  const actions = useActions();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const finished = run.status !== 'running';
  return (
    <tr data-testid="run-row" data-run-id={run.runId} className={selected ? 'runs__row--selected' : undefined}>
      <td>
        <input
          type="checkbox"
          data-testid="run-select"
          aria-label={`Show run of ${fmtDate(run.startedMs)} on the chart`}
          checked={selected}
          onChange={(e) => actions.toggleRunOverlay(run.runId, e.target.checked)}
        />
        {color && <span className="runs__swatch" style={{ background: color }} aria-hidden="true" />}
      </td>
      <td>{fmtDate(run.startedMs)}</td>
      <td>{run.projectName}</td>
      <td>{run.datasetName}</td>
      <td>{run.backend ?? '—'}</td>
      <td className={`runs__status runs__status--${run.status}`}>{run.status}</td>
      <td className="num">{run.epochsCompleted}</td>
      <td className="num">{maybePercent(run.best?.valAcc)}</td>
      <td className="num">{maybeNum(run.best?.valLoss)}</td>
      <td className="num">{maybePercent(run.test?.acc)}</td>
      <td className="runs__actions" title={run.runId}>
        {confirming ? (
          <span className="runs__confirm" role="group" aria-label="Confirm delete">
            Delete this run?{' '}
            <button
              type="button"
              className="btn btn--small btn--danger"
              data-testid="run-delete-confirm"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void actions.deleteRun(run.runId).then((ok) => {
                  setBusy(false);
                  if (!ok) setConfirming(false);
                });
              }}
            >
              Delete
            </button>{' '}
            <button type="button" className="btn btn--small" data-testid="run-delete-cancel" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <>
            <button type="button" className="btn btn--small" data-testid="run-open-eval" disabled={!finished} onClick={() => void actions.openRunEvaluation(run.runId)}>
              Evaluation
            </button>{' '}
            <button
              type="button"
              className="btn btn--small"
              data-testid="run-open-inside"
              disabled={!finished}
              title="Its layers' norms during training, and its activations when it kept a model"
              onClick={() => actions.openRunInside(run.runId, run.hasModel)}
            >
              Inside
            </button>{' '}
            <button
              type="button"
              className="btn btn--small"
              data-testid="run-export"
              disabled={!run.hasModel || !finished}
              title={run.hasModel ? 'Export this run’s model and TypeScript code' : 'This run kept no model'}
              onClick={() => actions.askExport({ runId: run.runId, from: 'runs' })}
            >
              Export
            </button>{' '}
            <button type="button" className="btn btn--small btn--danger" data-testid="run-delete" disabled={!finished} onClick={() => setConfirming(true)}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

/** The Runs tab: run history from runs.list, an overlay chart of the ticked runs, and per-run actions. */
export function RunsPanel() {
  const actions = useActions();
  const runs = useApp(selectRuns);
  const [metric, setMetric] = useState<'loss' | 'acc'>('loss');

  useEffect(() => {
    if (runs.status === 'idle') void actions.refreshRuns();
  }, [runs.status, actions]);

  return (
    <section className="runs-panel" aria-label="Runs" data-testid="runs-panel">
      <div className="runs-panel__list">
        <div className="runs-panel__header">
          <h2 className="panel-title">Runs</h2>
          <button type="button" className="btn btn--small" data-testid="runs-refresh" disabled={runs.status === 'loading'} onClick={() => void actions.refreshRuns()}>
            {runs.status === 'loading' ? 'Loading…' : 'Refresh'}
          </button>
        </div>
        {runs.status === 'error' && (
          <div className="error-text" role="alert">
            Could not list the runs: {runs.error}
          </div>
        )}
        {runs.list.length === 0 && runs.status === 'ready' && <div className="muted" data-testid="runs-empty">No runs yet — train a model and it shows up here.</div>}
        {runs.list.length > 0 && (
          <table className="runs-table" data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col" aria-label="On chart" />
                <th scope="col">Date</th>
                <th scope="col">Project</th>
                <th scope="col">Dataset</th>
                <th scope="col">Backend</th>
                <th scope="col">Status</th>
                <th scope="col">Epochs</th>
                <th scope="col" title="Best validation accuracy">Val acc</th>
                <th scope="col" title="Best validation loss">Val loss</th>
                <th scope="col" title="Test-set accuracy">Test acc</th>
                <th scope="col" aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {runs.list.map((run) => {
                const i = runs.overlay.indexOf(run.runId);
                return <RunRow key={run.runId} run={run} selected={i >= 0} color={i >= 0 ? COLORS[i % COLORS.length] : null} />;
              })}
            </tbody>
          </table>
        )}
        {runs.exportResult && (
          <div className="export-result" data-testid="runs-export-result">
            Exported to <code>{runs.exportResult.dir}</code>
            <ul>
              {runs.exportResult.files.map((f) => (
                <li key={f}>
                  <code>{f}</code>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <div className="runs-panel__chart">
        <div className="field field--compact runs-panel__metric">
          <label className="field__label" htmlFor="runs-overlay-metric">
            Compare
          </label>
          <select id="runs-overlay-metric" data-testid="runs-overlay-metric" className="field__input" value={metric} onChange={(e) => setMetric(e.target.value as 'loss' | 'acc')}>
            <option value="loss">Validation loss</option>
            <option value="acc">Validation accuracy</option>
          </select>
          {runs.loadingDetails.some((id) => runs.overlay.includes(id)) && <span className="muted">Loading…</span>}
        </div>
        <OverlayChart runIds={runs.overlay} details={runs.details} list={runs.list} metric={metric} />
      </div>
    </section>
  );
}
