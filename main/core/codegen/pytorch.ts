/**
 * Turns a project into a PyTorch project: model.py (an nn.Module with the same layers, one attribute per layer named
 * after it, and the conversion of the app's trained tfjs weights to its state_dict), train.py (single process or
 * torchrun with DistributedDataParallel), export_onnx.py and a README. Each layer is written by its spec's `pytorch`
 * field; a network with a layer that has none gets only a README naming those layers.
 *
 * Pure string building: no tfjs, no Node APIs. main/node/pytorchExport.ts writes the files and ships the Python
 * modules they import (main/python/).
 */
import type { Project, ProjectNode } from '../project';
import { analyzeGraph, incomingPorts, parseParams, portShape, type GraphAnalysis } from '../graph/analyze';
import { requireLayerSpec } from '../layers/registry';
import type { AnyLayerSpec, PytorchShapes } from '../layers/types';
import { runsInferenceWhenFrozen } from '../layers/inference';
import type { ParamDefs, ParamValues } from '../layers/params';
import { py } from '../layers/pytorch';
import { formatShape, type Shape } from '../shapes';
import { formatCount } from './print';
import { pythonIdentifier } from './pythonNames';

/** The Python modules every PyTorch project imports, shipped unchanged from main/python/. */
export const PYTORCH_SHIPPED = ['tfjs_weights.py', 'neurowire_torch.py', 'neurowire_torch_train.py'] as const;

/** A layer of the network as model.py writes it. */
interface TorchLayer {
  node: ProjectNode;
  spec: AnyLayerSpec;
  params: ParamValues<ParamDefs>;
  /** Python identifier: the module attribute (self.<id>) and the variable of its output in forward(). */
  id: string;
  io: PytorchShapes;
  inputs: string[];
  /** Expression of the mask of the first input, or null. */
  inputMask: string | null;
  module: string | null;
  parameters: number;
}

/** Names the generated code uses itself, which a layer's identifier must not take. */
const RESERVED = new Set(['input', 'self', 'torch', 'nn', 'F', 'nw', 'np', 'state', 'w', 'tfjs', 'step', 'model', 'Model', 'os', 'super']);

/** Each layer without a PyTorch mapping, as "name (Kind): why". */
export function layersWithoutPytorch(project: Project): string[] {
  const analysis = validAnalysis(project);
  return describeLayers(project, analysis).missing;
}

function validAnalysis(project: Project): GraphAnalysis {
  const analysis = analyzeGraph(project.graph);
  if (!analysis.valid) {
    const nodeError = project.graph.nodes.map((n) => analysis.nodes[n.id]?.errors[0]).find(Boolean);
    throw new Error(`Fix the network before generating code: ${nodeError ?? analysis.errors[0] ?? 'the network is not valid.'}`);
  }
  return analysis;
}

function describeLayers(project: Project, analysis: GraphAnalysis): { layers: TorchLayer[]; missing: string[] } {
  const byId = new Map(project.graph.nodes.map((n) => [n.id, n]));
  const incoming = incomingPorts(project.graph);
  const used = new Set<string>();
  const ids = new Map<string, string>();
  const masks = new Map<string, string | null>();
  const expression = (id: string, port: number) => (analysis.nodes[id].extraShapes.length > 0 ? `${ids.get(id)}[${port}]` : ids.get(id)!);
  const layers: TorchLayer[] = [];
  const missing: string[] = [];
  for (const nodeId of analysis.order) {
    const node = byId.get(nodeId)!;
    const spec = requireLayerSpec(node.kind);
    const parsed = parseParams(node);
    if (!parsed.ok) throw new Error(`${node.name}: ${parsed.error}`);
    const id = pythonIdentifier(node.name, used, RESERVED);
    ids.set(nodeId, id);
    const sources = incoming.get(nodeId) ?? [];
    const io: PytorchShapes = {
      name: node.name,
      inputShapes: sources.map((s) => portShape(analysis.nodes[s.source], s.port)!),
      outputShape: analysis.nodes[nodeId].outputShape!,
    };
    const inputs = spec.role === 'input' ? [id] : sources.map((s) => expression(s.source, s.port));
    const inputMask = sources.length ? (masks.get(sources[0].source) ?? null) : null;
    const torch = spec.pytorch;
    const why = torch ? (torch.unsupported?.(parsed.params, io) ?? null) : 'no PyTorch mapping yet';
    if (why) missing.push(`${node.name} (${spec.kind}): ${why}`);
    let module: string | null = null;
    if (torch && !why) {
      try {
        module = torch.module?.(parsed.params, io) ?? null;
        // A frozen layer takes no gradients; one that runs as at prediction time when frozen also stays in eval mode.
        if (module && node.trainable === false) module = `nw.frozen(${module}${runsInferenceWhenFrozen(spec, node.trainable) ? ', inference=True' : ''})`;
      } catch (e) {
        missing.push(`${node.name} (${spec.kind}): ${(e as Error).message}`);
      }
      const call = { ...io, module: `self.${id}`, inputs, mask: inputMask };
      const mask = torch.mask ? torch.mask(parsed.params, call) : inputMask;
      // A new mask gets a variable of its own; one handed on keeps its expression.
      masks.set(nodeId, mask && mask !== inputMask ? `${id}_mask` : mask);
    }
    layers.push({ node, spec, params: parsed.params, id, io, inputs, inputMask, module, parameters: analysis.nodes[nodeId].params });
  }
  return { layers, missing };
}

