/**
 * The PyTorch project of an export, run for real with Debian's PyTorch (python3-torch; .ci/run installs it): for the
 * templates' networks, briefly trained in tfjs and exported, model.py has the app's parameter count and reproduces its
 * predictions (≤ 1e-4), export_onnx.py writes a file onnx's checker accepts, train.py trains one epoch on the app's
 * data, and a 2-process torchrun (gloo on CPU) epoch ends with the same weights on both ranks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../../main/node/compiler';
import { captureArtifacts, exportTrainedModel } from '../../main/node/export';
import { openDataset } from '../../main/node/datasets';
import { withDataBeside } from '../../main/node/projectFiles';
import { npyBytes, writePytorchData } from '../../main/node/pytorchData';
import { findTorchPython } from '../../main/node/torchPython';
import { emptyProject, parseProject, type Project } from '../../main/core/project';
import { bindToProject } from '../../main/core/training/job';
import { checkModelFitsData } from '../../main/core/training/loop';

const ROOT = path.resolve(__dirname, '../..');
const CHECK_SCRIPT = path.join(__dirname, 'pytorch_check.py');
/** Samples the network is briefly trained on in tfjs, and samples whose predictions are compared. */
const TRAIN_SAMPLES = 24;
const CHECK_SAMPLES = 8;
/** Samples train.py trains on (one epoch). */
const TORCH_SAMPLES = 64;

/**
 * The templates' networks. `data: false` where the template's dataset is not on this machine (CIFAR-10 is a download):
 * that network is checked on random samples and not trained in PyTorch. `ddp`: also trained by a 2-process torchrun.
 */
const CASES: { template: string; data: boolean; ddp?: boolean; project?: () => Project }[] = [
  { template: 'mnist-mlp', data: true, ddp: true },
  { template: 'spirals-mlp', data: true },
  { template: 'mnist-small-cnn', data: true },
  { template: 'fashion-cnn', data: true },
  { template: 'cifar10-cnn', data: false },
  { template: 'mnist-resnet', data: true },
  { template: 'mnist-autoencoder', data: true },
  { template: 'mnist-conv-lstm', data: true },
  { template: 'sine-lstm', data: true },
  { template: 'reviews-lstm', data: true },
  { template: 'two-inputs-two-outputs', data: true, ddp: true },
  { template: 'reviews-transformer', data: true },
  // Kinds no template uses, and settings the templates leave at their defaults.
  {
    template: 'recurrent kinds',
    data: false,
    project: () =>
      chain([
        ['steps', 'Input', { shape: [10, 3] }],
        ['gru_after', 'GRU', { units: 6, resetAfter: true, returnSequences: true }],
        ['norm', 'LayerNormalization', {}],
        ['simple', 'SimpleRNN', { units: 5, returnSequences: true }],
        ['attention', 'MultiHeadAttention', { numHeads: 2, keyDim: 3, useCausalMask: true }],
        ['gru_before', 'GRU', { units: 4, resetAfter: false, recurrentActivation: 'hardSigmoid' }],
        ['out', 'Dense', { units: 2, activation: 'softmax' }],
      ]),
  },
  {
    template: 'image kinds',
    data: false,
    project: () =>
      chain([
        ['image', 'Input', { shape: [9, 9, 2] }],
        ['conv', 'Conv2D', { filters: 3, kernelSize: [4, 4], strides: [2, 2], padding: 'same', activation: 'elu' }],
        ['norm', 'BatchNormalization', {}],
        ['average', 'AveragePooling2D', { poolSize: [2, 2], strides: [1, 1] }],
        ['up', 'Conv2DTranspose', { filters: 2, kernelSize: [2, 2], strides: [3, 3], padding: 'valid', activation: 'linear' }],
        ['pool', 'MaxPooling2D', { poolSize: [3, 3], strides: [2, 2], padding: 'same' }],
        ['global', 'GlobalMaxPooling2D', {}],
        ['out', 'Dense', { units: 3, activation: 'swish' }],
      ]),
  },
];

/** A chain of layers (each feeds the next). */
function chain(nodes: [id: string, kind: string, params: Record<string, unknown>][]): Project {
  return {
    ...emptyProject('chain'),
    graph: {
      nodes: nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params, position: { x: i * 200, y: 0 } })),
      edges: nodes.slice(1).map(([id], i) => ({ id: `e${i}`, source: nodes[i][0], target: id })),
    },
  };
}

const template = (id: string): Project => withDataBeside(parseProject(readFileSync(path.join(ROOT, 'templates', `${id}.json`), 'utf8'), id), path.join(ROOT, 'templates'));

/** One thread per Python process: the machine is shared, and several threads would only contend. */
const PY_ENV = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

