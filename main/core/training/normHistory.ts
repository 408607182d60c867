/**
 * The per-layer norms of a run over time ("Is this layer learning?"), as the page charts them and as the run keeps
 * them: one record per `norms` event, written as a line of the run's norms log (main/node/runs.ts) and read back the
 * same way whichever host trained the run (the Node worker or a Chromium compute page), since both send these events.
 */
import type { LayerNorms, NormPoint, TrainingEvent } from '../api/contract';

type NormsEvent = Extract<TrainingEvent, { type: 'norms' }>;

/** Norm measurements kept per run for the charts; past it, every other old one is dropped (the charts keep their shape). */
export const MAX_NORM_POINTS = 1000;

/** A `norms` event as a point of the charts: `x` is how many epochs into the run it was measured. */
export function normPointOf(event: Pick<NormsEvent, 'epoch' | 'batch' | 'batchesPerEpoch' | 'layers'>): NormPoint {
  return { x: event.epoch + (event.batch + 1) / Math.max(1, event.batchesPerEpoch), epoch: event.epoch, layers: event.layers };
}

/**
 * `points` cut to MAX_NORM_POINTS by dropping every other point of the older half (repeatedly when far over). Applied
 * after each point added, as the page does live and parseNormRecords does reading back, so both keep the same points.
 */
export function thinNormPoints(points: NormPoint[]): NormPoint[] {
  let out = points;
  while (out.length > MAX_NORM_POINTS) {
    const half = Math.floor(out.length / 2);
    out = [...out.slice(0, half).filter((_, i) => i % 2 === 0), ...out.slice(half)];
  }
  return out;
}

/** One line of a run's norms log for a `norms` event (newline included). */
export function normRecordLine(event: NormsEvent): string {
  const { epoch, batch, batchesPerEpoch, layers } = event;
  return JSON.stringify({ epoch, batch, batchesPerEpoch, layers: layers.map(({ layer, weight, grad, update }) => ({ layer, weight, grad, update })) }) + '\n';
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
/** JSON has no Infinity or NaN: a norm that overflowed is written as null and read back as NaN. */
const normValue = (v: unknown): number | null => (typeof v === 'number' ? v : v === null ? NaN : null);

function layerNormsOf(x: unknown): LayerNorms | null {
  if (!x || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  const [weight, grad, update] = [normValue(o.weight), normValue(o.grad), normValue(o.update)];
  if (typeof o.layer !== 'string' || weight === null || grad === null || update === null) return null;
  return { layer: o.layer, weight, grad, update };
}

/**
 * A norms log read back as chart points, oldest first, thinned to MAX_NORM_POINTS. Lines that do not parse (one torn
 * by a crash) or do not hold a record are skipped; `beforeEpoch` keeps only measurements of earlier epochs.
 */
export function parseNormRecords(text: string, beforeEpoch = Infinity): NormPoint[] {
  let points: NormPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!o || typeof o !== 'object' || !isCount(o.epoch) || !isCount(o.batch) || !isCount(o.batchesPerEpoch) || !Array.isArray(o.layers)) continue;
    if (o.epoch >= beforeEpoch) continue;
    const layers = o.layers.map(layerNormsOf);
    if (layers.some((l) => l === null)) continue;
    points.push(normPointOf({ epoch: o.epoch, batch: o.batch, batchesPerEpoch: o.batchesPerEpoch, layers: layers as LayerNorms[] }));
    if (points.length > MAX_NORM_POINTS) points = thinNormPoints(points);
  }
  return points;
}

/** Keeps the lines of a norms log measured before `epoch` (a resumed run drops what came after its checkpoint). */
export function normRecordsBefore(text: string, epoch: number): string {
  return text
    .split('\n')
    .filter((line) => {
      if (!line.trim()) return false;
      try {
        const o = JSON.parse(line) as { epoch?: unknown };
        return isCount(o.epoch) && o.epoch < epoch;
      } catch {
        return false;
      }
    })
    .map((line) => line + '\n')
    .join('');
}
