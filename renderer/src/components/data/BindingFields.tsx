import type { TableColumn } from '../../../../main/core/datasetColumns';
import { withInputBinding, withTargetBinding, type CsvSource, type InputBindingDraft } from '../../../../main/core/bindings';
import { graphEnds } from '../../../../main/core/graph/analyze';
import { useApp } from '../../store/context';
import { NumberField } from './controls';

type Kind = 'none' | 'columns' | 'text';

/**
 * Bindings of a table to a network with several Inputs or outputs: which columns (or which text column) each Input
 * takes, and which column each output predicts. One Input and one output need none: they take the feature columns
 * and the label column as before.
 */
export function BindingFields({ source, columns, commit }: { source: CsvSource; columns: readonly TableColumn[] | undefined; commit: (source: CsvSource) => void }) {
  const project = useApp((s) => s.project);
  const ends = graphEnds(project.graph);
  const byId = new Map(project.graph.nodes.map((n) => [n.id, n]));
  const inputs = ends.inputIds.map((id) => byId.get(id)!);
  const outputs = ends.outputIds.map((id) => byId.get(id)!);
  const names = (columns ?? []).map((c) => c.name);
  if (inputs.length < 2 && outputs.length < 2 && source.inputs.length === 0 && source.targets.length === 0) return null;
  const targetColumns = new Set(source.targets.map((t) => t.column));

  return (
    <fieldset className="data-bindings" data-testid="data-bindings">
      <legend className="field__label">Inputs and outputs</legend>
      <div className="field__help">
        Each Input takes a group of columns or one text column; each output predicts one column (a class or a number), with its own loss.
      </div>
      <h3 className="data-bindings__title">Inputs</h3>
      {inputs.map((node) => {
        const binding = source.inputs.find((b) => b.node === node.id);
        const kind: Kind = binding?.type ?? 'none';
        const setKind = (next: Kind) => {
          if (next === 'none') return commit(withInputBinding(source, node.id, null));
          const free = names.filter((c) => !targetColumns.has(c));
          const textColumn = (columns ?? []).find((c) => c.type === 'text' && !targetColumns.has(c.name))?.name ?? free[0] ?? '';
          const fresh: InputBindingDraft =
            next === 'columns'
              ? { type: 'columns', columns: (columns ?? []).filter((c) => c.type === 'number' && !targetColumns.has(c.name)).map((c) => c.name).slice(0, 8) }
              : { type: 'text', column: textColumn, vocabSize: 10_000, sequenceLength: 100, lowercase: true };
          if (fresh.type === 'columns' && fresh.columns.length === 0) fresh.columns = free.slice(0, 1);
          commit(withInputBinding(source, node.id, fresh));
        };
        return (
          <div key={node.id} className="data-bindings__row" data-testid={`binding-input-${node.name}`}>
            <label className="field__label" htmlFor={`binding-input-${node.id}`}>
              {node.name} takes
            </label>
            <select id={`binding-input-${node.id}`} className="field__input" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="none">{inputs.length === 1 ? 'the feature columns' : '(not bound)'}</option>
              <option value="columns">columns</option>
              <option value="text">a text column (tokenized)</option>
            </select>
            {binding?.type === 'columns' && (
              <ul className="data-columns__list">
                {names.map((c) => (
                  <li key={c}>
                    <label>
                      <input
                        type="checkbox"
                        data-testid={`binding-input-${node.name}-${c}`}
                        checked={binding.columns.includes(c)}
                        disabled={targetColumns.has(c)}
                        onChange={(e) => {
                          const next = e.target.checked ? names.filter((n) => n === c || binding.columns.includes(n)) : binding.columns.filter((n) => n !== c);
                          if (next.length > 0) commit(withInputBinding(source, node.id, { ...binding, columns: next }));
                        }}
                      />{' '}
                      {c}
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {binding?.type === 'text' && (
              <>
                <select aria-label={`Text column of ${node.name}`} className="field__input" value={binding.column} onChange={(e) => commit(withInputBinding(source, node.id, { ...binding, column: e.target.value, vocabulary: undefined }))}>
                  {!names.includes(binding.column) && <option value={binding.column}>{binding.column} (not in the file)</option>}
                  {names.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
                <NumberField
                  id={`binding-length-${node.id}`}
                  label="Tokens per text"
                  value={binding.sequenceLength}
                  min={2}
                  max={10_000}
                  onCommit={(sequenceLength) => commit(withInputBinding(source, node.id, { ...binding, sequenceLength }))}
                />
              </>
            )}
          </div>
        );
      })}
      <h3 className="data-bindings__title">Outputs</h3>
      {outputs.map((node) => {
        const target = source.targets.find((t) => t.node === node.id);
        return (
          <div key={node.id} className="data-bindings__row" data-testid={`binding-output-${node.name}`}>
            <label className="field__label" htmlFor={`binding-output-${node.id}`}>
              {node.name} predicts
            </label>
            <select
              id={`binding-output-${node.id}`}
              className="field__input"
              value={target?.column ?? ''}
              onChange={(e) => commit(withTargetBinding(source, node.id, e.target.value ? { column: e.target.value, task: target?.task ?? 'auto' } : null))}
            >
              <option value="">{outputs.length === 1 ? 'the label column' : '(not bound)'}</option>
              {target && !names.includes(target.column) && <option value={target.column}>{target.column} (not in the file)</option>}
              {names.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            {target && (
              <select aria-label={`Task of ${node.name}`} className="field__input" value={target.task} onChange={(e) => commit(withTargetBinding(source, node.id, { ...target, task: e.target.value as typeof target.task }))}>
                <option value="auto">Auto</option>
                <option value="classification">Classification</option>
                <option value="regression">Regression</option>
              </select>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
