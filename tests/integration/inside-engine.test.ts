/**
 * runs.activations through the engine: a trained run's model, rebuilt from the run's folder, gives every layer's
 * activations for one test sample, equal to what tfjs computes for that sample with a sub-model of the saved model;
 * the norms events of the run reach the page; a sample out of range is refused with a message that says the range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../main/node/engine';
import type { TrainingEvent } from '../../main/core/api/contract';
import type { Project } from '../../main/core/project';
import { summarize, type ActivationReport } from '../../main/core/inside/activations';
import { loadRunModel } from '../../main/node/runModel';
import { openDataset } from '../../main/node/datasets';
import { checkModelFitsData, fitTensors } from '../../main/core/training/loop';
import { layerActivations } from '../../main/core/inside/activations';
import { compileGraph } from '../../main/core/compile';
import { loadCheckpointWeights } from '../../main/core/training/resume';

const ROOT = path.resolve(__dirname, '../..');

describe('looking inside a run through the engine', () => {
  let dataDir: string;
  let engine: Engine;
  const events: TrainingEvent[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-inside-'));
    engine = new Engine({ host: 'browser', dataDir, templatesDir: path.join(ROOT, 'templates') });
    engine.onEvent((event, payload) => event === 'training' && events.push(payload as TrainingEvent));
  });
  afterAll(async () => {
    await engine?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("gives each layer's activations of a test sample, as tfjs computes them from the saved model", async () => {
    const project = JSON.parse(readFileSync(path.join(ROOT, 'templates/spirals-mlp.json'), 'utf8')) as Project;
    project.training.epochs = 2;
    const { runId } = (await engine.dispatch('training.start', { project })) as { runId: string };
    const result = await engine.waitForRun(runId);
    expect(result.status, result.error).toBe('completed');
    const norms = events.filter((e): e is Extract<TrainingEvent, { type: 'norms' }> => e.type === 'norms' && e.runId === runId);
    expect(norms.length).toBeGreaterThanOrEqual(2);
    expect(norms[0].layers.map((l) => l.layer)).toEqual(['dense_1', 'dense_2', 'dense_3']);

    const report = (await engine.dispatch('runs.activations', { runId, index: 3 })) as ActivationReport;
    expect(report).toMatchObject({ runId, index: 3 });
    expect(report.layers.map((l) => [l.layer, l.summary.view])).toEqual([
      ['input_1', 'histogram'],
      ['dense_1', 'histogram'],
      ['dense_2', 'histogram'],
      ['dense_3', 'histogram'],
    ]);
    expect(report.label).toMatch(/.+/);
    expect(report.predicted?.probability).toBeGreaterThanOrEqual(0.5);

    // The same sample through the saved model, by hand.
    const { model, tf } = await loadRunModel(engine.runStore, runId);
    const data = await openDataset(project.dataset);
    expect(report.samples).toBe(data.test.count);
    const fit = checkModelFitsData(model, data.info);
    const { xs, ys } = fitTensors(tf, await data.test.getBatch([3]), fit);
    const dense2 = tf.model({ inputs: model.inputs, outputs: model.getLayer('dense_2').output as import('@tensorflow/tfjs').SymbolicTensor });
    const out = dense2.predict(xs[0]) as import('@tensorflow/tfjs').Tensor;
    expect(report.layers[2].summary).toEqual(summarize(await out.data(), [32]));
    const probs = (await (model.predict(xs[0]) as import('@tensorflow/tfjs').Tensor).data()) as Float32Array;
    const best = probs[0] >= probs[1] ? 0 : 1;
    expect(report.predicted?.label).toBe(data.info.classNames[best]);
    expect(report.label).toBe(data.info.classNames[(await ys[0].data())[0]]);
    // Built as the network compiled from the project with the saved weights set on it: the very same activations.
    const compiled = compileGraph(tf, project.graph);
    loadCheckpointWeights(tf, compiled, await engine.runStore.loadArtifacts(runId));
    expect(await layerActivations(tf, compiled, xs)).toEqual(report.layers);
    compiled.dispose();
    model.dispose();
    // The engine loaded the run's model once and keeps it for the next sample.
    expect(engine.models.kept()).toEqual([runId]);

    await expect(engine.dispatch('runs.activations', { runId, index: report.samples })).rejects.toThrow(
      new RegExp(`There is no test sample ${report.samples}: the test set of .+ has ${report.samples} samples \\(0 to ${report.samples - 1}\\)`),
    );
    await expect(engine.dispatch('runs.activations', { runId, index: -1 })).rejects.toThrow(/index — must be 0 or more/);
    await expect(engine.dispatch('runs.activations', { runId: 'no-such-run' })).rejects.toThrow(/no-such-run/);
  });
});
