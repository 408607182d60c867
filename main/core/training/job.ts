/**
 * One training job, whatever runs it: the Node worker (tfjs-node / wasm / cpu), a Chromium page (WebGPU /
 * WebGL, browser mode or the desktop app's hidden compute window) and a generated project all call
 * runTrainingJob. The hosts only supply what differs (JobHost): how tfjs and its backend are chosen, how the
 * data arrives, kernels that replace stock ones, the stop/pause control, and where events go.
 *
 * Steps: backend → data → seeded build → fit-to-data check → loop (loop.ts) → test evaluation →
 * dataset metadata in the model → captured artifacts. Never throws: every failure comes back as a
 * failed TrainingResult whose message a person can act on.
 *
 * Seeding: tfjs layer initializers and dropout seed themselves from Math.random. For the whole job
 * Math.random is the project's seeded PRNG, so initial weights and dropout masks repeat from run to run
 * on the same backend; the host's own Math.random is put back when the job ends.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendInfo, TrainingEvent } from '../api/contract';
import type { DatasetInfo } from '../datasets';
import type { EvaluationReport, ReconstructionReport } from '../metrics';
import type { Project } from '../project';
import { mulberry32 } from '../random';
import { compileGraph, GraphCompileError, type LayerFactoryOverrides } from '../compile';
import { analyzeGraph } from '../graph/analyze';
import { captureArtifacts } from './artifacts';
import { checkTrainingMemory } from './memory';
import { evaluateOnTest, testSummary } from './evaluate';
import { checkModelFitsData, describeTrainingError, runTrainingLoop, type OutputLosses } from './loop';
import type { LoopControl, LoopOptions, TrainingData, TrainingResult } from './types';
import { captureOptimizerState, loadCheckpointWeights, type OptimizerState, type ResumePoint } from './resume';
import { setNodeWeights, type NodeWeights } from '../nodeWeights';

type Tf = typeof tfTypes;

export interface TrainingJob {
  runId: string;
  project: Project;
  /** Continue a run from its last checkpoint instead of starting from fresh weights (resume.ts). */
  resume?: ResumePoint;
}

/** What differs between the places a job runs. */
export interface JobHost {
  /** Loads tfjs and picks its backend (throws when none can be used). */
  selectBackend(): Promise<{ tf: Tf; info: BackendInfo }>;
  /** The project's dataset; `log` reports progress and data problems to the person. */
  loadData(log: (message: string) => void): Promise<TrainingData>;
  emit(event: TrainingEvent): void;
  control: LoopControl;
  /**
   * Builds the model instead of compiling project.graph (a generated project builds it with its own
   * readable model.ts). Must build the same network.
   */
  buildModel?(tf: Tf): tfTypes.LayersModel;
  /** The machine's memory in bytes: a network whose training would need more than half of it is refused before it is built. */
  memoryBytes?: number;
  /**
   * The trained weights the project keeps beside it (project.weights): the Node worker reads the file, a GPU page
   * decodes the bytes the engine handed it (api/compute.ts projectWeightsLoader). Without it the run starts fresh
   * (a generated project, whose export leaves the starting weights behind).
   */
  loadProjectWeights?(): Promise<NodeWeights>;
  /** Layers built by the host instead of tfjs's own (e.g. a fused LSTM kernel on wasm), per backend. */
  layerOverrides?(tf: Tf): LayerFactoryOverrides;
  /** An optimizer that replaces the loop's (e.g. a fused Adam on wasm); undefined keeps the loop's. */
  makeOptimizer?: LoopOptions['makeOptimizer'];
  /**
   * Called after every epoch the project checkpoints (checkpointEveryEpoch, or the best epoch so far);
   * `capture` takes the model's artifacts at that moment. Omit it and nothing is captured.
   */
  onCheckpoint?(
    epoch: number,
    isBest: boolean,
    capture: () => Promise<tfTypes.io.ModelArtifacts>,
    captureOptimizer: () => Promise<OptimizerState>,
  ): Promise<void> | void;
}

