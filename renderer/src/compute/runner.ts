import type * as tfTypes from '@tensorflow/tfjs';
import { mulberry32 } from '../../../main/core/random';
import { captureArtifacts } from '../../../main/core/training/artifacts';
import type { BackendInfo, ComputeResult, TrainingEvent } from '../../../main/core/api/contract';
import type { DatasetInfo } from '../../../main/core/datasets';
import type { Project } from '../../../main/core/project';
import type { LoopControl, SplitData, TrainingData } from '../../../main/core/training/types';
import type { ComputeCommand, ComputeDataset, SplitBuffers } from '../../../main/node/computeBridge';
import { selectGpuBackend } from './gpu';

/**
 * Runs one browser-gpu job in this page: the same trainer as the Node worker (runTrainingLoop), on the
 * page's WebGPU / WebGL backend. Shared by browser mode (inPage.ts) and the desktop app's hidden compute
 * window (entry.ts); both only differ in how data arrives and where events go.
 */

type Tf = typeof tfTypes;

export interface ComputeJobInput {
  runId: string;
  project: Project;
  data: ComputeDataset;
}

export interface ComputeOutcome {
  result: ComputeResult;
  /** The trained weights (absent when no model is kept); the result's model.weightBytes says their size. */
  weightData?: ArrayBuffer;
}

/** Stop / pause / resume for the loop, driven from the UI directly or through the engine. */
export class ComputeControl implements LoopControl {
  private stopped = false;
  private paused = false;
  private waiters: (() => void)[] = [];

  apply(command: ComputeCommand): void {
    if (command === 'stop') this.stopped = true;
    else if (command === 'pause') this.paused = true;
    else this.paused = false;
    if (this.stopped || !this.paused) for (const w of this.waiters.splice(0)) w();
  }
  shouldStop(): boolean {
    return this.stopped;
  }
  isPaused(): boolean {
    return this.paused && !this.stopped;
  }
  waitWhilePaused(): Promise<void> {
    if (!this.isPaused()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** A split over contiguous buffers: getBatch gathers the rows of `indices`. */
export function bufferSplit(s: SplitBuffers): SplitData {
  const xPer = s.count ? s.x.length / s.count : 0;
  const yPer = s.count ? s.y.length / s.count : 0;
  const out: SplitData = {
    count: s.count,
    getBatch(indices) {
      const n = indices.length;
      const x = s.x instanceof Int32Array ? new Int32Array(n * xPer) : new Float32Array(n * xPer);
      const y = s.y instanceof Int32Array ? new Int32Array(n * yPer) : new Float32Array(n * yPer);
      for (let i = 0; i < n; i++) {
        const j = indices[i];
        if (j < 0 || j >= s.count) throw new RangeError(`sample ${j} is outside the split (0..${s.count - 1})`);
        x.set(s.x.subarray(j * xPer, (j + 1) * xPer), i * xPer);
        if (yPer === 1) y[i] = s.y[j];
        else y.set(s.y.subarray(j * yPer, (j + 1) * yPer), i * yPer);
      }
      return { x, y, count: n };
    },
  };
  if (s.labels) out.labels = s.labels;
  return out;
}

export function toTrainingData(d: ComputeDataset): TrainingData {
  return { info: d.info, train: bufferSplit(d.train), validation: bufferSplit(d.validation), test: bufferSplit(d.test) };
}


function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

let tfPromise: Promise<Tf> | null = null;
/** tfjs is loaded on first use only, so the editor does not pay for it. */
export function loadTf(): Promise<Tf> {
  tfPromise ??= import('@tensorflow/tfjs');
  return tfPromise;
}


export interface RunJobOptions {
  emit(event: TrainingEvent): void;
  control: ComputeControl;
  /** Force a backend (tests); default: webgpu, else webgl. */
  prefer?: 'webgpu' | 'webgl';
}

/** Trains the job's project on this page's GPU. Never throws: failures come back as a failed result. */
export async function runComputeJob(job: ComputeJobInput, opts: RunJobOptions): Promise<ComputeOutcome> {
  const { runId, project } = job;
  const log = (message: string) => opts.emit({ type: 'log', runId, message });
  let model: tfTypes.LayersModel | null = null;
  let backend: BackendInfo | null = null;
  try {
    const tf = await loadTf();
    backend = await selectGpuBackend(tf, opts.prefer);
    log(`Training on ${backend.device} (tfjs backend "${backend.name}").`);
    const [{ compileGraph, GraphCompileError }, { runTrainingLoop, checkModelFitsData }, { evaluateOnTest, testSummary }] = await Promise.all([
      import('../../../main/core/compile'),
      import('../../../main/core/training/loop'),
      import('../../../main/core/training/evaluate'),
    ]);
    const data = toTrainingData(job.data);
    const info: DatasetInfo = data.info;
    log(`Received ${info.name}: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test samples.`);

    // Initial weights follow the project's seed, as in the Node worker (only while building: the page's own
    // Math.random is put back at once).
    const random = Math.random;
    Math.random = mulberry32(project.training.seed);
    try {
      model = compileGraph(tf, project.graph);
    } catch (e) {
      const msg = e instanceof GraphCompileError ? `The network cannot be built: ${e.message}` : errorText(e);
      return { result: { status: 'failed', error: msg, epochsCompleted: 0, history: [] } };
    } finally {
      Math.random = random;
    }

    const loop = await runTrainingLoop({ tf, model, data, config: project.training, runId, backend, emit: opts.emit, control: opts.control });
    const result: ComputeResult = { status: loop.status, epochsCompleted: loop.epochsCompleted, history: loop.history as ComputeResult['history'] };
    if (loop.error !== undefined) result.error = loop.error;
    if (loop.stoppedEarly !== undefined) result.stoppedEarly = loop.stoppedEarly;
    if (loop.bestEpoch !== undefined) result.bestEpoch = loop.bestEpoch;
    if (loop.status === 'failed') return { result };

    let weightData: ArrayBuffer | undefined;
    try {
      if (loop.epochsCompleted >= 1 && data.test.count > 0) {
        const fit = checkModelFitsData(model, info);
        const report = await evaluateOnTest(tf, model, data, fit.loss);
        opts.emit({ type: 'evaluation', runId, report });
        result.test = testSummary(report);
        log(`Test set (${data.test.count} samples): loss ${result.test.loss.toFixed(4)}${info.task === 'classification' ? `, accuracy ${(result.test.acc * 100).toFixed(2)} %` : ''}.`);
      }
      const artifacts = await captureArtifacts(tf, model);
      const joined = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      weightData = joined;
      result.model = {
        modelTopology: artifacts.modelTopology as Record<string, unknown>,
        weightSpecs: (artifacts.weightSpecs ?? []) as NonNullable<ComputeResult['model']>['weightSpecs'],
        weightBytes: joined.byteLength,
      };
    } catch (e) {
      log(`Could not evaluate or keep the model: ${errorText(e)}`);
    }
    return { result, weightData };
  } catch (e) {
    return { result: { status: 'failed', error: errorText(e), epochsCompleted: 0, history: [] } };
  } finally {
    model?.dispose();
  }
}
