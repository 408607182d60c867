import { memo, useEffect, useMemo, useRef } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { DataProblem, DatasetInfo, DatasetPreview } from '../../../../main/core/datasets';
import { formatShape } from '../../../../main/core/shapes';
import { formatCount } from '../../format';

type ImageSet = NonNullable<DatasetPreview['images']>;
type Table = NonNullable<DatasetPreview['table']>;

const SERIES_COLORS = ['#2456a6', '#d9822b', '#2e7d32', '#8e44ad', '#c62828', '#00838f'];

/** One sample drawn pixel for pixel onto a canvas (HWC bytes, 1 or 3 channels), scaled up by CSS. */
const SampleImage = memo(function SampleImage({ width, height, channels, pixels, label }: { width: number; height: number; channels: number; pixels: number[]; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    for (let i = 0, n = width * height; i < n; i++) {
      const r = pixels[i * channels] ?? 0;
      img.data[i * 4] = r;
      img.data[i * 4 + 1] = channels === 3 ? (pixels[i * 3 + 1] ?? 0) : r;
      img.data[i * 4 + 2] = channels === 3 ? (pixels[i * 3 + 2] ?? 0) : r;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [width, height, channels, pixels]);
  return (
    <figure className="data-image" data-testid="data-image">
      <canvas ref={ref} width={width} height={height} aria-label={`sample labelled ${label}`} />
      <figcaption title={label}>{label}</figcaption>
    </figure>
  );
});

function ImageGrid({ images }: { images: ImageSet }) {
  return (
    <div className="data-images" data-testid="data-images">
      {images.samples.map((s, i) => (
        <SampleImage key={i} width={images.width} height={images.height} channels={images.channels} pixels={s.pixels} label={s.label} />
      ))}
    </div>
  );
}

function PreviewTable({ table }: { table: Table }) {
  return (
    <div className="data-table-wrap">
      <table className="data-table" data-testid="data-table">
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c.name} scope="col">
                {c.name}
                <span className="data-table__type" data-testid="data-column-type">
                  {c.type}
                  {c.distinct !== undefined ? ` · ${c.distinct}` : ''}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={r}>
              {table.columns.map((c, i) => (
                <td key={c.name} title={row[i]}>
                  {row[i]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SeriesPlot({ series }: { series: NonNullable<DatasetPreview['series']> }) {
  const data = useMemo(() => {
    const n = Math.max(0, ...series.map((s) => s.values.length));
    return Array.from({ length: n }, (_, i) => {
      const point: Record<string, number> = { i };
      series.forEach((s, k) => {
        if (i < s.values.length) point[`s${k}`] = s.values[i];
      });
      return point;
    });
  }, [series]);
  return (
    <figure className="chart data-series" data-testid="data-series">
      <figcaption className="chart__title">Series</figcaption>
      <LineChart responsive data={data} style={{ width: '100%', height: 150 }} margin={{ top: 4, right: 12, bottom: 0, left: -8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" />
        <XAxis dataKey="i" type="number" fontSize={11} domain={['dataMin', 'dataMax']} />
        <YAxis fontSize={11} width={48} tickFormatter={(v: number) => String(+v.toPrecision(3))} />
        <Tooltip />
        {series.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
        {series.map((s, k) => (
          <Line key={k} dataKey={`s${k}`} name={s.name} stroke={SERIES_COLORS[k % SERIES_COLORS.length]} strokeWidth={1.5} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </figure>
  );
}

function ClassBalance({ info }: { info: DatasetInfo }) {
  const counts = info.classCounts;
  const data = useMemo(() => (counts ?? []).map((count, i) => ({ name: info.classNames[i] ?? String(i), count })), [counts, info.classNames]);
  if (!counts?.length) return null;
  return (
    <figure className="chart data-balance" data-testid="class-balance">
      <figcaption className="chart__title">Class balance</figcaption>
      <BarChart responsive data={data} style={{ width: '100%', height: 150 }} margin={{ top: 4, right: 12, bottom: 0, left: -8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" vertical={false} />
        <XAxis dataKey="name" fontSize={11} interval={0} tick={data.length <= 20} />
        <YAxis fontSize={11} width={48} allowDecimals={false} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? formatCount(v) : String(v))} />
        <Bar dataKey="count" name="samples" fill="#2456a6" isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}

/** Samples, shape, task and classes of a dataset. */
export function DataSummary({ info }: { info: DatasetInfo }) {
  const classes = info.task === 'classification';
  return (
    <dl className="data-summary" data-testid="data-summary">
      <dt>Samples</dt>
      <dd data-testid="data-samples">{info.totalSamples === null ? 'unknown until read' : formatCount(info.totalSamples)}</dd>
      <dt>Input shape</dt>
      <dd data-testid="data-input-shape">
        {formatShape(info.inputShape)}
        {info.inputDType === 'int32' ? ' (token ids)' : ''}
      </dd>
      <dt>Task</dt>
      <dd data-testid="data-task-summary">
        {classes ? (info.numClasses === 2 ? 'binary classification' : 'classification') : info.task === 'reconstruction' ? 'reconstruction (the input is the target)' : 'regression'}
      </dd>
      <dt>{classes ? 'Classes' : 'Outputs'}</dt>
      <dd data-testid="data-outputs" title={classes ? info.classNames.join(', ') : undefined}>
        {classes ? `${info.numClasses}${info.classNames.length ? ` (${abbreviate(info.classNames)})` : ''}` : info.outputShape ? `${info.outputSize} ${formatShape(info.outputShape)}` : info.outputSize}
      </dd>
      {info.featureNames && info.featureNames.length > 0 && (
        <>
          <dt>Features</dt>
          <dd title={info.featureNames.join(', ')}>
            {info.featureNames.length} ({abbreviate(info.featureNames)})
          </dd>
        </>
      )}
      {info.vocabulary && (
        <>
          <dt>Vocabulary</dt>
          <dd>{formatCount(info.vocabulary.length)} words</dd>
        </>
      )}
    </dl>
  );
}

function abbreviate(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, …`;
}

function problemPlace(p: DataProblem): string {
  let place = p.file;
  if (p.line !== undefined) place += `:${p.line}`;
  if (p.column !== undefined) place += `:${p.column}`;
  return place;
}

export function DataProblems({ problems, count }: { problems: readonly DataProblem[]; count: number }) {
  if (count === 0 && problems.length === 0) return null;
  const total = Math.max(count, problems.length);
  return (
    <details className="data-problems" data-testid="data-problems" open>
      <summary>
        <span data-testid="data-problem-count">{formatCount(total)}</span> problem{total === 1 ? '' : 's'} in the data
        {problems.length < total ? ` (first ${problems.length} shown)` : ''}
      </summary>
      <ul>
        {problems.map((p, i) => (
          <li key={i} className="problem problem--warning" data-testid="data-problem">
            <code>{problemPlace(p)}</code> {p.message}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The preview of the inspected data: images, table or series, and the class balance. */
export function DataPreviewView({ preview }: { preview: DatasetPreview }) {
  const empty = !preview.images?.samples.length && !preview.table && !preview.series?.length;
  return (
    <div className="data-preview__body">
      {preview.images && preview.images.samples.length > 0 && <ImageGrid images={preview.images} />}
      {preview.table && <PreviewTable table={preview.table} />}
      {preview.series && preview.series.length > 0 && <SeriesPlot series={preview.series} />}
      {empty && <div className="chart__empty">No samples to show.</div>}
      <ClassBalance info={preview.info} />
    </div>
  );
}
