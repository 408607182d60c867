/**
 * Edits of a table's bindings (which columns feed which Input, which column each output predicts), pure and
 * shared by every UI. Bindings name nodes by id, so renaming a layer keeps them.
 */
import type { CsvInputBinding, CsvTargetBinding, DatasetSource } from './project';

export type CsvSource = Extract<DatasetSource, { type: 'csv' }>;

/** An input binding without its node (each member of the union keeps its own fields). */
export type InputBindingDraft = CsvInputBinding extends infer B ? (B extends CsvInputBinding ? Omit<B, 'node'> : never) : never;

/** The source with `node`'s input binding replaced (or removed with null); other Inputs keep theirs, in order. */
export function withInputBinding(source: CsvSource, node: string, binding: InputBindingDraft | null): CsvSource {
  const next = { ...binding, node } as CsvInputBinding;
  const has = source.inputs.some((b) => b.node === node);
  const inputs = binding === null ? source.inputs.filter((b) => b.node !== node) : has ? source.inputs.map((b) => (b.node === node ? next : b)) : [...source.inputs, next];
  return { ...source, inputs };
}

/**
 * The source with `node`'s target replaced (or removed with null). The label column follows the first target,
 * so the fields that describe one target (and the summary) stay true.
 */
export function withTargetBinding(source: CsvSource, node: string, target: Omit<CsvTargetBinding, 'node'> | null): CsvSource {
  const next: CsvTargetBinding = { task: 'auto', ...target, node } as CsvTargetBinding;
  const has = source.targets.some((t) => t.node === node);
  const targets = target === null ? source.targets.filter((t) => t.node !== node) : has ? source.targets.map((t) => (t.node === node ? next : t)) : [...source.targets, next];
  return { ...source, targets, labelColumn: targets[0]?.column ?? source.labelColumn, task: targets[0]?.task ?? source.task };
}
