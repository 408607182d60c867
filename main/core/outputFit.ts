/**
 * The one rule for "does the network's output fit the dataset?": analysis (warnings on the canvas), the
 * training loop (a refusal before training), the loss choice and the renderer's "fit to data" all call
 * it, so they cannot disagree. Which layers set or pass the output is read from the layer specs
 * (`spec.outputFit`), never from kind names.
 */
import type { DatasetTarget } from './datasets';
import type { AnyLayerSpec } from './layers/types';
import { formatShape, type Shape } from './shapes';

export type LossName = 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';

/**
 * What the rule needs to know of a dataset (or of the one target an output is bound to). `fromLogits`: the
 * output's loss takes raw scores (the project's per-output "From logits" option), so the output is linear.
 */
export type FitTarget = Pick<DatasetTarget, 'datasetName' | 'task' | 'numClasses' | 'outputSize' | 'outputShape' | 'unitRange'> & { fromLogits?: boolean };

/** The loss that fits a dataset and the model's output width (binary with one sigmoid unit, classes, or values). */
export function lossFor(target: Pick<FitTarget, 'task' | 'numClasses' | 'unitRange'>, outputUnits: number): LossName {
  // Pixels in 0..1 from a sigmoid: the cross-entropy of each value, whose gradient does not vanish where the sigmoid
  // saturates (with the MSE a young autoencoder stalls at a black picture). The test still reports the MSE.
  if (target.task === 'reconstruction' && target.unitRange) return 'binaryCrossentropy';
  if (target.task !== 'classification') return 'meanSquaredError';
  return target.numClasses === 2 && outputUnits === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy';
}

/** The width and activation the output should have for a dataset, given the output's current width. */
export function outputTarget(target: Pick<FitTarget, 'task' | 'numClasses' | 'outputSize' | 'fromLogits' | 'unitRange'>, currentUnits: unknown): { units: number; activation: string } {
  if (target.task === 'regression') return { units: target.outputSize, activation: 'linear' };
  // Values in 0..1 (pixels) are what a sigmoid gives; anything else (standardized columns) needs linear.
  if (target.task === 'reconstruction') return { units: target.outputSize, activation: target.unitRange ? 'sigmoid' : 'linear' };
  // From logits: the loss applies softmax / sigmoid itself, so the layer gives raw scores.
  const logits = target.fromLogits === true;
  // A binary classifier may keep one sigmoid unit; otherwise one softmax unit per class.
  if (target.numClasses === 2 && currentUnits === 1) return { units: 1, activation: logits ? 'linear' : 'sigmoid' };
  return { units: target.outputSize, activation: logits ? 'linear' : 'softmax' };
}

/** Where a network's output width and activation are decided (see walkOutput). */
export interface OutputChain<T> {
  /** The layer whose params set the output width (spec `outputFit.fit === 'sets'`), when the walk reached one. */
  setter?: T;
  /** The pass-through layer nearest the output that decides the activation (e.g. a softmax Activation or a Softmax layer after a linear Dense). */
  activationLayer?: T;
}

/**
 * Walks back from the output over layers that pass values through unchanged in count (Activation, Dropout…)
 * to the layer that sets the width. Generic over graph nodes and built tfjs layers: `specOf` gives a
 * layer's spec, `previous` its only input (undefined when it has none or several).
 */
export function walkOutput<T>(output: T, specOf: (layer: T) => AnyLayerSpec | undefined, previous: (layer: T) => T | undefined): OutputChain<T> {
  const chain: OutputChain<T> = {};
  const seen = new Set<T>();
  let layer: T | undefined = output;
  while (layer !== undefined && !seen.has(layer)) {
    seen.add(layer);
    const fit = specOf(layer)?.outputFit;
    if (fit?.fit === 'sets') return { ...chain, setter: layer };
    if (fit?.fit !== 'passes') break;
    if ((fit.activation || fit.applies) && !chain.activationLayer) chain.activationLayer = layer;
    layer = previous(layer);
  }
  return chain;
}

/** The network's output as the rule sees it. */
export interface NetworkOutput {
  /** Name of the layer the network ends in. */
  name: string;
  /** Its output shape per sample (no batch axis). */
  shape: Shape;
  /** Name of the layer whose units set the width (the output itself, or a Dense before an Activation); none when no layer does. */
  unitsLayer?: string;
  /** The activation the values leave with, when known (after defaults). */
  activation?: string;
  /** Name of the layer that applies that activation (the output, a Dense before a Dropout, a Softmax layer…). */
  activationLayer?: string;
}

export type OutputFitCheck =
  /** The output fits: its width, the loss to train with, and advice that does not stop training. */
  | { fits: true; units: number; loss: LossName; warnings: string[] }
  /** It does not: a message that names the layer and the fix. */
  | { fits: false; problem: string };

