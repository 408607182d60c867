/**
 * Comparing two networks: what may be compared (a project or model file, a run, a template), what the engine answers
 * (both graphs, the diff, and a run's curves), and the comparison as text (the `npm run diff` command prints it).
 */
import { z } from 'zod';
import type { EpochMetrics, RunSummary } from './api/contract';
import { ProjectSchema, type Graph } from './project';
import { formatShape } from './shapes';
import type { DiffEdge, DiffLayer, GraphDiff, LayerDiff } from './graph/diff';

/**
 * One side of a comparison: a project or Keras / TensorFlow.js model file, a run in the history, a template, or a
 * project given whole (the document open in the editor, unsaved changes included).
 */
export const CompareSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('project'), project: ProjectSchema }),
  z.object({ type: z.literal('file'), path: z.string().min(1, 'A path is required').max(4096) }),
  z.object({ type: z.literal('run'), runId: z.string().min(1, 'A run id is required').max(200) }),
  z.object({ type: z.literal('template'), id: z.string().max(100).regex(/^[a-z0-9-]+$/, 'Template ids use a-z, 0-9 and -') }),
]);
export type CompareSource = z.infer<typeof CompareSourceSchema>;

/** One side as loaded. */
export interface CompareSide {
  /** What the side is, for headings: the file's name, "run <id>", "template <id>", "open project". */
  label: string;
  kind: 'project' | 'model' | 'run' | 'template' | 'document';
  /** The project's name (an imported model's name). */
  name: string;
  /** The network, with canvas positions (an imported model's are laid out). */
  graph: Graph;
  /** A run's summary and per-epoch metrics. */
  run?: { summary: RunSummary; history: EpochMetrics[] };
}

export interface CompareResult {
  a: CompareSide;
  b: CompareSide;
  diff: GraphDiff;
}

/** One row of the final metrics of two runs, as text ('—' where a run has no such value). */
export interface MetricRow {
  label: string;
  a: string;
  b: string;
}

type Run = NonNullable<CompareSide['run']>;

const fixed = (v: number | undefined, digits = 4) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const percent = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} %`);

/** What the two runs ended with: status, epochs, the last epoch's scores, the best epoch and the test set. */
export function finalMetricRows(a: Run | undefined, b: Run | undefined): MetricRow[] {
  const regression = [a, b].some((r) => r?.history.some((h) => h.mae !== undefined));
  const last = (r: Run | undefined) => r?.history.at(-1);
  const rows: [string, (r: Run | undefined) => string][] = [
    ['Status', (r) => r?.summary.status ?? '—'],
    ['Epochs', (r) => (r ? String(r.summary.epochsCompleted) : '—')],
    ['Final loss', (r) => fixed(last(r)?.loss)],
    ['Final validation loss', (r) => fixed(last(r)?.valLoss)],
    ...(regression
      ? ([
          ['Final MAE', (r) => fixed(last(r)?.mae)],
          ['Final validation MAE', (r) => fixed(last(r)?.valMae)],
        ] as [string, (r: Run | undefined) => string][])
      : ([
          ['Final accuracy', (r) => percent(last(r)?.acc)],
          ['Final validation accuracy', (r) => percent(last(r)?.valAcc)],
          ['Best validation accuracy', (r) => (r?.summary.best?.valAcc !== undefined ? `${percent(r.summary.best.valAcc)} (epoch ${r.summary.best.epoch + 1})` : '—')],
        ] as [string, (r: Run | undefined) => string][])),
    ['Test loss', (r) => fixed(r?.summary.test?.loss)],
    ...(regression ? [] : ([['Test accuracy', (r) => percent(r?.summary.test?.acc)]] as [string, (r: Run | undefined) => string][])),
  ];
  return rows.map(([label, value]) => ({ label, a: value(a), b: value(b) }));
}

const count = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => (n > 0 ? `+${count(n)}` : n < 0 ? `−${count(-n)}` : '±0');
const shape = (s: DiffLayer['outputShape']) => (s ? formatShape(s) : '?');
const layerTitle = (l: DiffLayer) => `${l.name} (${l.kind})`;
const edgeText = (e: DiffEdge) => `${e.source}${e.port ? `[output ${e.port + 1}]` : ''} → ${e.target}`;

/** What one layer's entry says beyond its title: its settings, shape and count, old → new. */
export function layerChangeLines(l: LayerDiff): string[] {
  if (l.status === 'added' && l.after) return [`output ${shape(l.after.outputShape)}, ${count(l.after.params)} params`];
  if (l.status === 'removed' && l.before) return [`output ${shape(l.before.outputShape)}, ${count(l.before.params)} params`];
  const lines = l.changes.map((c) => `${c.label}: ${c.before} → ${c.after}`);
  if (l.shapeChanged && l.before && l.after) lines.push(`output shape: ${shape(l.before.outputShape)} → ${shape(l.after.outputShape)}`);
  if (l.paramsChanged && l.before && l.after) lines.push(`params: ${count(l.before.params)} → ${count(l.after.params)} (${signed(l.after.params - l.before.params)})`);
  return lines;
}

const MARKS: Record<LayerDiff['status'], string> = { added: '+', removed: '-', changed: '~', affected: '~', same: ' ' };

/** The comparison as the command line prints it. */
export function formatComparison(result: CompareResult): string {
  const { a, b, diff } = result;
  const { before, after } = diff.totals;
  const out = [`A: ${a.label} — ${a.name}`, `B: ${b.label} — ${b.name}`, ''];
  if (diff.equal) {
    out.push(`The two networks are the same: ${count(after.layers)} layers, ${count(after.params)} parameters.`);
  } else {
    const c = diff.counts;
    out.push(
      `Layers: ${count(before.layers)} → ${count(after.layers)} (${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.affected} with a new shape or parameter count)`,
      `Parameters: ${count(before.params)} → ${count(after.params)} (${signed(after.params - before.params)})`,
      '',
    );
    for (const l of diff.layers) {
      if (l.status === 'same') continue;
      const layer = (l.after ?? l.before)!;
      const title = l.status === 'changed' && l.before && l.before.name !== layer.name ? `${l.before.name} → ${layerTitle(layer)}` : layerTitle(layer);
      const word = l.status === 'affected' ? 'reshaped' : l.status;
      out.push(`${MARKS[l.status]} ${word.padEnd(8)} ${title}`);
      for (const line of layerChangeLines(l)) out.push(`      ${line}`);
    }
    if (diff.edgesAdded.length) out.push('', 'Connections added (B):', ...diff.edgesAdded.map((e) => `  + ${edgeText(e)}`));
    if (diff.edgesRemoved.length) out.push('', 'Connections removed (A):', ...diff.edgesRemoved.map((e) => `  - ${edgeText(e)}`));
  }
  if (a.run || b.run) {
    const rows = finalMetricRows(a.run, b.run);
    const w = Math.max(...rows.map((r) => r.label.length));
    const wa = Math.max(1, ...rows.map((r) => r.a.length));
    out.push('', 'Training:', `  ${''.padEnd(w)}  ${'A'.padEnd(wa)}  B`, ...rows.map((r) => `  ${r.label.padEnd(w)}  ${r.a.padEnd(wa)}  ${r.b}`));
  }
  return out.join('\n');
}
