import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunDetails } from '../../../main/core/api/contract';
import type { ClassificationReport, EvaluationReport, GalleryItem, ReconstructionReport, RegressionReport, RocCurve } from '../../../main/core/metrics';
import type { AppState } from '../store/appStore';
import { useActions, useApp } from '../store/context';
import { galleryOrder, rowNormalize } from '../store/trainingState';
import { formatCount, formatPercent } from '../format';
import './training/training-extras.css';

const MAX_GALLERY = 48;

const selectLive = (s: AppState) => s.training.evaluation;
const selectRunId = (s: AppState) => s.runs.evaluationRunId;

function num(v: number, digits = 4): string {
  return Number.isFinite(v) ? String(+v.toFixed(digits)) : '—';
}

/** Cell background for a row-normalized confusion value (0..1): white to the accent blue. */
export function heatColor(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(255, 36)}, ${mix(255, 86)}, ${mix(255, 166)})`;
}

export function ConfusionMatrix({ report }: { report: ClassificationReport }) {
  const { classNames, confusion } = report;
  const norm = useMemo(() => rowNormalize(confusion), [confusion]);
  return (
    <div className="eval-section">
      <h3 className="eval-section__title">Confusion matrix</h3>
      <div className="confusion-wrap">
        <table className="confusion" data-testid="confusion-matrix" aria-label="Confusion matrix: rows are actual classes, columns predicted classes">
          <thead>
            <tr>
              <th className="confusion__corner" scope="col">
                <span className="confusion__axis">actual ↓ / predicted →</span>
              </th>
              {classNames.map((c, j) => (
                <th key={j} scope="col" className="confusion__head" title={`predicted ${c}`}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {confusion.map((row, i) => (
              <tr key={i}>
                <th scope="row" className="confusion__head confusion__head--row" title={`actual ${classNames[i] ?? i}`}>
                  {classNames[i] ?? i}
                </th>
                {row.map((count, j) => {
                  const v = norm[i][j];
                  return (
                    <td
                      key={j}
                      className={`confusion__cell${i === j ? ' confusion__cell--diag' : ''}`}
                      data-value={v.toFixed(4)}
                      style={{ background: heatColor(v), color: v > 0.5 ? '#fff' : undefined }}
                      title={`actual ${classNames[i] ?? i}, predicted ${classNames[j] ?? j}: ${count} (${formatPercent(v)} of the row)`}
                    >
                      {count}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function PerClassTable({ report }: { report: ClassificationReport }) {
  return (
    <div className="eval-section">
      <h3 className="eval-section__title">Per class</h3>
      <table className="eval-table" data-testid="eval-per-class">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
            <th scope="col">F1</th>
            <th scope="col">Support</th>
          </tr>
        </thead>
        <tbody>
          {report.perClass.map((m, i) => (
            <tr key={i}>
              <th scope="row">{report.classNames[i] ?? i}</th>
              <td>{num(m.precision, 3)}</td>
              <td>{num(m.recall, 3)}</td>
              <td>{num(m.f1, 3)}</td>
              <td>{formatCount(m.support)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Macro F1</th>
            <td colSpan={2} />
            <td>{num(report.macroF1, 3)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

const RocChart = memo(function RocChart({ roc, positive }: { roc: RocCurve; positive: string }) {
  const diagonal = [
    { fpr: 0, tpr: 0 },
    { fpr: 1, tpr: 1 },
  ];
  return (
    <figure className="chart eval-section" data-testid="eval-roc">
      <figcaption className="chart__title">
        ROC curve (positive class “{positive}”) — AUC <strong data-testid="eval-auc">{num(roc.auc, 3)}</strong>
      </figcaption>
      <LineChart responsive style={{ width: '100%', maxWidth: 320, height: 230 }} margin={{ top: 4, right: 12, bottom: 14, left: -8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" />
        <XAxis type="number" dataKey="fpr" domain={[0, 1]} fontSize={11} label={{ value: 'false positive rate', position: 'insideBottom', offset: -2, fontSize: 11 }} />
        <YAxis type="number" dataKey="tpr" domain={[0, 1]} fontSize={11} width={40} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} labelFormatter={(x) => `FPR ${typeof x === 'number' ? x.toFixed(3) : x}`} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        <Line data={diagonal} dataKey="tpr" name="chance" stroke="#b0b6c0" strokeDasharray="4 4" dot={false} isAnimationActive={false} />
        <Line data={roc.points} dataKey="tpr" name="model" stroke="#2456a6" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </figure>
  );
});

function RegressionMetrics({ report }: { report: RegressionReport }) {
  return (
    <dl className="eval-metrics" data-testid="eval-regression">
      <div>
        <dt>MAE</dt>
        <dd>{num(report.mae)}</dd>
      </div>
      <div>
        <dt>RMSE</dt>
        <dd>{num(report.rmse)}</dd>
      </div>
      <div>
        <dt>R²</dt>
        <dd>{num(report.r2)}</dd>
      </div>
    </dl>
  );
}

function ReconstructionMetrics({ report }: { report: ReconstructionReport }) {
  return (
    <dl className="eval-metrics" data-testid="eval-reconstruction">
      <div>
        <dt>Reconstruction MSE</dt>
        <dd data-testid="eval-mse">{num(report.mse, 5)}</dd>
      </div>
      <div>
        <dt>PSNR</dt>
        <dd data-testid="eval-psnr">{num(report.psnr, 1)} dB</dd>
      </div>
      <div>
        <dt>MAE</dt>
        <dd>{num(report.mae)}</dd>
      </div>
      <div title="The MSE of always answering the mean test sample: what a network that learned nothing about each sample reaches.">
        <dt>MSE of the mean sample</dt>
        <dd data-testid="eval-baseline-mse">{num(report.baselineMse, 5)}</dd>
      </div>
    </dl>
  );
}

/** Test samples spread over the split, each original above the network's reconstruction of it. */
function ReconstructionGrid({ items, report }: { items: GalleryItem[]; report: EvaluationReport }) {
  const shown = items.slice(0, MAX_GALLERY);
  return (
    <div className="eval-section">
      <h3 className="eval-section__title">
        Reconstructions — {shown.length} of {report.samples.toLocaleString('en-US')} test samples: the original above, the network’s output beneath
      </h3>
      {shown.length === 0 ? (
        <div className="muted">No test samples to show.</div>
      ) : (
        <ul className="gallery" data-testid="reconstruction-grid">
          {shown.map((item) => (
            <li key={item.index} className="gallery__item" data-testid="reconstruction-item" title={`test sample #${item.index}`}>
              {item.image && item.reconstruction ? (
                <>
                  <Thumbnail image={item.image} testId="reconstruction-original" label={`test sample #${item.index}`} />
                  <Thumbnail image={item.reconstruction} testId="reconstruction-output" label={`reconstruction of test sample #${item.index}`} />
                </>
              ) : (
                <>
                  <code className="gallery__features">{item.actual}</code>
                  <code className="gallery__features">{item.predicted}</code>
                </>
              )}
              {typeof item.error === 'number' && <div className="gallery__caption">MSE {num(item.error, 4)}</div>}
            </li>
          ))}
        </ul>
      )}
      <div className="field__help">original / reconstruction · the sample’s mean squared error</div>
    </div>
  );
}

