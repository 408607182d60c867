/**
 * Look inside a run's trained model (the contract's runs.activations): one test sample through the model, every
 * layer's output summarised by core/inside/activations.ts. The model comes from the engine's RunModels and the last
 * dataset opened is kept, so stepping from sample to sample does not rebuild the model or re-read the data.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { Project } from '../core/project';
import type { TrainingData } from '../core/training/types';
import { layerActivations, type ActivationReport } from '../core/inside/activations';
import { bindToProject } from '../core/training/job';
import { checkModelFitsData, fitTensors } from '../core/training/loop';
import { openDataset } from './datasets';
import type { RunModel, RunModels } from './runModel';

export class InsideViewer {
  private data: { key: string; data: Promise<TrainingData> } | null = null;

  constructor(private readonly models: RunModels) {}

  private dataOf(project: Project): Promise<TrainingData> {
    const key = JSON.stringify(project.dataset);
    if (this.data?.key !== key) {
      const data = openDataset(project.dataset);
      this.data = { key, data };
      data.catch(() => {
        if (this.data?.key === key) this.data = null;
      });
    }
    return this.data.data;
  }

  activations(runId: string, index = 0): Promise<ActivationReport> {
    return this.models.use(runId, (m) => this.activationsOf(m, index));
  }

  private async activationsOf({ runId, project, model, tf }: RunModel, index: number): Promise<ActivationReport> {
    const data = await this.dataOf(project);
    const { info, losses } = bindToProject(data.info, project);
    const test = data.test;
    if (test.count === 0) throw new Error(`${info.name} has no test samples to look inside the model with.`);
    if (index >= test.count) throw new Error(`There is no test sample ${index}: the test set of ${info.name} has ${test.count} samples (0 to ${test.count - 1}).`);
    const fit = checkModelFitsData(model, info, losses);
    const batch = await test.getBatch([index]);
    const { xs, ys } = fitTensors(tf, batch, fit);
    try {
      const layers = await layerActivations(tf, model, xs);
      const report: ActivationReport = { runId, index, samples: test.count, layers };
      const first = fit.outputs[0];
      if (first.target.task === 'classification') {
        const classNames = first.target.classNames;
        const truth = (await ys[0].data())[0];
        report.label = classNames[truth] ?? String(truth);
        const scores = tf.tidy(() => {
          const pred = model.predict(xs.length === 1 ? xs[0] : xs) as Tensor | Tensor[];
          return (Array.isArray(pred) ? pred[first.index] : pred).reshape([-1]);
        });
        const values = await scores.data();
        scores.dispose();
        let best = 0;
        for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
        // One sigmoid unit: the class is the side of 0.5 it falls on.
        const binary = values.length === 1;
        const cls = binary ? (first.fromLogits ? (values[0] > 0 ? 1 : 0) : values[0] > 0.5 ? 1 : 0) : best;
        const probability = first.fromLogits ? undefined : binary ? (cls === 1 ? values[0] : 1 - values[0]) : values[best];
        report.predicted = { label: classNames[cls] ?? String(cls), ...(probability !== undefined ? { probability: Number(probability.toFixed(4)) } : {}) };
      }
      return report;
    } finally {
      for (const t of [...xs, ...ys]) t.dispose();
    }
  }

  /** Lets go of the dataset kept. */
  dispose(): void {
    this.data = null;
  }
}
