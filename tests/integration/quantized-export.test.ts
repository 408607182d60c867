import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../main/node/engine';
import { fileSystemLoadHandler } from '../../main/node/export';
import type { QuantizationChoice } from '../../main/core/api/contract';
import type { Project } from '../../main/core/project';

const ROOT = path.resolve(__dirname, '../..');

describe('quantized TensorFlow.js export', () => {
  let dataDir: string;
  let engine: Engine;
  let runId: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-quantized-'));
    engine = new Engine({ host: 'browser', dataDir, templatesDir: path.join(ROOT, 'templates') });
    const project = JSON.parse(readFileSync(path.join(ROOT, 'templates/spirals-mlp.json'), 'utf8')) as Project;
    project.training.epochs = 8;
    ({ runId } = (await engine.dispatch('training.start', { project })) as { runId: string });
    const result = await engine.waitForRun(runId);
    expect(result.error).toBeUndefined();
  }, 300_000);

  afterAll(async () => {
    await engine?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports each quantization\'s size and test accuracy, the unquantized one as the run\'s', { timeout: 300_000 }, async () => {
    const { choices } = (await engine.dispatch('export.quantizationPreview', { runId })) as { choices: QuantizationChoice[] };
    expect(choices.map((c) => c.quantization)).toEqual(['none', 'float16', 'uint8']);
    const [none, half, byte] = choices;
    const params = 2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2;
    expect([none.weightBytes, half.weightBytes, byte.weightBytes]).toEqual([params * 4, params * 2, params]);
    const run = await engine.waitForRun(runId);
    expect(none.testSamples).toBeGreaterThan(0);
    expect(none.testAccuracy).toBeCloseTo(run.test!.acc, 6);
    expect(none.accuracyChange).toBe(0);
    expect(half.accuracyChange).toBeCloseTo(half.testAccuracy! - none.testAccuracy!, 12);
    // Half precision hardly changes a small network; 8 bits by a few points at most.
    expect(Math.abs(half.accuracyChange!)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(byte.accuracyChange!)).toBeLessThanOrEqual(0.1);
  });

  for (const quantize of ['float16', 'uint8'] as const) {
    it(`exports ${quantize} weights that stock tfjs loads, predicting as the unquantized model does`, { timeout: 300_000 }, async () => {
      const plainDir = path.join(dataDir, 'plain');
      const dir = path.join(dataDir, quantize);
      await engine.dispatch('export.run', { runId, dir: plainDir });
      const exported = (await engine.dispatch('export.run', { runId, dir, quantize })) as { files: string[] };
      expect(exported.files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'keras/model.py', 'graph.svg']));
      expect(statSync(path.join(dir, 'weights.bin')).size).toBe(statSync(path.join(plainDir, 'weights.bin')).size / (quantize === 'uint8' ? 4 : 2));
      const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights as { quantization?: { dtype: string } }[];
      expect(manifest.every((w) => w.quantization?.dtype === quantize)).toBe(true);
      const plain = await tf.loadLayersModel(fileSystemLoadHandler(path.join(plainDir, 'model.json')));
      const loaded = await tf.loadLayersModel(fileSystemLoadHandler(path.join(dir, 'model.json')));
      const x = tf.tensor2d([[0.1, 0.2], [-0.5, 0.4], [0.9, -0.3], [0, 0]]);
      const expected = (plain.predict(x) as tf.Tensor).arraySync() as number[][];
      const got = (loaded.predict(x) as tf.Tensor).arraySync() as number[][];
      const diff = Math.max(...expected.flatMap((row, i) => row.map((v, j) => Math.abs(v - got[i][j]))));
      expect(diff).toBeGreaterThan(0); // the weights did change
      expect(diff).toBeLessThan(quantize === 'uint8' ? 0.05 : 0.002);
      for (const t of [x, plain, loaded]) t.dispose();
    });
  }
});