/** Draws an HWC byte image (1, 3 or 4 channels) on a canvas. */
function Thumbnail({ image, testId, label }: { image: NonNullable<GalleryItem['image']>; testId?: string; label?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const { width, height, channels, pixels } = image;
    const data = ctx.createImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      const src = p * channels;
      const dst = p * 4;
      if (channels >= 3) {
        data.data[dst] = pixels[src];
        data.data[dst + 1] = pixels[src + 1];
        data.data[dst + 2] = pixels[src + 2];
      } else {
        data.data[dst] = data.data[dst + 1] = data.data[dst + 2] = pixels[src];
      }
      data.data[dst + 3] = channels === 4 ? pixels[src + 3] : 255;
    }
    ctx.putImageData(data, 0, 0);
  }, [image]);
  return <canvas ref={ref} className="gallery__image" width={image.width} height={image.height} data-testid={testId} aria-label={label} />;
}

function Gallery({ items, report }: { items: GalleryItem[]; report: EvaluationReport }) {
  const task = report.task;
  const ordered = useMemo(() => galleryOrder(items).slice(0, MAX_GALLERY), [items]);
  // Mistakes over the whole test set (the gallery shows only a sample of them).
  const confusion = report.classification?.confusion;
  const wrong = confusion ? report.samples - confusion.reduce((sum, row, i) => sum + row[i], 0) : items.filter((i) => !i.correct).length;
  return (
    <div className="eval-section">
      <h3 className="eval-section__title">
        Predictions —{' '}
        {task === 'classification'
          ? `mistakes first (${wrong.toLocaleString('en-US')} of ${report.samples.toLocaleString('en-US')} test samples are wrong)`
          : `${items.length} test samples, worst first`}
      </h3>
      {ordered.length === 0 ? (
        <div className="muted">No test samples to show.</div>
      ) : (
        <ul className="gallery" data-testid="prediction-gallery">
          {ordered.map((item, k) => (
            <li
              key={`${item.index}-${k}`}
              className={`gallery__item${item.correct ? '' : ' gallery__item--wrong'}`}
              data-testid="gallery-item"
              data-correct={item.correct ? 'true' : 'false'}
              title={`test sample #${item.index}`}
            >
              {item.image ? (
                <Thumbnail image={item.image} />
              ) : item.features ? (
                <code className="gallery__features">
                  {item.features
                    .slice(0, 4)
                    .map((f) => +f.toPrecision(3))
                    .join(', ')}
                  {item.features.length > 4 ? ', …' : ''}
                </code>
              ) : null}
              <div className="gallery__caption">
                <span className={item.correct ? undefined : 'error-text'}>{item.predicted}</span> / {item.actual}
              </div>
              {typeof item.confidence === 'number' && <div className="gallery__confidence">{formatPercent(item.confidence, 0)}</div>}
            </li>
          ))}
        </ul>
      )}
      <div className="field__help">predicted / true{task === 'classification' ? ' · confidence of the prediction' : ''}</div>
    </div>
  );
}

