import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { layerLearningNote } from '../../../../main/core/training/layerNorms';
import type { NormPoint } from '../../store/slices/inside';

const fmt = (v: unknown) => (typeof v === 'number' ? (v === 0 ? '0' : v.toExponential(2)) : String(v));
/** Log axes cannot show 0: a norm of exactly 0 is drawn at this floor. */
const FLOOR = 1e-12;

/** One layer's weight, gradient and step norms over the run (log scale), and a note when it is not learning. */
const LayerNormChart = memo(function LayerNormChart({ layer, points }: { layer: string; points: { x: number; weight: number; grad: number; update: number }[] }) {
  const note = layerLearningNote(points);
  const data = points.map((p) => ({ x: p.x, weight: Math.max(FLOOR, p.weight), grad: Math.max(FLOOR, p.grad), update: Math.max(FLOOR, p.update) }));
  return (
    <figure className={`inside-norms${note ? ' inside-norms--note' : ''}`} data-testid={`inside-norms-${layer}`}>
      <figcaption className="chart__title">{layer}</figcaption>
      <LineChart responsive style={{ width: '100%', height: 130 }} data={data} margin={{ top: 4, right: 8, bottom: 0, left: -4 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" />
        <XAxis type="number" dataKey="x" domain={[0, 'dataMax']} tickFormatter={(v: number) => String(Number(v.toFixed(2)))} fontSize={10} />
        <YAxis scale="log" domain={['auto', 'auto']} tickFormatter={fmt} fontSize={10} width={56} allowDataOverflow />
        <Tooltip formatter={fmt} labelFormatter={(v) => `epoch ${Number(v).toFixed(2)}`} />
        <Legend wrapperStyle={{ fontSize: 10 }} />
        <Line dataKey="weight" name="weights" stroke="#2f6fdf" dot={false} isAnimationActive={false} />
        <Line dataKey="grad" name="gradient" stroke="#d9480f" dot={false} isAnimationActive={false} />
        <Line dataKey="update" name="step" stroke="#2b8a3e" dot={false} isAnimationActive={false} />
      </LineChart>
      {note && (
        <div className="inside-norms__note" data-testid={`inside-note-${layer}`}>
          {note}
        </div>
      )}
    </figure>
  );
});

/** "Is this layer learning?": a small chart per layer with trainable weights. */
export function NormCharts({ points }: { points: NormPoint[] }) {
  const byLayer = useMemo(() => {
    const out = new Map<string, { x: number; weight: number; grad: number; update: number }[]>();
    for (const p of points) for (const l of p.layers) (out.get(l.layer) ?? out.set(l.layer, []).get(l.layer)!).push({ x: p.x, weight: l.weight, grad: l.grad, update: l.update });
    return [...out];
  }, [points]);
  if (byLayer.length === 0) return <div className="chart__empty">Train to see, per layer, how its weights, gradient and steps evolve.</div>;
  return (
    <div className="inside-norms-grid">
      {byLayer.map(([layer, series]) => (
        <LayerNormChart key={layer} layer={layer} points={series} />
      ))}
    </div>
  );
}
