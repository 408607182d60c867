import * as tf from '@tensorflow/tfjs';
import type { Project } from '../core/project';
import { scalePixels, SampleError } from '../core/preprocess';
import { encodeTypedSample, inputsOf, modelMetadataOf, outputFromLogits, outputsOf, readOutput, type ModelInputMeta, type ModelMetadata, type Prediction, type Sample } from '../core/prediction';
import { decodeImage } from './datasets/images';
import type { RunModel } from './runModel';

/**
 * One sample through a run's saved model (loaded by RunModels, which keeps it: it is not disposed here): the sample is prepared by the same code that prepared the training data
 * (main/core/preprocess.ts, and the image decoder of main/node/datasets/images.ts) with the statistics stored in the
 * model, and the outputs are read as probabilities or values (main/core/prediction.ts).
 */
export async function predictSample(run: Pick<RunModel, 'runId' | 'project' | 'artifacts' | 'model'>, sample: Sample): Promise<Prediction> {
  const { runId, project, model } = run;
  const meta = modelMetadataOf(run.artifacts.userDefinedMetadata);
  const inputs = await prepareSample(meta, project, sample);
  const order = modelInputOrder(model, inputsOf(meta));
  const tensors: tf.Tensor[] = [];
  let raw: Float32Array[];
  try {
    order.forEach((part, i) => {
      const data = inputs[part];
      const shape = model.inputs[i].shape.slice(1).map((d, axis) => d ?? inputsOf(meta)[part].shape[axis]) as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      if (size !== data.length) throw new SampleError(`The model's input ${model.inputNames[i]} takes ${size} values but the sample gives ${data.length}.`);
      tensors.push(tf.tensor(data, [1, ...shape], data instanceof Int32Array ? 'int32' : 'float32'));
    });
    raw = tf.tidy(() => {
      const out = model.predict(tensors.length === 1 ? tensors[0] : tensors);
      // Outputs are float32 (probabilities, values).
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync<'float32'>().slice());
    });
  } finally {
    tf.dispose(tensors);
  }
  const parts = outputsOf(meta);
  return {
    runId,
    outputs: raw.map((values, i) => {
      const layer = model.outputNames[i];
      const part = parts.find((p) => p.layer === layer) ?? parts[i] ?? parts[0];
      const name = parts.length > 1 ? (part.target ?? layer) : layer;
      return readOutput(values, part, name, outputFromLogits(project, part, layer));
    }),
  };
}

/** For each of the model's inputs, the index of the metadata input that feeds it (by layer name, else in order). */
function modelInputOrder(model: tf.LayersModel, inputs: ModelInputMeta[]): number[] {
  return model.inputNames.map((name, i) => {
    const byLayer = inputs.findIndex((p) => p.layer === name);
    return byLayer >= 0 ? byLayer : Math.min(i, inputs.length - 1);
  });
}

/** The sample as the model's inputs, in the metadata's input order, prepared as training prepared its data. */
export async function prepareSample(meta: ModelMetadata, project: Project, sample: Sample): Promise<(Float32Array | Int32Array)[]> {
  if (sample.type === 'row' || sample.type === 'text') {
    const source = project.dataset.source;
    return encodeTypedSample(meta, sample, source.type === 'csv' ? source.delimiter : 'auto');
  }
  const inputs = inputsOf(meta);
  const pre = inputs[0].preprocessing;
  if (inputs.length !== 1 || pre?.kind !== 'image') throw new SampleError('This model does not take an image; give a sample of its kind.');
  const channels = pre.channels === 1 ? 1 : 3;
  let bytes: Uint8Array;
  if (sample.type === 'pixels' && sample.width === pre.width && sample.height === pre.height && sample.channels === channels) {
    bytes = Uint8Array.from(sample.pixels);
  } else {
    try {
      bytes =
        sample.type === 'pixels'
          ? await decodeImage({ pixels: Uint8Array.from(sample.pixels), width: sample.width, height: sample.height, channels: sample.channels }, pre.width, pre.height, channels)
          : await decodeImage(Buffer.from(sample.dataBase64, 'base64'), pre.width, pre.height, channels);
    } catch (e) {
      const what = sample.type === 'image' ? `"${sample.name}"` : 'The drawn image';
      throw new SampleError(`${what} cannot be read as an image (${(e as Error).message}). Use a PNG or JPEG file.`, sample.type === 'image' ? sample.name : undefined);
    }
  }
  const x = new Float32Array(bytes.length);
  scalePixels(bytes, x, 0, pre.scale);
  return [x];
}