/**
 * The files of the pytorch/ folder: model.py, train.py, export_onnx.py and README.md, or only a README.md naming
 * each layer without a PyTorch mapping. The shipped modules (PYTORCH_SHIPPED) are added by the caller.
 */
export function generatePytorchProject(project: Project): Record<string, string> {
  const analysis = validAnalysis(project);
  const { layers, missing } = describeLayers(project, analysis);
  if (missing.length > 0) return { 'README.md': renderMissingReadme(project, missing) };
  const inputs = analysis.inputIds.map((id) => layers.find((l) => l.node.id === id)!);
  const outputs = analysis.outputIds.map((id) => layers.find((l) => l.node.id === id)!);
  return {
    'model.py': renderModel(project, layers, inputs, outputs, analysis.totalParams),
    'train.py': renderTrain(project),
    'export_onnx.py': renderExportOnnx(project),
    'README.md': renderReadme(project, analysis.totalParams),
  };
}

function layerComment(l: TorchLayer): string {
  const params = l.parameters > 0 ? `, ${formatCount(l.parameters)} parameters` : '';
  if (l.spec.role === 'input') return `${l.node.name} (${l.spec.kind}): samples of shape ${formatShape(l.io.outputShape)}`;
  return `${l.node.name} (${l.spec.kind}): ${l.io.inputShapes.map(formatShape).join(' + ')} → ${formatShape(l.io.outputShape)}${params}`;
}

