/**
 * The model summary Keras prints with `model.summary()`: one row per layer (name, kind, output shape, parameters,
 * the layers it is connected to), the totals split into trainable and non-trainable, and the memory one training
 * batch needs. Built from the analysis, so it is there while the network is being drawn, before any tfjs model;
 * shown in the editor and copied as text or Markdown.
 */
import type { Graph, TrainingConfig } from '../project';
import { formatBytes } from '../format';
import { getLayerSpec } from '../layers/registry';
import { estimateTrainingMemory, type MemoryEstimate } from '../training/memory';
import { outputNames, type GraphAnalysis } from './analyze';

export interface SummaryRow {
  name: string;
  kind: string;
  /** Output shape with the batch axis, as Keras writes it: "(None, 28, 28, 32)"; "?" where unknown. */
  outputShape: string;
  params: number;
  /** The layers feeding it, in input order; "lstm_1[state h]" for another output than a layer's main one. */
  connectedTo: string[];
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Memory training needs for one batch of the configured size (weights, gradients, optimizer state, activations). */
  memory: MemoryEstimate;
  batchSize: number;
}

/** Keras's spelling of a shape with the batch axis: (None, 28, 28, 1). */
function kerasShape(shape: readonly (number | null)[] | null): string {
  if (!shape) return '?';
  return `(${['None', ...shape.map((d) => (d === null ? 'None' : String(d)))].join(', ')})`;
}

export function modelSummary(graph: Graph, analysis: GraphAnalysis, training: Pick<TrainingConfig, 'batchSize' | 'optimizer' | 'momentum'>): ModelSummary {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  // Layers in the order data flows through them (as Keras lists them); layers behind a loop last, in canvas order.
  const ordered = [...analysis.order, ...graph.nodes.map((n) => n.id).filter((id) => !analysis.order.includes(id))];
  const rows: SummaryRow[] = [];
  let nonTrainable = 0;
  for (const id of ordered) {
    const node = byId.get(id);
    if (!node) continue;
    const info = analysis.nodes[id];
    const connectedTo = graph.edges
      .filter((e) => e.target === id && byId.has(e.source))
      .map((e) => {
        const source = byId.get(e.source)!;
        const port = e.sourcePort ?? 0;
        return port === 0 ? source.name : `${source.name}[${outputNames(source)[port] ?? `output ${port + 1}`}]`;
      });
    rows.push({ name: node.name, kind: getLayerSpec(node.kind)?.label ?? node.kind, outputShape: kerasShape(info?.outputShape ?? null), params: info?.params ?? 0, connectedTo });
    // A frozen layer's weights are all non-trainable, as tfjs counts them once layer.trainable is false.
    nonTrainable += node.trainable === false ? (info?.params ?? 0) : (info?.nonTrainable ?? 0);
  }
  return {
    rows,
    totalParams: analysis.totalParams,
    trainableParams: analysis.totalParams - nonTrainable,
    nonTrainableParams: nonTrainable,
    memory: estimateTrainingMemory(graph, analysis, training),
    batchSize: training.batchSize,
  };
}

const count = (n: number) => n.toLocaleString('en-US');

function totals(s: ModelSummary): string[] {
  return [
    `Total params: ${count(s.totalParams)} (${formatBytes(s.totalParams * 4)})`,
    `Trainable params: ${count(s.trainableParams)}`,
    `Non-trainable params: ${count(s.nonTrainableParams)}`,
    `Training memory for one batch of ${s.batchSize}: about ${formatBytes(s.memory.totalBytes)} (weights, gradients and optimizer state ${formatBytes(s.memory.weightBytes)}, activations ${formatBytes(s.memory.activationBytes)})`,
  ];
}

const HEADER = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];

function cells(r: SummaryRow): string[] {
  return [`${r.name} (${r.kind})`, r.outputShape, count(r.params), r.connectedTo.join(', ') || '-'];
}

/** A fixed-width table like Keras's `model.summary()`, for a terminal or a plain-text note. */
export function summaryText(s: ModelSummary): string {
  const table = [HEADER, ...s.rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  return [rule('='), line(HEADER), rule('='), ...s.rows.map((r) => line(cells(r))), rule('='), ...totals(s), rule('=')].join('\n') + '\n';
}

/** The same summary as a Markdown table, for a README, a paper's notes or an issue. */
export function summaryMarkdown(s: ModelSummary): string {
  const escape = (c: string) => c.replace(/\|/g, '\\|');
  const row = (r: string[]) => `| ${r.map(escape).join(' | ')} |`;
  return [row(HEADER), '| --- | --- | ---: | --- |', ...s.rows.map((r) => row(cells(r))), '', ...totals(s).map((t) => `- ${t}`)].join('\n') + '\n';
}