/** The whole evaluation report; exported for tests and reuse. */
export function EvaluationReportView({ report }: { report: EvaluationReport }) {
  const c = report.classification;
  return (
    <div className="eval-report">
      <dl className="eval-metrics" data-testid="eval-summary">
        <div>
          <dt>Test loss</dt>
          <dd data-testid="eval-loss">{num(report.loss)}</dd>
        </div>
        {c && (
          <div>
            <dt>Test accuracy</dt>
            <dd data-testid="eval-accuracy">{formatPercent(c.accuracy)}</dd>
          </div>
        )}
        {c && (
          <div>
            <dt>Macro F1</dt>
            <dd>{num(c.macroF1, 3)}</dd>
          </div>
        )}
        <div>
          <dt>Test samples</dt>
          <dd>{formatCount(report.samples)}</dd>
        </div>
      </dl>
      {report.regression && <RegressionMetrics report={report.regression} />}
      {report.reconstruction && <ReconstructionMetrics report={report.reconstruction} />}
      <div className="eval-grid">
        {c && <PerClassTable report={c} />}
        {c && <ConfusionMatrix report={c} />}
        {c?.roc && <RocChart roc={c.roc} positive={c.classNames[1] ?? '1'} />}
        <div className="eval-grid__gallery">
          {report.reconstruction ? <ReconstructionGrid items={report.gallery} report={report} /> : <Gallery items={report.gallery} report={report} />}
        </div>
      </div>
    </div>
  );
}

/**
 * A report of a network with several outputs: a selector of the output and that output's report (its own loss);
 * the total loss (Σ loss weight · loss) stays in view. One output: the report as it is.
 */
export function EvaluationOutputsView({ report, initial = 0 }: { report: EvaluationReport; initial?: number }) {
  const [chosen, setChosen] = useState(initial);
  const outputs = report.outputs;
  if (!outputs || outputs.length < 2) return <EvaluationReportView report={report} />;
  const index = Math.min(chosen, outputs.length - 1);
  return (
    <div className="eval-outputs" data-testid="eval-outputs">
      <div className="eval-outputs__bar">
        <label className="field__label" htmlFor="eval-output">
          Output
        </label>{' '}
        <select id="eval-output" data-testid="eval-output" className="field__input" value={index} onChange={(e) => setChosen(Number(e.target.value))}>
          {outputs.map((o, i) => (
            <option key={o.name} value={i}>
              {o.name} ({o.task === 'classification' ? 'classes' : o.task === 'reconstruction' ? 'reconstruction' : 'values'})
            </option>
          ))}
        </select>{' '}
        <span className="muted" data-testid="eval-total-loss">
          Total test loss of all outputs: {num(report.loss)}
        </span>
      </div>
      <EvaluationReportView report={outputs[index]} />
    </div>
  );
}

function runTitle(d: RunDetails | undefined, runId: string): string {
  if (!d) return runId;
  return `${d.summary.projectName} — ${new Date(d.summary.startedMs).toLocaleString()}`;
}

/** The Evaluation tab: the followed run's test-set evaluation, or a stored run picked in the Runs tab. */
export function EvaluationPanel() {
  const actions = useActions();
  const live = useApp(selectLive);
  const runId = useApp(selectRunId);
  const details = useApp((s) => (runId ? s.runs.details[runId] : undefined));
  const loading = useApp((s) => (runId ? s.runs.loadingDetails.includes(runId) : false));
  const report = runId ? (details?.evaluation ?? null) : live;

  useEffect(() => {
    if (runId && !details) void actions.loadRunDetails(runId);
  }, [runId, details, actions]);

  return (
    <section className="eval-panel" aria-label="Evaluation" data-testid="evaluation-panel">
      <div className="eval-panel__header">
        <h2 className="panel-title">Evaluation{runId ? ` — ${runTitle(details, runId)}` : ' — latest run'}</h2>
        {runId && (
          <button type="button" className="btn btn--small" data-testid="eval-show-latest" onClick={() => void actions.openRunEvaluation(null)}>
            Show latest run
          </button>
        )}
      </div>
      {report ? (
        <EvaluationOutputsView report={report} />
      ) : (
        <div className="muted" data-testid="eval-empty">
          {runId
            ? loading
              ? 'Loading the run…'
              : details
                ? 'This run has no test-set evaluation (it needs a test split and at least one finished epoch).'
                : 'Could not load this run.'
            : 'Train a model to see how it does on the test set. The evaluation appears here when training ends.'}
        </div>
      )}
    </section>
  );
}
