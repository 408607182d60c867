import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { CompareSide } from '../../../../main/core/compare';
import { overlaySeries } from '../../store/slices/runs';
import { formatPercent } from '../../format';

type Run = NonNullable<CompareSide['run']>;
const SIDES = [
  { key: 'a', label: 'A', color: '#2456a6' },
  { key: 'b', label: 'B', color: '#d9822b' },
] as const;

/** The two runs' loss and accuracy per epoch on one chart each (validation where the runs have it). */
export function RunCurves({ a, b }: { a: Run | undefined; b: Run | undefined }) {
  const runs = { a, b };
  return (
    <div className="compare__curves" data-testid="compare-curves">
      {(['loss', 'acc'] as const).map((metric) => {
        const lines = SIDES.flatMap((s) => {
          const run = runs[s.key];
          if (!run) return [];
          const { points, validation } = overlaySeries(run.history, metric);
          return [{ ...s, points, name: `${s.label}${validation ? '' : ' (train)'}` }];
        });
        const maxEpoch = Math.max(1, ...lines.flatMap((l) => l.points.map((p) => p.x)));
        return (
          <figure key={metric} className="chart compare__chart">
            <figcaption className="chart__title">{metric === 'loss' ? 'Loss' : 'Accuracy'} per epoch</figcaption>
            <LineChart responsive style={{ width: '100%', height: 180 }} margin={{ top: 4, right: 12, bottom: 0, left: -8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" />
              <XAxis type="number" dataKey="x" domain={[1, maxEpoch]} allowDecimals={false} fontSize={11} />
              <YAxis
                fontSize={11}
                width={48}
                domain={metric === 'acc' ? [0, 1] : ['auto', 'auto']}
                tickFormatter={(v: number) => (metric === 'acc' ? `${Math.round(v * 100)}%` : String(+v.toPrecision(3)))}
              />
              <Tooltip formatter={(v) => (typeof v === 'number' ? (metric === 'acc' ? formatPercent(v) : v.toFixed(4)) : String(v))} labelFormatter={(x) => `epoch ${x}`} />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              {lines.map((l) => (
                <Line key={l.key} data={l.points} dataKey="y" name={l.name} stroke={l.color} strokeWidth={1.5} dot={{ r: 2 }} isAnimationActive={false} />
              ))}
            </LineChart>
          </figure>
        );
      })}
    </div>
  );
}
