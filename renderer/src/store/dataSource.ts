import { DatasetSourceSchema, type DatasetSource } from '../../../main/core/project';

/** Source types that read a person's own file or folder. */
export type OwnDataType = Exclude<DatasetSource['type'], 'builtin'>;

/** Deep equality for plain JSON values (sources built by spreads differ in key order, not in meaning). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

export function dataSourcesEqual(a: DatasetSource | null | undefined, b: DatasetSource | null | undefined): boolean {
  if (!a || !b) return a === b;
  return jsonEqual(a, b);
}

/**
 * Column names used while a file's columns are not known yet: `datasets.inspect` takes a complete
 * source, so the first look at a new CSV names these (a file with such a column just works) and the
 * real choices are filled in from the preview's columns (sourceFromProbe).
 */
export const PLACEHOLDER_COLUMNS = { label: 'label', text: 'text', target: 'value' } as const;

/** The source to inspect for a newly chosen path: options from `draft` (same type), placeholders for unknown columns. */
export function probeSource(type: OwnDataType, path: string, draft?: DatasetSource): DatasetSource {
  const base: Record<string, unknown> = draft && draft.type === type ? { ...draft } : {};
  const fields: Record<string, unknown> = { ...base, type, path };
  if (type === 'csv' && !fields.labelColumn) fields.labelColumn = PLACEHOLDER_COLUMNS.label;
  if (type === 'text') {
    if (!fields.textColumn) fields.textColumn = PLACEHOLDER_COLUMNS.text;
    if (!fields.labelColumn) fields.labelColumn = PLACEHOLDER_COLUMNS.label;
    // A new file gets a new vocabulary.
    if (draft?.type !== 'text' || draft.path !== path) delete fields.vocabulary;
  }
  if (type === 'timeseries' && !fields.targetColumn) fields.targetColumn = PLACEHOLDER_COLUMNS.target;
  return DatasetSourceSchema.parse(fields);
}

/**
 * A text source's vocabulary belongs to the file, column, size and case folding it was built from;
 * when one of those changes, the stored vocabulary no longer applies and is dropped.
 */
export function withoutStaleVocabulary(prev: DatasetSource, next: DatasetSource): DatasetSource {
  if (next.type !== 'text' || !next.vocabulary) return next;
  if (prev.type !== 'text') return next;
  const same = prev.path === next.path && prev.textColumn === next.textColumn && prev.vocabSize === next.vocabSize && prev.lowercase === next.lowercase;
  if (same) return next;
  const { vocabulary: _dropped, ...rest } = next;
  return rest;
}

/** The sensible first source of a type when the person switches to it (no path yet). */
export function blankSource(type: DatasetSource['type']): Record<string, unknown> {
  return type === 'builtin' ? { type, name: 'mnist', samples: 2000, noise: 0.1 } : { type, path: '' };
}

