import type * as tfTypes from '@tensorflow/tfjs';

/**
 * A model's topology and weights captured in memory (nothing is written), with all weights joined into
 * one freshly allocated ArrayBuffer — safe to transfer to another thread or upload. Takes the `tf` the
 * model was built with (tfjs-node, a browser build, ...).
 */
export async function captureArtifacts(tf: typeof tfTypes, model: tfTypes.LayersModel): Promise<tfTypes.io.ModelArtifacts> {
  let captured: tfTypes.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new Error('TensorFlow.js did not hand over the model artifacts.');
  const a = captured as tfTypes.io.ModelArtifacts;
  if (Array.isArray(a.weightData)) a.weightData = tf.io.CompositeArrayBuffer.join(a.weightData);
  return a;
}
