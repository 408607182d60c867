import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePytorchProject, layersWithoutPytorch } from '../../main/core/codegen/pytorch';
import { samePadding, windowPads } from '../../main/core/layers/pytorch';
import { emptyProject, parseProject, type Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
const template = (id: string): Project => parseProject(readFileSync(path.join(ROOT, 'templates', `${id}.json`), 'utf8'), id);
const TEMPLATES = readdirSync(path.join(ROOT, 'templates')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
/** Templates whose networks have layers without a PyTorch mapping yet (none today). */
const WITHOUT_PYTORCH: Record<string, string[]> = {};

/** A chain of layers (each feeds the next). */
function chain(nodes: [id: string, kind: string, params?: Record<string, unknown>][]): Project {
  return {
    ...emptyProject('chain'),
    graph: {
      nodes: nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params: params ?? {}, position: { x: i * 200, y: 0 } })),
      edges: nodes.slice(1).map(([id], i) => ({ id: `e${i}`, source: nodes[i][0], target: id })),
    },
  };
}

describe('generated PyTorch project', () => {
  for (const id of TEMPLATES) {
    it(`${id}: ${WITHOUT_PYTORCH[id] ? 'a README naming the layers without a mapping' : 'model.py, train.py and export_onnx.py'}`, () => {
      const project = template(id);
      const files = generatePytorchProject(project);
      const missing = WITHOUT_PYTORCH[id];
      if (missing) {
        expect(Object.keys(files)).toEqual(['README.md']);
        expect(layersWithoutPytorch(project).map((m) => m.slice(0, m.indexOf(':')))).toEqual(missing);
        for (const layer of missing) expect(files['README.md']).toContain(layer);
        return;
      }
      expect(Object.keys(files).sort()).toEqual(['README.md', 'export_onnx.py', 'model.py', 'train.py']);
      // One module attribute per layer with weights, named after the layer, and the app's settings in train.py.
      for (const node of project.graph.nodes.filter((n) => n.kind !== 'Input' && /Dense|Conv|LSTM|Embedding|Normalization/.test(n.kind))) {
        expect(files['model.py']).toContain(`self.${node.name} = `);
      }
      expect(files['train.py']).toContain(`    "epochs": ${project.training.epochs},\n`);
      expect(files['train.py']).toContain(`    "batch_size": ${project.training.batchSize},\n`);
      expect(files['train.py']).toContain(`    "seed": ${project.training.seed},\n`);
    });
  }

  it('writes only a README naming each layer without a PyTorch mapping, and why', () => {
    const project = chain([
      ['series', 'Input', { shape: [12, 3] }],
      ['conv', 'Conv1D', { filters: 4, kernelSize: 3 }],
      ['memory', 'LSTM', { units: 4, stateful: true }],
      ['out', 'Dense', { units: 2, activation: 'softmax' }],
    ]);
    project.graph.nodes[0].params.batchSize = 8;
    const files = generatePytorchProject(project);
    expect(Object.keys(files)).toEqual(['README.md']);
    expect(layersWithoutPytorch(project)).toEqual(['conv (Conv1D): no PyTorch mapping yet', 'memory (LSTM): a stateful layer']);
    expect(files['README.md']).toContain('- conv (Conv1D): no PyTorch mapping yet');
  });

  it('names forward()\'s inputs and outputs after the network\'s, in order, for several of each', () => {
    const model = generatePytorchProject(template('two-inputs-two-outputs'))['model.py'];
    expect(model).toContain('INPUTS = ["numbers", "words"]');
    expect(model).toContain('OUTPUTS = ["kind_out", "value_out"]');
    expect(model).toContain('    def forward(self, numbers, words):');
    expect(model).toContain('        return kind_out, value_out');
  });

  it('pads as TensorFlow does: the odd pixel after, the output size from the stride', () => {
    expect(samePadding(28, 14, 3, 2)).toEqual([0, 1]);
    expect(samePadding(28, 28, 3, 1)).toEqual([1, 1]);
    expect(samePadding(28, 28, 4, 1)).toEqual([1, 2]);
    expect(windowPads([28, 28, 1], [14, 14, 16], 'same', [3, 3], [2, 2])).toEqual([0, 1, 0, 1]);
    expect(windowPads([28, 28, 1], [26, 26, 16], 'valid', [3, 3], [1, 1])).toEqual([0, 0, 0, 0]);
    expect(windowPads([null, 28, 1], [null, 28, 16], 'same', [3, 3], [1, 1])).toBeNull();
  });

  for (const id of ['mnist-mlp', 'mnist-autoencoder']) {
    it(`matches the golden files: ${id}`, () => {
      const files = generatePytorchProject(template(id));
      const dir = path.join(ROOT, 'tests/golden', id, 'pytorch');
      for (const file of ['model.py', 'train.py', 'export_onnx.py']) {
        const goldenPath = path.join(dir, file);
        if (UPDATE_GOLDEN) {
          mkdirSync(dir, { recursive: true });
          writeFileSync(goldenPath, files[file]);
        }
        expect(files[file], `${file} differs from ${path.relative(ROOT, goldenPath)}; run with UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(goldenPath, 'utf8'));
      }
    });
  }
});
