import type * as tfTypes from '@tensorflow/tfjs';
import type { ComputeResult, TrainingEvent } from '../../../main/core/api/contract';
import { projectWeightsLoader, resultToWire, toTrainingData, type CommandControl, type ComputeJob } from '../../../main/core/api/compute';
import { selectGpuBackend } from './gpu';

/**
 * Runs one browser-GPU job in this page: the same training job as the Node worker (runTrainingJob), on
 * the page's WebGPU / WebGL backend. Shared by browser mode (inPage.ts) and the desktop app's hidden
 * compute window (entry.ts); both only differ in how data arrives and where events go.
 */

type Tf = typeof tfTypes;

export interface ComputeOutcome {
  result: ComputeResult;
  /** The trained weights (absent when no model is kept); the result's model.weightBytes says their size. */
  weightData?: ArrayBuffer;
}

let tfPromise: Promise<Tf> | null = null;
/** tfjs is loaded on first use only, so the editor does not pay for it. */
export function loadTf(): Promise<Tf> {
  tfPromise ??= import('@tensorflow/tfjs');
  return tfPromise;
}

export interface RunJobOptions {
  emit(event: TrainingEvent): void;
  control: CommandControl;
  /** Force a backend (tests); default: webgpu, else webgl. */
  prefer?: 'webgpu' | 'webgl';
}

/** Trains the job's project on this page's GPU. Never throws: failures come back as a failed result. */
export async function runComputeJob(job: ComputeJob, opts: RunJobOptions): Promise<ComputeOutcome> {
  try {
    const [tf, { runTrainingJob }] = await Promise.all([loadTf(), import('../../../main/core/training/job')]);
    const loadProjectWeights = projectWeightsLoader(job.project, job.projectWeights);
    const result = await runTrainingJob(
      { runId: job.runId, project: job.project },
      {
        selectBackend: async () => ({ tf, info: await selectGpuBackend(tf, opts.prefer) }),
        loadData: async () => toTrainingData(job.data),
        ...(loadProjectWeights ? { loadProjectWeights } : {}),
        emit: opts.emit,
        control: opts.control,
      },
    );
    return resultToWire(tf, result);
  } catch (e) {
    return { result: { status: 'failed', error: e instanceof Error ? e.message : String(e), epochsCompleted: 0, history: [] } };
  }
}