function layerTable(layers: TorchLayer[]): string[] {
  const rows = [['Layer', 'Kind', 'Output shape', 'Parameters'], ...layers.map((l) => [l.node.name, l.spec.kind, formatShape(l.io.outputShape), formatCount(l.parameters)])];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const format = (row: string[]) => row.map((cell, col) => (col === row.length - 1 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  ');
  return [format(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(format)];
}

const pyShape = (shape: Shape) => py(shape.map((d) => d ?? -1));
const docText = (text: string) => text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"').replace(/[\r\n]+/g, ' ');

function renderModel(project: Project, layers: TorchLayer[], inputs: TorchLayer[], outputs: TorchLayer[], total: number): string {
  const out: string[] = [];
  out.push(`"""${docText(project.name)}: the network designed in Neurowire, as a PyTorch module.`);
  out.push('');
  for (const row of layerTable(layers)) out.push(row.trimEnd());
  out.push('');
  out.push(`Total parameters: ${formatCount(total)} (counted as TensorFlow.js counts them: nw.parameter_count).`);
  out.push('Shapes are per sample. Tensors keep TensorFlow.js\'s layout, batch first and channels last, as the app trains them.');
  out.push('"""');
  out.push('import os');
  out.push('');
  out.push('import numpy as np');
  out.push('import torch');
  out.push('import torch.nn as nn');
  out.push('');
  out.push('import neurowire_torch as nw');
  out.push('from tfjs_weights import load_tfjs_weights');
  out.push('');
  out.push('# The inputs of forward(), in order, with their shapes per sample; the outputs it returns, in order.');
  out.push(`INPUTS = [${inputs.map((l) => py(l.node.name)).join(', ')}]`);
  out.push(`INPUT_SHAPES = {${inputs.map((l) => `${py(l.node.name)}: ${pyShape(l.io.outputShape)}`).join(', ')}}`);
  out.push(`OUTPUTS = [${outputs.map((l) => py(l.node.name)).join(', ')}]`);
  out.push(`PARAMETERS = ${total}`);
  out.push('# The app\'s trained model, exported beside this folder.');
  out.push('MODEL_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model.json")');
  out.push('');
  out.push('');
  out.push('class Model(nn.Module):');
  out.push('    def __init__(self):');
  out.push('        super().__init__()');
  for (const l of layers.filter((l) => l.module)) {
    out.push(`        # ${layerComment(l)}`);
    out.push(`        self.${l.id} = ${l.module}`);
  }
  out.push('');
  out.push(`    def forward(self, ${inputs.map((l) => l.id).join(', ')}):`);
  for (const l of layers) {
    const call = { ...l.io, module: `self.${l.id}`, inputs: l.inputs, mask: l.inputMask };
    const torch = l.spec.pytorch!;
    if (l.spec.role !== 'input') out.push(`        ${l.id} = ${torch.forward(l.params, call)}`);
    const mask = torch.mask ? torch.mask(l.params, call) : null;
    if (mask && mask !== l.inputMask) out.push(`        ${l.id}_mask = ${mask}`);
  }
  out.push(`        return ${outputs.map((l) => l.id).join(', ')}`);
  out.push('');
  out.push('');
  out.push('def state_dict_from_tfjs(tfjs):');
  out.push('    """The app\'s trained weights ({tfjs name: array}, from load_tfjs_weights) in this module\'s layout, as tensors."""');
  out.push('    state = {}');
  for (const l of layers) {
    const weights = l.spec.pytorch!.weights?.(l.params, l.io) ?? {};
    if (Object.keys(weights).length === 0) continue;
    out.push(`    w = nw.layer_weights(tfjs, ${py(l.node.name)})`);
    for (const [key, value] of Object.entries(weights)) out.push(`    state[${py(`${l.id}.${key}`)}] = ${value}`);
  }
  out.push('    return {name: torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)) for name, value in state.items()}');
  out.push('');
  out.push('');
  out.push('def load_trained(model_json=MODEL_JSON):');
  out.push('    """The model with the weights the app trained (model.json and weights.bin), in evaluation mode."""');
  out.push('    model = Model()');
  out.push('    missing, unexpected = model.load_state_dict(state_dict_from_tfjs(load_tfjs_weights(model_json)), strict=False)');
  out.push('    # BatchNorm\'s count of batches seen is PyTorch\'s own; every other weight comes from the app.');
  out.push('    missing = [name for name in missing if not name.endswith("num_batches_tracked")]');
  out.push('    if missing or unexpected:');
  out.push('        raise ValueError(f"the trained weights do not fit the model: missing {missing}, unexpected {unexpected}")');
  out.push('    return model.eval()');
  out.push('');
  out.push('');
  out.push('if __name__ == "__main__":');
  out.push('    model = load_trained()');
  out.push('    print(model)');
  out.push('    print(f"Total parameters: {nw.parameter_count(model):,} (the app counts {PARAMETERS:,})")');
  return out.join('\n') + '\n';
}

function renderTrain(project: Project): string {
  const t = project.training;
  const schedule = t.schedule;
  return `"""Trains ${docText(project.name)} with PyTorch, with the app's settings, on one process or on several.

    python3 train.py                                   # one process (a GPU when there is one)
    torchrun --standalone --nproc_per_node 2 train.py  # two processes on this machine
    torchrun --nnodes 2 --nproc_per_node 4 --rdzv_backend c10d --rdzv_endpoint HOST:29500 train.py  # on each of two machines

(PyTorch 2 also spells the options --nproc-per-node, --rdzv-endpoint; 1.x knows only the underscores. Debian's
PyTorch 1.13 on Python 3.11 also needs --redirects 2 --tee 2: its torchrun cannot read its own defaults there.)

Several processes train one model with DistributedDataParallel (nccl on GPUs, gloo on CPUs): each reads its share of
every epoch (a DistributedSampler) and the gradients are averaged, so every process ends with the same weights.

The data: data/meta.json names the .npy file of every input and target and each target's loss, as the app trains it
(batch first, channels last); Neurowire writes them (\`npm run pytorch-data -- <export folder>\`). --from-trained starts
from the app's weights instead of fresh ones. The training itself is Neurowire's, in neurowire_torch_train.py.
"""
import neurowire_torch_train as nw_train
from model import INPUTS, OUTPUTS, Model, load_trained

# The app's training settings.
SETTINGS = {
    "epochs": ${t.epochs},
    "batch_size": ${t.batchSize},
    "learning_rate": ${t.learningRate},
    "optimizer": ${py(t.optimizer)},
    "momentum": ${t.momentum},
    "nesterov": ${py(t.nesterov)},
    "weight_decay": ${t.weightDecay},
    "schedule": {
        "type": ${py(schedule.type)},
        "step_epochs": ${schedule.stepEpochs},
        "gamma": ${schedule.gamma},
        "warmup_epochs": ${schedule.warmupEpochs},
        "min_learning_rate": ${schedule.minLearningRate},
    },
    "seed": ${t.seed},
}


if __name__ == "__main__":
    nw_train.main(SETTINGS, Model, load_trained, INPUTS, OUTPUTS, doc=__doc__, script=__file__)
`;
}

function renderExportOnnx(project: Project): string {
  return `"""Writes ${docText(project.name)} with the app's trained weights as an ONNX file (opens in Netron and onnxruntime).

    python3 export_onnx.py [model.onnx]
"""
import sys

import torch

from model import INPUT_SHAPES, INPUTS, OUTPUTS, load_trained


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "model.onnx"
    model = load_trained()
    # One sample of zeros per input (batch first, channels last); the batch axis stays free in the file.
    example = tuple(torch.zeros((1,) + tuple(INPUT_SHAPES[name])) for name in INPUTS)
    batch_axis = {name: {0: "batch"} for name in INPUTS + OUTPUTS}
    torch.onnx.export(model, example, path, input_names=INPUTS, output_names=OUTPUTS, dynamic_axes=batch_axis, opset_version=14)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
`;
}

function renderReadme(project: Project, total: number): string {
  return `# ${project.name} — PyTorch

The network designed in Neurowire as a PyTorch module, with the weights the app trained (${formatCount(total)} parameters).
Needs Python 3 with PyTorch (and onnx for export_onnx.py).

- \`model.py\`: \`Model\` (an \`nn.Module\`, one attribute per layer, named as in the app) and \`load_trained()\`, which
  reads \`../model.json\` + \`../weights.bin\` (with \`tfjs_weights.py\`) and converts them to its state_dict.
  \`python3 model.py\` prints the model and its parameter count.
- \`train.py\`: trains it with the app's settings (optimizer, learning rate and schedule, epochs, batch size, seed) on
  the data in \`data/\` (\`meta.json\` and one \`.npy\` per input and target; Neurowire's
  \`npm run pytorch-data -- <export folder>\` writes them). \`torchrun --standalone --nproc_per_node N train.py\`
  (or \`--nnodes\` for several machines) trains on several processes with DistributedDataParallel.
- \`export_onnx.py\`: writes \`model.onnx\`.
- \`neurowire_torch.py\`: the layers that compute as TensorFlow.js does (tensors stay channels last).
- \`neurowire_torch_train.py\`: Neurowire's training loop (schedule, optimizers, losses, DistributedDataParallel), which
  \`train.py\` calls with the project's settings.
`;
}

function renderMissingReadme(project: Project, missing: string[]): string {
  return `# ${project.name} — PyTorch

This network has no PyTorch export yet: these layers have no PyTorch equivalent in Neurowire.

${missing.map((m) => `- ${m}`).join('\n')}

The TensorFlow.js model (../model.json) and the TypeScript project (../code/) are exported as usual.
`;
}
