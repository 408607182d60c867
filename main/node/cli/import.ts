import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importKerasModel, KerasImportError, type KerasImportResult } from '../../core/import/keras';
import { readModelFile } from '../kerasFiles';
import { encodeNodeWeights, weightsFileName } from '../../core/nodeWeights';
import { serializeProject, upgradeProject } from '../../core/project';
import { formatShape } from '../../core/shapes';
import { PROJECT_EXTENSION } from '../../core/projectFile';

const USAGE = `Usage: npm run import -- <model.json | model.h5 | model.keras> [--out <project.neurowire>]

Imports a Keras or TensorFlow.js layers model: a TensorFlow.js model.json, the JSON of Keras's model.to_json(),
a Keras 2 .h5 file or a Keras 3 .keras archive. Writes a Neurowire project (default: <model>.neurowire next to the model) and prints
its layers with their output shapes and parameter counts. A model.json that lists weight files (weightsManifest)
(or an .h5 / .keras file that holds weights) is imported with its trained weights, kept beside the project as
<project>.weights.bin.`;

function fail(message: string, code = 2): never {
  console.error(`neurowire import: ${message}`);
  process.exit(code);
}

/** The Keras-style summary: one row per layer, then the total as Neurowire's analysis counts it. */
export function formatSummary(result: Extract<KerasImportResult, { project: unknown }>): string {
  const rows = result.summary.layers.map((l) => [`${l.name} (${l.className})`, l.kind, l.outputShape ? formatShape([null, ...l.outputShape]) : '?', l.params.toLocaleString('en-US')]);
  const header = ['Layer (Keras class)', 'Kind', 'Output shape', 'Params'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const out = [rule, line(header), rule, ...rows.map(line), rule, `Total parameters: ${result.summary.totalParams.toLocaleString('en-US')}`];
  if (result.dropped.length) {
    out.push('', 'Settings Neurowire does not keep (dropped):');
    for (const d of result.dropped) out.push(`  ${d.layer}: ${d.settings.join(', ')}`);
  }
  if (result.weights) {
    const kept = Object.entries(result.weights.byNode);
    const count = kept.reduce((a, [, list]) => a + list.length, 0);
    const nameOf = new Map(result.project.graph.nodes.map((n) => [n.id, n.name]));
    out.push('', `Weights kept: ${count} weights of ${kept.length} ${kept.length === 1 ? 'layer' : 'layers'} (training starts from them):`);
    for (const [node, list] of kept) out.push(`  ${nameOf.get(node) ?? node}: ${list.map((w) => `${w.name} [${w.shape.join(', ')}]`).join(', ')}`);
    if (result.weights.unused.length) out.push(`Weights of no layer, not kept: ${result.weights.unused.join(', ')}`);
  } else out.push('', 'Weights: none in the file — training starts from fresh weights.');
  if (result.summary.errors.length) {
    out.push('', 'Problems Neurowire finds in the imported network (fix them in the editor):');
    for (const e of result.summary.errors) out.push(`  ${e}`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) fail(`give one model.json to import.\n${USAGE}`);
  const file = positionals[0];
  let result: KerasImportResult;
  try {
    const model = await readModelFile(file);
    result = importKerasModel(model.json, model.weights);
  } catch (e) {
    if (e instanceof KerasImportError) fail(`${file}: ${e.message}.`);
    throw e;
  }
  if ('unknown' in result) {
    const lines = result.unknown.map((u) => `  ${u.name} (${u.className})${u.reason ? `: ${u.reason}` : ': Neurowire has no such layer'}`);
    fail(`${file} was not imported — ${result.unknown.length === 1 ? 'one layer' : `${result.unknown.length} layers`} cannot be represented, so nothing was written:\n${lines.join('\n')}`, 1);
  }
  const out = values.out ?? path.join(path.dirname(file), `${path.basename(file, path.extname(file))}${PROJECT_EXTENSION}`);
  // Read back as the app would open it, so a project that would not open is never written.
  let project = result.project;
  let sidecar: { file: string; data: Uint8Array } | undefined;
  if (result.weights) {
    const { manifest, data } = encodeNodeWeights(result.weights.byNode, weightsFileName(path.basename(out)));
    project = { ...project, weights: manifest };
    sidecar = { file: path.join(path.dirname(out), manifest.file), data };
  }
  const text = serializeProject(upgradeProject(JSON.parse(serializeProject(project)), out));
  console.log(formatSummary(result));
  if (sidecar) fs.writeFileSync(sidecar.file, sidecar.data);
  fs.writeFileSync(out, text);
  console.log(`\nWrote ${out}${sidecar ? ` and its weights, ${sidecar.file}` : ''}`);
}

void main();
