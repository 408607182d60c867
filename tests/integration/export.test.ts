import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../../main/node/compiler';
import { captureArtifacts, exportTrainedModel, fileSystemLoadHandler } from '../../main/node/export';
import { SHIPPED_DIR } from '../../main/core/codegen/typescript';
import { KERAS_SHIPPED_MODULES } from '../../main/core/codegen/keras';
import { GRAPH_PNG, GRAPH_SVG, SUMMARY_MD } from '../../main/node/graphPicture';
import { generateProjectFiles, sourceLocations } from '../../main/node/projectSources';
import { parseProject, type Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

describe('exportTrainedModel', () => {
  let tmpRoot: string;
  let project: Project;
  let model: tf.LayersModel;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    mkdirSync(path.join(ROOT, '.neurowire-tmp'), { recursive: true });
    tmpRoot = mkdtempSync(path.join(ROOT, '.neurowire-tmp', 'export-'));
    project = parseProject(readFileSync(path.join(ROOT, 'templates/mnist-mlp.json'), 'utf8'));

    model = compileGraph(tf, project.graph);
    model.compile({ optimizer: tf.train.adam(project.training.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const xs = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 11);
    const ys = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 12) as tf.Tensor1D, 10);
    await model.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
  });

  afterAll(() => {
    model?.dispose();
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('writes a loadable model, the project and the code, and the reloaded model predicts identically', async () => {
    const artifacts = await captureArtifacts(model);
    const dir = path.join(tmpRoot, 'nested', 'mnist-export');
    const result = await exportTrainedModel({ project, artifacts, dir });

    expect(result.dir).toBe(path.resolve(dir));
    const codeFiles = Object.keys(generateProjectFiles(project)).map((f) => `code/${f}`);
    const pytorch = ['README.md', 'export_onnx.py', 'model.py', 'neurowire_torch.py', 'neurowire_torch_train.py', 'tfjs_weights.py', 'train.py'].map((f) => `pytorch/${f}`);
    const kerasFiles = ['model.py', 'train.py', 'README.md', ...KERAS_SHIPPED_MODULES].map((f) => `keras/${f}`);
    const pictures = [GRAPH_SVG, GRAPH_PNG, SUMMARY_MD];
    expect([...result.files].sort()).toEqual(['model.json', 'project.neurowire.json', 'weights.bin', ...codeFiles, ...pytorch, ...kerasFiles, ...pictures].sort());
    for (const f of result.files) expect(existsSync(path.join(result.dir, f)), f).toBe(true);
    // Atomic writes leave no temp files behind.
    expect(readdirSync(result.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(path.join(result.dir, 'code')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // model.json is standard layers-model JSON with one weights file that holds exactly the listed weights.
    const modelJson = JSON.parse(readFileSync(path.join(result.dir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v4\./);
    expect(modelJson.convertedBy).toBeNull();
    expect(modelJson.modelTopology.class_name).toBe('Model');
    expect(modelJson.modelTopology.config.layers.map((l: { name: string }) => l.name)).toEqual(['input_1', 'flatten_1', 'dense_1', 'dense_2']);
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const specs = modelJson.weightsManifest[0].weights as Array<{ name: string; shape: number[]; dtype: string }>;
    expect(specs.map((w) => w.name)).toEqual(['dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias']);
    const expectedBytes = specs.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * BYTES_PER_DTYPE[w.dtype], 0);
    expect(statSync(path.join(result.dir, 'weights.bin')).size).toBe(expectedBytes);

    expect(parseProject(readFileSync(path.join(result.dir, 'project.neurowire.json'), 'utf8'))).toEqual(project);
    expect(readFileSync(path.join(result.dir, 'code/model.ts'), 'utf8')).toBe(generateProjectFiles(project)['model.ts']);
    // The code ships the app's data and training modules as they are: each written file equals the app's, byte for byte.
    const shipped = result.files.filter((f) => f.startsWith(`code/${SHIPPED_DIR}/`));
    expect(shipped).toContain(`code/${SHIPPED_DIR}/core/training/job.ts`);
    expect(shipped).toContain(`code/${SHIPPED_DIR}/node/datasets/index.ts`);
    for (const f of shipped) {
      const app = readFileSync(path.join(sourceLocations().main, f.slice(`code/${SHIPPED_DIR}/`.length)));
      expect(readFileSync(path.join(result.dir, f)).equals(app), f).toBe(true);
    }

    const reloaded = await tf.loadLayersModel(fileSystemLoadHandler(path.join(result.dir, 'model.json')));
    try {
      expect(reloaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      const input = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 5);
      const expected = (model.predict(input) as tf.Tensor).arraySync() as number[][];
      const actual = (reloaded.predict(input) as tf.Tensor).arraySync() as number[][];
      input.dispose();
      const maxDiff = Math.max(...expected.flatMap((row, i) => row.map((v, j) => Math.abs(v - actual[i][j]))));
      expect(maxDiff).toBe(0);
      // The predictions are real (a trained softmax), not trivially equal zeros.
      expect(expected[0].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    } finally {
      reloaded.dispose();
    }
  });

  it('overwrites an earlier export in the same folder', async () => {
    const dir = path.join(tmpRoot, 'again');
    const artifacts = await captureArtifacts(model);
    await exportTrainedModel({ project, artifacts, dir });
    const renamed = { ...project, name: 'Renamed MLP' };
    await exportTrainedModel({ project: renamed, artifacts, dir });
    expect(parseProject(readFileSync(path.join(dir, 'project.neurowire.json'), 'utf8')).name).toBe('Renamed MLP');
    expect(readFileSync(path.join(dir, 'code/model.ts'), 'utf8')).toContain('Renamed MLP');
  });

  it('gives a clear error for a missing model.json', async () => {
    await expect(tf.loadLayersModel(fileSystemLoadHandler(path.join(tmpRoot, 'nowhere', 'model.json')))).rejects.toThrow(/Cannot read the model at/);
  });
});