/** What a deployer needs to know about the training data, kept in model.json's metadata. */
export function datasetMetadata(info: DatasetInfo): Record<string, unknown> {
  const { name, task, classNames, inputShape, inputDType, outputSize, outputShape, featureNames, preprocessing } = info;
  // Several inputs / outputs: each one's layer, shape and preprocessing (or target and classes).
  const inputs = info.inputs?.map(({ node, layer, name: part, shape, dtype, featureNames: features, preprocessing: pre }) => ({ node, layer, source: part, shape, dtype, featureNames: features, preprocessing: pre }));
  const outputs = info.outputs?.map(({ node, layer, name: part, task: t, numClasses, classNames: classes, outputSize: size }) => ({ node, layer, target: part, task: t, numClasses, classNames: classes, outputSize: size }));
  // A JSON round trip drops undefined fields, which tfjs refuses in metadata.
  return JSON.parse(JSON.stringify({ dataset: name, task, classNames, inputShape, inputDType, outputSize, outputShape, featureNames, preprocessing, inputs, outputs })) as Record<string, unknown>;
}

/**
 * What the job knows from the project that the data and the loop do not: the layer name of every node a part of
 * the data is bound to (bindings name node ids; the built model knows layer names), and each output's loss options.
 */
export function bindToProject(info: DatasetInfo, project: Project): { info: DatasetInfo; losses: OutputLosses } {
  const nameOf = new Map(project.graph.nodes.map((n) => [n.id, n.name]));
  const layerOf = <T extends { node?: string; layer?: string }>(part: T): T => (part.node && nameOf.has(part.node) ? { ...part, layer: nameOf.get(part.node) } : part);
  const bound: DatasetInfo = { ...info };
  if (info.inputs) bound.inputs = info.inputs.map(layerOf);
  if (info.outputs) bound.outputs = info.outputs.map(layerOf);
  const losses: OutputLosses = {};
  for (const o of project.training.outputs ?? []) {
    const layer = nameOf.get(o.node);
    if (layer) losses[layer] = { fromLogits: o.fromLogits, lossWeight: o.lossWeight };
  }
  return { info: bound, losses };
}

/** The one `done` event of a run, built from its result. */
export function doneEvent(runId: string, result: TrainingResult): Extract<TrainingEvent, { type: 'done' }> {
  return {
    type: 'done',
    runId,
    status: result.status,
    ...(result.error !== undefined ? { error: result.error } : {}),
    epochsCompleted: result.epochsCompleted,
    ...(result.test ? { test: result.test } : {}),
    hasModel: result.artifacts !== undefined,
    ...(result.stoppedEarly !== undefined ? { stoppedEarly: result.stoppedEarly } : {}),
    ...(result.bestEpoch !== undefined ? { bestEpoch: result.bestEpoch } : {}),
    ...(result.stoppedAt ? { stoppedAt: result.stoppedAt } : {}),
  };
}

function failed(error: string): TrainingResult {
  return { status: 'failed', error, epochsCompleted: 0, history: [] };
}

/** How well an autoencoder reconstructs the test set, for people: "MSE 0.0123, PSNR 19.1 dB (the mean image: MSE 0.0672)". */
export function reconstructionLine(r: ReconstructionReport): string {
  return `reconstruction MSE ${r.mse.toPrecision(4)}, PSNR ${r.psnr.toFixed(1)} dB (the mean test sample: MSE ${r.baselineMse.toPrecision(4)})`;
}

function evaluationLine(report: Awaited<ReturnType<typeof evaluateOnTest>>, acc: number): string {
  const metricOf = (r: Pick<EvaluationReport, 'regression' | 'classification' | 'reconstruction'>, accuracy: number) =>
    r.reconstruction
      ? reconstructionLine(r.reconstruction)
      : r.regression
        ? `MAE ${r.regression.mae.toPrecision(4)}, R² ${r.regression.r2.toFixed(3)}`
        : `accuracy ${(accuracy * 100).toFixed(2)} %`;
  const metric = report.outputs
    ? report.outputs.map((o) => `${o.name} ${metricOf(o, o.classification?.accuracy ?? 0)}`).join('; ')
    : metricOf(report, acc);
  return `Test set (${report.samples} samples): loss ${report.loss.toFixed(4)}, ${metric}.`;
}

/** Runs one training job to its end. Never throws. */
export async function runTrainingJob(job: TrainingJob, host: JobHost): Promise<TrainingResult> {
  const hostRandom = Math.random;
  Math.random = mulberry32(job.project.training.seed);
  let model: tfTypes.LayersModel | null = null;
  try {
    return await trainAndCapture(job, host, (m) => (model = m));
  } catch (e) {
    return failed(describeTrainingError(e));
  } finally {
    Math.random = hostRandom;
    (model as tfTypes.LayersModel | null)?.dispose();
  }
}

