import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { serializeProject, type Project } from '../core/project';
import { writeFileAtomic } from './projectFiles';
import { generateProjectFiles } from './projectSources';
import { customClassesIn, layerLoaderFiles } from './layerLoader';
import { captureArtifacts as captureModelArtifacts } from '../core/training/artifacts';
import { PYTORCH_DIR, pytorchFiles } from './pytorchExport';
import { kerasExportFiles } from './kerasExport';
import { graphPictureFiles } from './graphPicture';
import { quantizeArtifacts } from './quantizedExport';
import type { Quantization } from '../core/quantize';

/** File names inside an export folder. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const PROJECT_FILE = 'project.neurowire.json';
/** Task, classes, input shape and how to preprocess raw inputs, for whoever deploys the model. */
export const PREPROCESSING_FILE = 'preprocessing.json';
export const CODE_DIR = 'code';

/** Captures a model built with this package's tf in memory (nothing is written), e.g. to export it later. */
export function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  return captureModelArtifacts(tf, model);
}

/** The model.json of the standard TensorFlow.js layers-model format, with all weights in one weights.bin. */
export function modelJsonOf(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('The trained model has no JSON topology to export.');
  }
  const json: tf.io.ModelJSON = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}

/**
 * Writes a trained model and everything needed to use or rebuild it into `dir`:
 * model.json + weights.bin (load with `tf.loadLayersModel`; the weights quantized to float16 or uint8 with `quantize`; a model with Neurowire's own layer classes also gets
 * neurowire-layers.js/.mjs, which register them), the project file, and the generated
 * TypeScript project under code/ (with the app's modules it trains with, see projectSources.ts) and the PyTorch
 * project under pytorch/ (pytorchExport.ts).
 * Each file is written atomically. Returns the folder and the written files, relative to it.
 */
export async function exportTrainedModel(opts: { project: Project; artifacts: tf.io.ModelArtifacts; dir: string; quantize?: Quantization }): Promise<{ dir: string; files: string[] }> {
  const dir = path.resolve(opts.dir);
  const artifacts = quantizeArtifacts(opts.artifacts, opts.quantize ?? 'none');
  const data = trainingDataOf(opts.artifacts);
  // The trained weights are weights.bin: the project's own starting weights (an imported model's) stay behind.
  const { weights: _startingWeights, ...project } = withTrainedVocabulary(opts.project, data);
  // Generate the code first: if the project cannot be turned into code, nothing is half-written.
  const code = generateProjectFiles(project);
  // A model with Neurowire's own layer classes carries them, so stock tfjs loads it from this folder alone.
  const loader = customClassesIn(opts.artifacts.modelTopology).length > 0 ? await layerLoaderFiles() : {};
  const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
  const entries: Array<[string, string | Uint8Array]> = [
    [MODEL_JSON, JSON.stringify(modelJsonOf(artifacts))],
    [WEIGHTS_BIN, new Uint8Array(weights)],
    [PROJECT_FILE, serializeProject(project)],
    ...(data ? [[PREPROCESSING_FILE, JSON.stringify(data, null, 2) + '\n'] as [string, string]] : []),
    ...Object.entries(loader),
    ...Object.entries(code).map(([name, text]): [string, string] => [`${CODE_DIR}/${name}`, text]),
    ...Object.entries(await pytorchFiles(project)).map(([name, text]): [string, string] => [`${PYTORCH_DIR}/${name}`, text]),
    ...kerasExportFiles(project, artifacts, data),
    ...(await graphPictureFiles(project)),
  ];
  await fs.mkdir(dir, { recursive: true });
  for (const [name, data] of entries) await writeFileAtomic(path.join(dir, ...name.split('/')), data);
  return { dir, files: entries.map(([name]) => name) };
}

/** Task, classes, input shape and preprocessing the trainer stored in the model's metadata, if any. */
function trainingDataOf(artifacts: tf.io.ModelArtifacts): Record<string, unknown> | null {
  const meta = artifacts.userDefinedMetadata as { neurowire?: Record<string, unknown> } | undefined;
  return meta?.neurowire ?? null;
}

/**
 * A text project (or a table's text Input) trained without a saved vocabulary gets the one training built, so it
 * reopens to the same tokens.
 */
function withTrainedVocabulary(project: Project, data: Record<string, unknown> | null): Project {
  const source = project.dataset.source;
  if (source.type === 'csv') {
    const inputs = (data?.inputs ?? []) as { node?: string; preprocessing?: { kind?: string; vocabulary?: string[] } }[];
    const vocabularyOf = (node: string) => inputs.find((i) => i.node === node && i.preprocessing?.kind === 'text')?.preprocessing?.vocabulary;
    if (!source.inputs.some((b) => b.type === 'text' && !b.vocabulary && vocabularyOf(b.node))) return project;
    const bound = source.inputs.map((b) => (b.type === 'text' && !b.vocabulary && vocabularyOf(b.node) ? { ...b, vocabulary: vocabularyOf(b.node) } : b));
    return { ...project, dataset: { ...project.dataset, source: { ...source, inputs: bound } } };
  }
  const pre = data?.preprocessing as { kind?: string; vocabulary?: string[] } | undefined;
  if (source.type !== 'text' || source.vocabulary || pre?.kind !== 'text' || !pre.vocabulary) return project;
  return { ...project, dataset: { ...project.dataset, source: { ...source, vocabulary: pre.vocabulary } } };
}

/**
 * An IOHandler that loads a layers model saved as model.json + weight files from disk with plain
 * node fs, so no native addon (tfjs-node) is needed: `tf.loadLayersModel(fileSystemLoadHandler(p))`.
 */
export function fileSystemLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  const jsonPath = path.resolve(modelJsonPath);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new Error(`Cannot read the model at ${jsonPath}: ${(e as Error).message}`);
      }
      if (!modelJson || typeof modelJson !== 'object' || !modelJson.modelTopology) {
        throw new Error(`${jsonPath} is not a TensorFlow.js model.json (it has no modelTopology).`);
      }
      const folder = path.dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const file of group.paths) {
            const weightsPath = path.resolve(folder, file);
            if (path.relative(folder, weightsPath).startsWith('..')) {
              throw new Error(`${jsonPath} refers to weights outside its folder (${file}).`);
            }
            const bytes = await fs.readFile(weightsPath);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