/** Checks a network's output against a dataset: width, shape and activation. */
export function checkOutputFit(out: NetworkOutput, target: FitTarget): OutputFitCheck {
  const { name, shape, activation } = out;
  const ds = target.datasetName;
  const flat = shape.length === 1 && shape[0] !== null;
  const units = flat ? (shape[0] as number) : NaN;
  const setUnits = (n: number, fallback: string) =>
    out.unitsLayer === name ? `Set its units to ${n}.` : out.unitsLayer ? `Set the units of ${out.unitsLayer} to ${n}.` : `End with ${fallback}.`;
  const warnings: string[] = [];

  if (target.task === 'reconstruction') return checkReconstruction(out, target);

  if (target.task === 'regression') {
    const n = target.outputSize;
    const values = `${n} value${n === 1 ? '' : 's'} to predict per sample`;
    if (!flat) return { fits: false, problem: `${name} outputs ${formatShape(shape)} but ${ds} has ${values}. Flatten and end with Dense(${n}, linear).` };
    if (units !== n) return { fits: false, problem: `${name} outputs ${units} value${units === 1 ? '' : 's'} but ${ds} has ${values}. ${setUnits(n, `Dense(${n}, linear)`)}` };
    if (activation === 'softmax' || activation === 'sigmoid' || activation === 'tanh') {
      warnings.push(`${name} predicts numbers (regression) but its activation ${activation} squeezes them into a fixed range; use linear.`);
    }
    return { fits: true, units, loss: lossFor(target, units), warnings };
  }

  const k = target.numClasses;
  const binaryOk = k === 2 && units === 1;
  const orSigmoid = k === 2 ? ' or Dense(1, sigmoid)' : '';
  if (!flat) {
    return { fits: false, problem: `${name} outputs ${formatShape(shape)}, but ${ds} has one label per sample from ${k} classes. Flatten and end with Dense(${k}, softmax)${orSigmoid}.` };
  }
  if (units !== k && !binaryOk) {
    return { fits: false, problem: `${name} outputs ${units} values but ${ds} has ${k} classes. ${setUnits(k, `Dense(${k}, softmax)${orSigmoid}`)}` };
  }
  if (target.fromLogits) {
    const squash = activation === 'softmax' || activation === 'sigmoid';
    if (squash) {
      const layer = out.activationLayer ?? name;
      warnings.push(
        `${layer} applies ${activation} but its loss takes logits (From logits is on): the loss applies ${binaryOk ? 'sigmoid' : 'softmax'} again. Set its activation to linear, or turn From logits off.`,
      );
    } else if (activation !== undefined && activation !== 'linear') {
      warnings.push(`${name} feeds a loss that takes logits (From logits is on) but its activation is ${activation}; use linear so the scores can take any value.`);
    }
  } else if (binaryOk && activation !== undefined && activation !== 'sigmoid') {
    warnings.push(`${name} is a single-unit binary classifier but its activation is ${activation}; use sigmoid so the output is a probability.`);
  } else if (!binaryOk && activation !== undefined && activation !== 'softmax') {
    warnings.push(`${name} is the classifier output but its activation is ${activation}; use softmax so the outputs are class probabilities.`);
  }
  return { fits: true, units, loss: lossFor(target, units), warnings };
}

/**
 * An autoencoder's output gives back its input: the input's shape (e.g. [28, 28, 1], after the decoder has grown the
 * picture back), or a flat vector of as many values (a Dense decoder), which training reshapes the targets to.
 */
function checkReconstruction(out: NetworkOutput, target: FitTarget): OutputFitCheck {
  const { name, shape, activation } = out;
  const want = target.outputShape ?? [target.outputSize];
  const n = target.outputSize;
  const same = shape.length === want.length && shape.every((d, i) => d === want[i]);
  const flat = shape.length === 1 && shape[0] === n;
  if (!same && !flat) {
    const last = want[want.length - 1];
    const how =
      want.length > 1
        ? `Grow it back to ${formatShape(want)} (UpSampling2D or Conv2DTranspose undo the pooling) and end with a layer of ${last} filter${last === 1 ? '' : 's'}, e.g. Conv2D(${last}, ${target.unitRange ? 'sigmoid' : 'linear'}, padding same).`
        : `End with Dense(${n}, ${target.unitRange ? 'sigmoid' : 'linear'}).`;
    return { fits: false, problem: `${name} outputs ${formatShape(shape)} but the target of ${target.datasetName} is its input, ${formatShape(want)}: the output must have the input's shape. ${how}` };
  }
  const warnings: string[] = [];
  if (activation === 'softmax') {
    warnings.push(`${name} reconstructs the input but its activation softmax makes each sample's values sum to 1; use ${target.unitRange ? 'sigmoid (the values are in 0..1)' : 'linear'}.`);
  } else if (target.unitRange && activation !== undefined && activation !== 'sigmoid') {
    warnings.push(`${name} reconstructs values in 0..1 with binary cross-entropy, which takes values between 0 and 1, but its activation is ${activation}; use sigmoid.`);
  } else if (!target.unitRange && (activation === 'sigmoid' || activation === 'tanh')) {
    warnings.push(`${name} reconstructs values that are not in 0..1 but its activation ${activation} squeezes them into a fixed range; use linear.`);
  }
  return { fits: true, units: n, loss: lossFor(target, n), warnings };
}

/**
 * Softmax (several units) or sigmoid (one unit) of logits, in place: what a from-logits classifier's scores
 * mean as probabilities (evaluation's confidences). Rows of `width` values.
 */
export function probabilitiesFromLogits(values: Float32Array, width: number): Float32Array {
  if (width === 1) {
    for (let i = 0; i < values.length; i++) values[i] = 1 / (1 + Math.exp(-values[i]));
    return values;
  }
  for (let o = 0; o + width <= values.length; o += width) {
    let max = -Infinity;
    for (let k = 0; k < width; k++) max = Math.max(max, values[o + k]);
    let sum = 0;
    for (let k = 0; k < width; k++) sum += values[o + k] = Math.exp(values[o + k] - max);
    for (let k = 0; k < width; k++) values[o + k] /= sum;
  }
  return values;
}
