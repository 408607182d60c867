import { memo, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { OPTIMIZERS, TrainingConfigSchema, datasetKey, type OptimizerName } from '../../../main/core/project';
import { useActions, useApp, useThrottledApp } from '../store/context';
import type { AppState } from '../store/appStore';
import { findDataset } from '../store/analysis';
import { useAnalysis, useAnalysisPending } from '../analysis/context';
import { isActive, outputNames, outputSeries, trainingStatusText, type BatchPoint, type EpochPoint, type TrainingState } from '../store/trainingState';
import { backendText, formatCount, formatEta, formatPercent } from '../format';
import { CommitField, parseNumber } from './fields';
import { ComputeSelect } from '../compute/ComputeSelect';
import { TrainingOptions } from './training/TrainingOptions';

const selectTraining = (s: AppState) => s.training;
const MAX_BATCH_POINTS = 400;

/** Keeps at most `max` evenly spaced batch points (always the last), so long runs stay fast to draw. */
function downsample(points: BatchPoint[], max: number): BatchPoint[] {
  if (points.length <= max) return points;
  const step = points.length / max;
  const out: BatchPoint[] = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * step)]);
  out.push(points[points.length - 1]);
  return out;
}

type Metric = 'loss' | 'acc' | 'mae';

const METRIC_TITLES: Record<Metric, string> = { loss: 'Loss', acc: 'Accuracy', mae: 'Mean absolute error' };
const VALIDATION_KEYS = { loss: 'valLoss', acc: 'valAcc', mae: 'valMae' } as const;