async function trainAndCapture(job: TrainingJob, host: JobHost, keep: (model: tfTypes.LayersModel) => void): Promise<TrainingResult> {
  const { runId, project } = job;
  const log = (message: string) => host.emit({ type: 'log', runId, message });

  let tf: Tf;
  let backend: BackendInfo;
  let data: TrainingData;
  let model: tfTypes.LayersModel;
  let losses: OutputLosses = {};
  try {
    ({ tf, info: backend } = await host.selectBackend());
    log(`Training on ${backend.device} (tfjs backend "${backend.name}").`);
    if (host.control.shouldStop()) {
      log('Stopped before training began.');
      return { status: 'stopped', epochsCompleted: 0, history: [] };
    }
    // Before the data is read: a network that cannot fit is refused at once, with the numbers.
    if (host.memoryBytes) checkTrainingMemory(project.graph, analyzeGraph(project.graph), project.training, host.memoryBytes);
    const t0 = Date.now();
    data = await host.loadData(log);
    const bound = bindToProject(data.info, project);
    data = { ...data, info: bound.info };
    losses = bound.losses;
    log(`Loaded ${data.info.name} in ${Date.now() - t0} ms: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test samples.`);
    if (host.memoryBytes) checkTrainingMemory(project.graph, analyzeGraph(project.graph), project.training, host.memoryBytes);
    model = host.buildModel ? host.buildModel(tf) : compileGraph(tf, project.graph, undefined, host.layerOverrides?.(tf) ?? {});
    keep(model);
    checkModelFitsData(model, data.info, losses); // a clear message before anything starts
    if (job.resume) loadCheckpointWeights(tf, model, job.resume.weights);
    else if (project.weights && host.loadProjectWeights) {
      // An imported model's trained weights are the starting point; layers added since start fresh.
      setNodeWeights(tf, model, project.graph, await host.loadProjectWeights());
      log(`Starting from the project's trained weights (${project.weights.entries.length} weights).`);
    }
  } catch (e) {
    if (e instanceof GraphCompileError) return failed(`The network cannot be built: ${e.message}`);
    return failed(e instanceof Error && /^The (network|checkpoint|stored weights|weights file)/.test(e.message) ? e.message : describeTrainingError(e));
  }

  const checkpoint = host.onCheckpoint;
  const loop = await runTrainingLoop({
    tf,
    model,
    data,
    config: project.training,
    runId,
    backend,
    emit: (e) => host.emit(e),
    control: host.control,
    outputLosses: losses,
    ...(job.resume ? { resume: { startEpoch: job.resume.startEpoch, history: job.resume.history, optimizer: job.resume.optimizer } } : {}),
    ...(host.makeOptimizer ? { makeOptimizer: host.makeOptimizer } : {}),
    ...(checkpoint
      ? {
          onEpochEnd: async (epoch: number, _metrics: unknown, isBest: boolean, optimizer: tfTypes.Optimizer) => {
            if (project.training.checkpointEveryEpoch || isBest) {
              await checkpoint(epoch, isBest, () => captureArtifacts(tf, model), () => captureOptimizerState(tf, optimizer));
            }
          },
        }
      : {}),
  });

  const result: TrainingResult = { ...loop };
  if (loop.status === 'failed') return result;
  try {
    if (loop.epochsCompleted >= 1 && data.test.count > 0) {
      const fit = checkModelFitsData(model, data.info, losses);
      const report = await evaluateOnTest(tf, model, data, fit);
      result.evaluation = report;
      result.test = testSummary(report);
      host.emit({ type: 'evaluation', runId, report });
      log(evaluationLine(report, result.test.acc));
    }
  } catch (e) {
    log(`Could not evaluate the model on the test set: ${(e as Error).message}`);
  }
  try {
    // The data's description travels inside model.json, so an exported model says how to feed it.
    model.setUserDefinedMetadata({ neurowire: datasetMetadata(data.info) });
    result.artifacts = await captureArtifacts(tf, model);
  } catch (e) {
    log(`Could not keep the model: ${(e as Error).message}`);
  }
  return result;
}