function runPython(python: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(python, args, { cwd, env: PY_ENV, encoding: 'utf8', timeout: 540_000, maxBuffer: 16 * 1024 * 1024 });
  return { status: r.status, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}

/** Every input's samples, from the data when `data`, else seeded random values. */
async function samplesOf(project: Project, model: tf.LayersModel, data: boolean, count: number): Promise<tf.Tensor[]> {
  if (!data) return model.inputs.map((input, i) => tf.randomUniform([count, ...(input.shape.slice(1) as number[])], 0, 1, 'float32', 7 + i));
  const opened = await openDataset(project.dataset);
  const bound = bindToProject(opened.info, project);
  // Which part of the data each of the network's Inputs reads, as the app's training pairs them.
  const fit = checkModelFitsData(model, bound.info, bound.losses);
  const batch = await opened.train.getBatch(Array.from({ length: count }, (_, i) => i));
  const xs = batch.xs ?? [batch.x];
  return fit.inputs.map((input) => tf.tensor(Float32Array.from(xs[input.part]), [count, ...input.shape]));
}

describe('PyTorch export of the templates', () => {
  const python = findTorchPython();
  let tmpRoot: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    mkdirSync(path.join(ROOT, '.neurowire-tmp'), { recursive: true });
    tmpRoot = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'pytorch-export-'));
  });
  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('finds a Python with PyTorch (python3-torch)', () => {
    expect(python, 'no Python here imports torch: install python3-torch (see .ci/run)').not.toBeNull();
  });

  for (const c of CASES) {
    describe(c.template, () => {
      let dir: string;

      beforeAll(async () => {
        const project = c.project ? c.project() : template(c.template);
        const model = compileGraph(tf, project.graph);
        try {
          // Random samples (no data here) teach nothing: one batch of them moves the weights as well.
          const trainSamples = c.data ? TRAIN_SAMPLES : 8;
          const all = await samplesOf(project, model, c.data, trainSamples + CHECK_SAMPLES);
          const train = all.map((x) => x.slice(0, trainSamples));
          const check = all.map((x) => x.slice(trainSamples, CHECK_SAMPLES));
          // A few steps towards random targets: the weights (and BatchNormalization's statistics) leave their start.
          const targets = model.outputs.map((o, i) => tf.randomUniform([trainSamples, ...(o.shape.slice(1) as number[])], 0, 1, 'float32', 21 + i));
          model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
          await model.fit(train, targets, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
          dir = path.join(tmpRoot, c.template.replace(/\W+/g, '-'));
          await exportTrainedModel({ project, artifacts: await captureArtifacts(model), dir });
          mkdirSync(path.join(dir, 'check'), { recursive: true });
          check.forEach((x, i) => writeFileSync(path.join(dir, 'check', `x_${i}.npy`), npyBytes(x.dataSync() as Float32Array, x.shape)));
          const predicted = model.predict(check);
          (Array.isArray(predicted) ? predicted : [predicted]).forEach((y, j) => writeFileSync(path.join(dir, 'check', `expected_${j}.npy`), npyBytes(y.dataSync() as Float32Array, y.shape)));
          if (c.data) await writePytorchData(project, path.join(dir, 'pytorch', 'data'), { maxSamples: TORCH_SAMPLES });
          tf.dispose([...all, ...train, ...check, ...targets]);
        } finally {
          model.dispose();
        }
      }, 600_000);

      it('has the app\'s parameter count, reproduces its predictions and writes a valid ONNX file', () => {
        expect(python).not.toBeNull();
        expect(existsSync(path.join(dir, 'pytorch', 'model.py')), readFileSync(path.join(dir, 'pytorch', 'README.md'), 'utf8')).toBe(true);
        const r = runPython(python!, [CHECK_SCRIPT, dir], dir);
        expect(r.status, r.out).toBe(0);
        const result = JSON.parse(r.out.split('\n').find((l) => l.startsWith('RESULT '))!.slice('RESULT '.length)) as { parameters: number; declared: number; maxDiff: number[]; onnxBytes: number };
        const app = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights as { shape: number[] }[];
        const appParameters = app.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
        expect(result.parameters).toBe(appParameters);
        expect(result.declared).toBe(appParameters);
        for (const diff of result.maxDiff) expect(diff).toBeLessThanOrEqual(1e-4);
        expect(result.onnxBytes).toBeGreaterThan(0);
      }, 600_000);

      if (c.data) {
        it('trains one epoch with train.py', () => {
          const r = runPython(python!, ['train.py', '--epochs', '1'], path.join(dir, 'pytorch'));
          expect(r.status, r.out).toBe(0);
          expect(r.out).toMatch(/rank 0 epoch 1\/1 loss \d/);
          expect(r.out).not.toMatch(/loss nan/);
          expect(existsSync(path.join(dir, 'pytorch', 'model.pt'))).toBe(true);
        }, 600_000);
      }

      if (c.ddp) {
        it('trains one epoch on two processes (torchrun, gloo) that end with the same weights', () => {
          // --redirects/--tee: Debian's torchrun 1.13 on Python 3.11 cannot read its own default (0) of either.
          const torchrun = ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', '--redirects', '2', '--tee', '2'];
          const r = runPython(python!, [...torchrun, 'train.py', '--epochs', '1'], path.join(dir, 'pytorch'));
          expect(r.status, r.out).toBe(0);
          const digests = new Map([...r.out.matchAll(/rank (\d) weights sha256 ([0-9a-f]{64})/g)].map((m) => [m[1], m[2]]));
          expect([...digests.keys()].sort()).toEqual(['0', '1']);
          expect(digests.get('0')).toBe(digests.get('1'));
        }, 600_000);
      }
    });
  }
});
