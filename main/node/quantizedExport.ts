/**
 * Quantized TensorFlow.js exports (core/quantize.ts) and what quantization costs before the person chooses: the
 * weight file's size and the test accuracy of the model as stock tfjs loads the quantized files, on the run's test split.
 */
import * as tf from '@tensorflow/tfjs';
import { QUANTIZATIONS, quantizeWeights, type Quantization } from '../core/quantize';
import { registerCustomLayers } from '../core/layers/custom';
import { bindToProject } from '../core/training/job';
import { checkModelFitsData } from '../core/training/loop';
import { evaluateOnTest, testSummary } from '../core/training/evaluate';
import type { TrainingData } from '../core/training/types';
import type { Project } from '../core/project';
import type { QuantizationChoice } from '../core/api/contract';

/** The artifacts with their weights quantized (the topology and metadata unchanged). */
export function quantizeArtifacts(artifacts: tf.io.ModelArtifacts, quantization: Quantization): tf.io.ModelArtifacts {
  if (quantization === 'none') return artifacts;
  const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
  const quantized = quantizeWeights(artifacts.weightSpecs ?? [], data, quantization);
  return { ...artifacts, weightSpecs: quantized.specs as tf.io.WeightsManifestEntry[], weightData: quantized.data };
}

/** The model stock tfjs builds from (quantized) artifacts: it dequantizes the weights as it loads them. */
export async function loadArtifacts(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  registerCustomLayers(tf);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Each quantization's weight size and test-set result, evaluated on `data` (the run's dataset, read again with its
 * seed, so the same test split). `accuracyChange` is against the unquantized model, in accuracy points (0..1).
 */
export async function quantizationPreview(project: Project, artifacts: tf.io.ModelArtifacts, data: TrainingData): Promise<QuantizationChoice[]> {
  const bound = bindToProject(data.info, project);
  const boundData = { ...data, info: bound.info };
  const choices: QuantizationChoice[] = [];
  for (const quantization of QUANTIZATIONS) {
    const quantized = quantizeArtifacts(artifacts, quantization);
    const model = await loadArtifacts(quantized);
    try {
      const weightBytes = quantized.weightData ? tf.io.CompositeArrayBuffer.join(quantized.weightData).byteLength : 0;
      let test: { loss: number; accuracy: number | null } | null = null;
      if (boundData.test.count > 0) {
        const report = await evaluateOnTest(tf, model, boundData, checkModelFitsData(model, boundData.info, bound.losses));
        test = { loss: testSummary(report).loss, accuracy: report.classification ? report.classification.accuracy : null };
      }
      choices.push({ quantization, weightBytes, testSamples: boundData.test.count, testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, accuracyChange: null });
    } finally {
      model.dispose();
    }
  }
  const reference = choices[0].testAccuracy;
  return choices.map((c) => ({ ...c, accuracyChange: reference !== null && c.testAccuracy !== null ? c.testAccuracy - reference : null }));
}
