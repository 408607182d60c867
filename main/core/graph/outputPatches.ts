/**
 * The params that make a network's output give a dataset's labels: the width-setting layer's units and the
 * activation the values leave with. Shared by "fit to data" (fitToData.ts) and the one-click fixes analysis offers
 * (analyze.ts), so the two change the same params the same way. Which layers set or pass the output comes from
 * the layer specs.
 */
import type { ProjectNode } from '../project';
import { getLayerSpec } from '../layers/registry';
import { outputTarget, type FitTarget, type OutputChain } from '../outputFit';

/** Equality of param values as the inspector edits them (numbers, strings, shape arrays). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return Object.is(a, b);
}

/** One param change, with the words that describe it ("dense_2 10 units"). */
export interface ParamPatch {
  node: ProjectNode;
  key: string;
  value: unknown;
  text: string;
}

/**
 * The param changes (only those that change something) that give the output the width and activation the data
 * needs, or null when no layer of the output chain sets the width. When the network ends in pass-through layers
 * (Activation, Dropout) after the Dense, the Dense gets the units and the trailing Activation the activation (the
 * Dense then stays linear).
 */
export function outputParamPatches(chain: OutputChain<ProjectNode>, data: Pick<FitTarget, 'task' | 'numClasses' | 'outputSize' | 'fromLogits'>): ParamPatch[] | null {
  const { setter, activationLayer } = chain;
  const sets = setter ? getLayerSpec(setter.kind)?.outputFit : undefined;
  if (!setter || sets?.fit !== 'sets') return null;
  const passes = activationLayer ? getLayerSpec(activationLayer.kind)?.outputFit : undefined;
  const target = outputTarget(data, setter.params[sets.units]);
  const patches: ParamPatch[] = [];
  const patch = (node: ProjectNode, key: string, value: unknown, text: string) => {
    if (!sameValue(node.params[key], value)) patches.push({ node, key, value, text });
  };
  patch(setter, sets.units, target.units, `${setter.name} ${target.units} unit${target.units === 1 ? '' : 's'}`);
  if (activationLayer && passes?.fit === 'passes' && passes.activation) {
    patch(setter, sets.activation, 'linear', `${setter.name} linear`);
    patch(activationLayer, passes.activation, target.activation, `${activationLayer.name} ${target.activation}`);
  } else if (activationLayer && passes?.fit === 'passes' && passes.applies) {
    // A layer that applies its own fixed activation (a Softmax layer) comes last: the Dense before it stays linear.
    // Where that activation does not suit the data, analysis says so; fitting does not remove layers.
    patch(setter, sets.activation, 'linear', `${setter.name} linear`);
  } else {
    patch(setter, sets.activation, target.activation, `${setter.name} ${target.activation}`);
  }
  return patches;
}
