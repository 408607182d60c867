/**
 * Column choices for table-like sources (CSV, text, time series): which column a person most likely
 * means as the label, text or target when the file's columns become known. Pure; the renderer's data
 * forms and store call it.
 */
import type { DatasetPreview } from './datasets';
import type { DatasetSource } from './project';

export type TableColumn = NonNullable<DatasetPreview['table']>['columns'][number];

const LABEL_NAME = /^(label|labels|class|classes|target|y|category|species|outcome|sentiment)$/i;

/** The label column a person most likely means: one with a label-like name, else the last column. */
export function guessLabelColumn(columns: readonly TableColumn[], exclude: readonly string[] = []): string | undefined {
  const usable = columns.filter((c) => !exclude.includes(c.name));
  return (usable.find((c) => LABEL_NAME.test(c.name.trim())) ?? usable[usable.length - 1])?.name;
}

/**
 * The probed source with its column choices made real from the preview's columns: choices naming a
 * column that exists are kept, others guessed; feature lists keep only existing columns.
 * Returns the probe unchanged when there are no columns (the engine accepted the names as given).
 */
export function sourceFromProbe(probe: DatasetSource, columns: readonly TableColumn[] | undefined): DatasetSource {
  if (!columns?.length || probe.type === 'builtin' || probe.type === 'images') return probe;
  const names = columns.map((c) => c.name);
  const has = (n: string | undefined): n is string => n !== undefined && names.includes(n);
  switch (probe.type) {
    case 'csv': {
      const labelColumn = has(probe.labelColumn) ? probe.labelColumn : (guessLabelColumn(columns) ?? probe.labelColumn);
      return { ...probe, labelColumn, featureColumns: probe.featureColumns.filter((c) => has(c) && c !== labelColumn) };
    }
    case 'text': {
      const textColumn = has(probe.textColumn)
        ? probe.textColumn
        : (columns.find((c) => c.type === 'text')?.name ?? columns.find((c) => !LABEL_NAME.test(c.name))?.name ?? probe.textColumn);
      const labelColumn =
        has(probe.labelColumn) && probe.labelColumn !== textColumn ? probe.labelColumn : (guessLabelColumn(columns, [textColumn]) ?? probe.labelColumn);
      return { ...probe, textColumn, labelColumn };
    }
    case 'timeseries': {
      const numeric = columns.filter((c) => c.type === 'number');
      const targetColumn = has(probe.targetColumn) ? probe.targetColumn : ((numeric[numeric.length - 1] ?? columns[columns.length - 1])?.name ?? probe.targetColumn);
      return { ...probe, targetColumn, featureColumns: probe.featureColumns.filter(has) };
    }
  }
}