const MetricChart = memo(function MetricChart({
  metric,
  batches,
  epochs,
  maxEpoch,
}: {
  metric: Metric;
  batches: BatchPoint[];
  epochs: EpochPoint[];
  maxEpoch: number;
}) {
  const valKey = VALIDATION_KEYS[metric];
  const hasVal = epochs.some((e) => typeof e[valKey] === 'number');
  const title = METRIC_TITLES[metric];
  const fmt = (v: unknown) => (typeof v === 'number' ? (metric === 'acc' ? formatPercent(v) : v.toFixed(4)) : String(v));
  return (
    <figure className="chart" data-testid={metric === 'loss' ? 'loss-chart' : 'acc-chart'} data-metric={metric}>
      <figcaption className="chart__title">{title}</figcaption>
      {batches.length === 0 && epochs.length === 0 ? (
        <div className="chart__empty">No data yet — train to see the {title.toLowerCase()} curve.</div>
      ) : (
        <LineChart responsive style={{ width: '100%', height: 170 }} margin={{ top: 4, right: 12, bottom: 0, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" />
          <XAxis
            type="number"
            dataKey="x"
            domain={[0, Math.max(1, maxEpoch)]}
            allowDecimals={false}
            tickCount={Math.min(11, Math.max(2, maxEpoch + 1))}
            fontSize={11}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
          />
          <YAxis
            fontSize={11}
            width={48}
            domain={metric === 'acc' ? [0, 1] : ['auto', 'auto']}
            tickFormatter={(v: number) => (metric === 'acc' ? `${Math.round(v * 100)}%` : String(+v.toPrecision(3)))}
          />
          <Tooltip formatter={fmt} labelFormatter={(x) => `epoch ${typeof x === 'number' ? x.toFixed(2) : x}`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Line
            data={batches}
            dataKey={metric}
            name="train (batch)"
            stroke="#9db4d9"
            strokeWidth={1}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            data={epochs}
            dataKey={metric}
            name="train (epoch)"
            stroke="#2456a6"
            strokeWidth={1.5}
            dot={{ r: 3 }}
            isAnimationActive={false}
          />
          {hasVal && (
            <Line
              data={epochs}
              dataKey={valKey}
              name="validation"
              stroke="#d9822b"
              strokeWidth={1.5}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          )}
        </LineChart>
      )}
    </figure>
  );
});

function TrainingConfigForm({ disabled }: { disabled: boolean }) {
  const actions = useActions();
  const project = useApp((s) => s.project);
  const datasets = useApp((s) => s.data.datasets);
  const cfg = project.training;
  const shape = TrainingConfigSchema.shape;
  const numberField = (key: 'epochs' | 'batchSize' | 'learningRate', label: string, props: { min: number; max: number; step: number | 'any' }) => {
    // The schema decides; the message names the field and its range in words a person reads.
    const parse = (text: string): { value: number } | { problem: string } => {
      const n = parseNumber(text);
      const range = `${props.step === 1 ? 'a whole number ' : ''}between ${props.min} and ${props.max}`;
      if (n === null) return { problem: `${label} must be a number ${range}.` };
      const r = shape[key].safeParse(n);
      return r.success ? { value: r.data } : { problem: `${label} must be ${range}; ${text.trim()} is not.` };
    };
    return (
      <div className="field field--compact">
        <label className="field__label" htmlFor={`training-${key}`}>
          {label}
        </label>
        <CommitField
          id={`training-${key}`}
          testId={`training-${key}`}
          value={String(cfg[key])}
          inputProps={{ type: 'number', disabled, ...props }}
          check={(text) => {
            const r = parse(text);
            return 'problem' in r ? r.problem : null;
          }}
          onProblem={(problem) => actions.setSettingProblem(key, problem)}
          commit={(text) => {
            const r = parse(text);
            if ('problem' in r) return r.problem;
            actions.setTraining({ [key]: r.value });
            return null;
          }}
        />
      </div>
    );
  };
  const known = datasets.some((d) => d.id === datasetKey(project.dataset.source));
  return (
    <div className="training__config">
      <div className="field field--compact">
        <label className="field__label" htmlFor="dataset-select">
          Dataset
        </label>
        <select
          id="dataset-select"
          data-testid="dataset-select"
          className="field__input"
          value={datasetKey(project.dataset.source)}
          disabled={disabled}
          onChange={(e) => actions.setDatasetId(e.target.value)}
        >
          {!known && <option value={datasetKey(project.dataset.source)}>{datasetKey(project.dataset.source)} (not available)</option>}
          {datasets.map((d) => (
            <option key={d.id} value={d.id} title={d.description}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      {numberField('epochs', 'Epochs', { min: 1, max: 10000, step: 1 })}
      {numberField('batchSize', 'Batch size', { min: 1, max: 65536, step: 1 })}
      {numberField('learningRate', 'Learning rate', { min: 0, max: 10, step: 'any' })}
      <div className="field field--compact">
        <label className="field__label" htmlFor="training-optimizer">
          Optimizer
        </label>
        <select
          id="training-optimizer"
          data-testid="training-optimizer"
          className="field__input"
          value={cfg.optimizer}
          disabled={disabled}
          onChange={(e) => actions.setTraining({ optimizer: e.target.value as OptimizerName })}
        >
          {OPTIMIZERS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function statusClass(t: TrainingState): string {
  if (t.status === 'failed') return 'training__status--failed';
  if (t.status === 'completed') return 'training__status--ok';
  if (t.status === 'stopped') return 'training__status--warn';
  return '';
}

export function TrainingPanel() {
  const actions = useActions();
  const t = useThrottledApp(selectTraining, 100);
  const project = useApp((s) => s.project);
  const datasets = useApp((s) => s.data.datasets);
  const ready = useApp((s) => s.engine.ready);
  const connection = useApp((s) => s.engine.connection);
  const exportResult = useApp((s) => s.training.exportResult);
  const analysis = useAnalysis();
  const checking = useAnalysisPending();
  const active = isActive(t.status);
  const invalidSetting = useApp((s) => Object.values(s.ui.invalidSettings)[0] ?? null);

  let reason: string | null = null;
  if (!ready) reason = 'Connecting to the engine…';
  else if (connection === 'closed' || connection === 'failed') reason = 'Not connected to the engine.';
  else if (invalidSetting && !active) reason = `Fix the setting first: ${invalidSetting}`;
  else if (active) reason = null;
  else if (checking) reason = 'Checking the network…';
  else if (!analysis.valid) {
    const first = analysis.errors[0] ?? Object.values(analysis.nodes).find((n) => n.errors.length)?.errors[0];
    reason = first ? `Fix the network first: ${first}` : 'Fix the network first.';
  } else if (datasets.length && !findDataset(project, datasets)) reason = `The dataset “${datasetKey(project.dataset.source)}” is not available; pick another.`;

  const allBatches = useMemo(() => downsample(t.batchSeries, MAX_BATCH_POINTS), [t.batchSeries]);
  // Several outputs: the charts show the total (loss) and first output (metric), or one output picked here.
  const names = outputNames(t.epochSeries, t.batchSeries);
  const [chosenOutput, setChosenOutput] = useState('');
  const shownOutput = names.includes(chosenOutput) ? chosenOutput : '';
  const batches = useMemo(() => (shownOutput ? outputSeries(allBatches, shownOutput) : allBatches), [allBatches, shownOutput]);
  const epochSeries = useMemo(() => (shownOutput ? outputSeries(t.epochSeries, shownOutput) : t.epochSeries), [t.epochSeries, shownOutput]);
  const pct = Math.round(t.progress * 1000) / 10;
  const maxEpoch = t.epochs || project.training.epochs;
  // Regression runs report mean absolute error where classification runs report accuracy.
  const regression = epochSeries.some((e) => e.mae !== undefined) || batches.some((b) => b.mae !== undefined);

  return (
    <section className="training" aria-label="Training">
      <div className="training__left">
        <h2 className="panel-title">Training</h2>
        <TrainingConfigForm disabled={active} />
        <ComputeSelect disabled={active} />
        <div className="training__buttons">
          <button
            type="button"
            className="btn btn--primary"
            data-testid="train-button"
            disabled={active || reason !== null}
            title={reason ?? 'Train the network on the dataset'}
            onClick={() => void actions.startTraining()}
          >
            Train
          </button>
          <button
            type="button"
            className="btn"
            data-testid="stop-button"
            disabled={!active || t.status === 'stopping' || !t.runId}
            title="Stop after the current batch and keep the model trained so far"
            onClick={() => void actions.stopTraining()}
          >
            Stop
          </button>
          <button
            type="button"
            className="btn"
            data-testid="pause-button"
            disabled={(t.status !== 'running' && t.status !== 'paused') || !t.runId || t.pauseRequested}
            title={t.status === 'paused' ? 'Continue training from where it paused' : 'Pause after the current batch'}
            onClick={() => void (t.status === 'paused' ? actions.resumeTraining() : actions.pauseTraining())}
          >
            {t.status === 'paused' ? 'Resume' : 'Pause'}
          </button>
        </div>
        {reason && !active && (
          <div className="training__reason" data-testid="train-disabled-reason">
            {reason}
          </div>
        )}
        <TrainingOptions disabled={active} />
      </div>

      <div className="training__middle">
        <div className={`training__status ${statusClass(t)}`} data-testid="training-status" role="status">
          {/* A failure's message is in the error box right below; the status line stays one short word. */}
          {t.status === 'failed' && t.error ? 'Failed' : trainingStatusText(t)}
        </div>
        {t.status === 'failed' && t.error && (
          <div className="training__error" role="alert" data-testid="training-error">
            {t.error}
          </div>
        )}
        <div
          className="progress"
          data-testid="progress-bar"
          role="progressbar"
          aria-label="Training progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
        >
          <div className="progress__fill" style={{ width: `${pct}%` }} />
        </div>
        <div className="training__numbers">
          <span>{pct.toFixed(0)}%</span>
          {active && <span data-testid="training-eta">{formatEta(t.etaSec)}</span>}
          {t.samplesPerSec !== null && <span>{formatCount(Math.round(t.samplesPerSec))} samples/s</span>}
        </div>
        {t.backend && <div className="training__meta">{backendText(t.backend)}</div>}
        {t.trainSamples > 0 && (
          <div className="training__meta">
            {formatCount(t.trainSamples)} train · {formatCount(t.valSamples)} validation · {formatCount(t.testSamples)} test samples
          </div>
        )}
        {t.epochSeries.length > 0 && regression && (
          <div className="training__meta">
            Last epoch: loss {t.epochSeries[t.epochSeries.length - 1].loss.toFixed(4)}, MAE {t.epochSeries[t.epochSeries.length - 1].mae!.toPrecision(4)}
            {typeof t.epochSeries[t.epochSeries.length - 1].valMae === 'number' && `, validation MAE ${t.epochSeries[t.epochSeries.length - 1].valMae!.toPrecision(4)}`}
          </div>
        )}
        {t.epochSeries.length > 0 && !regression && (
          <div className="training__meta">
            Last epoch: loss {t.epochSeries[t.epochSeries.length - 1].loss.toFixed(4)}, accuracy{' '}
            {formatPercent(t.epochSeries[t.epochSeries.length - 1].acc)}
            {typeof t.epochSeries[t.epochSeries.length - 1].valAcc === 'number' &&
              `, validation ${formatPercent(t.epochSeries[t.epochSeries.length - 1].valAcc!)}`}
          </div>
        )}
        {t.test && t.evaluation?.regression && (
          <div className="training__test" data-testid="test-regression">
            Test MAE: <strong>{t.evaluation.regression.mae.toPrecision(4)}</strong>, R² {t.evaluation.regression.r2.toFixed(3)} (loss {t.test.loss.toFixed(4)})
          </div>
        )}
        {t.test && t.evaluation?.reconstruction && (
          <div className="training__test" data-testid="test-reconstruction">
            Test reconstruction MSE: <strong>{t.evaluation.reconstruction.mse.toPrecision(4)}</strong>, PSNR {t.evaluation.reconstruction.psnr.toFixed(1)} dB (the mean
            test sample: MSE {t.evaluation.reconstruction.baselineMse.toPrecision(4)})
          </div>
        )}
        {t.test && !t.evaluation?.regression && !t.evaluation?.reconstruction && (
          <div className="training__test" data-testid="test-accuracy">
            Test accuracy: <strong>{formatPercent(t.test.acc)}</strong> (loss {t.test.loss.toFixed(4)})
          </div>
        )}
        <button
          type="button"
          className="btn"
          data-testid="panel-export-button"
          disabled={!t.lastRunId || active}
          title={t.lastRunId ? 'Export the trained model and TypeScript code' : 'Train a model first'}
          onClick={() => t.lastRunId && actions.askExport({ runId: t.lastRunId, from: 'training' })}
        >
          Export model…
        </button>
        {exportResult && (
          <div className="export-result" data-testid="export-result">
            Exported to <code>{exportResult.dir}</code>
            <ul>
              {exportResult.files.map((f) => (
                <li key={f}>
                  <code>{f}</code>
                </li>
              ))}
            </ul>
          </div>
        )}
        {t.log.length > 0 && (
          <details className="training__log">
            <summary>Log ({t.log.length})</summary>
            <pre>{t.log.join('\n')}</pre>
          </details>
        )}
      </div>

      <div className="training__charts">
        {names.length > 1 && (
          <div className="field field--compact training__output-select">
            <label className="field__label" htmlFor="training-output">
              Output
            </label>
            <select id="training-output" data-testid="training-output" className="field__input" value={shownOutput} onChange={(e) => setChosenOutput(e.target.value)}>
              <option value="">All: total loss, {names[0]}&apos;s metric</option>
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
        )}
        <MetricChart metric="loss" batches={batches} epochs={epochSeries} maxEpoch={maxEpoch} />
        <MetricChart metric={regression ? 'mae' : 'acc'} batches={batches} epochs={epochSeries} maxEpoch={maxEpoch} />
      </div>
    </section>
  );
}
