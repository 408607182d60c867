import type { ReactNode } from 'react';
import type { TableColumn } from '../../../../main/core/datasetColumns';
import { CommitField, parseNumber } from '../fields';

/** A labelled select whose options are [value, text] pairs. */
export function SelectField<T extends string>({
  id,
  label,
  value,
  options,
  onChange,
  testId,
  help,
  disabled,
}: {
  id: string;
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
  testId?: string;
  help?: ReactNode;
  disabled?: boolean;
}) {
  return (
    <div className="field field--compact">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select id={id} data-testid={testId ?? id} className="field__input" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      {help && <div className="field__help">{help}</div>}
    </div>
  );
}

/** A whole or decimal number, committed on Enter/blur (one undo step) within [min, max]. */
export function NumberField({
  id,
  label,
  value,
  min,
  max,
  step = 1,
  onCommit,
  testId,
  help,
}: {
  id: string;
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number | 'any';
  onCommit: (value: number) => void;
  testId?: string;
  help?: ReactNode;
}) {
  return (
    <div className="field field--compact">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <CommitField
        id={id}
        testId={testId ?? id}
        value={String(value)}
        inputProps={{ type: 'number', min, max, step }}
        commit={(text) => {
          const n = parseNumber(text);
          if (n === null) return `${label} must be a number`;
          if (step === 1 && !Number.isInteger(n)) return `${label} must be a whole number`;
          if (n < min || n > max) return `${label} must be between ${min} and ${max}`;
          onCommit(n);
          return null;
        }}
      />
      {help && <div className="field__help">{help}</div>}
    </div>
  );
}

export function CheckField({ id, label, checked, onChange, help }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void; help?: ReactNode }) {
  return (
    <div className="field field--compact field--inline">
      <input id={id} data-testid={id} type="checkbox" className="field__checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {help && <div className="field__help">{help}</div>}
    </div>
  );
}

const TYPE_TEXT: Record<TableColumn['type'], string> = { number: 'number', category: 'category', text: 'text', empty: 'empty' };

/**
 * Picks one column: a select over the file's columns once they are known, a text field before
 * (the testid is the same either way).
 */
export function ColumnSelect({
  id,
  label,
  value,
  columns,
  onChange,
  help,
}: {
  id: string;
  label: string;
  value: string;
  columns: readonly TableColumn[] | undefined;
  onChange: (value: string) => void;
  help?: ReactNode;
}) {
  if (!columns?.length) {
    return (
      <div className="field field--compact">
        <label className="field__label" htmlFor={id}>
          {label}
        </label>
        <CommitField
          id={id}
          testId={id}
          value={value}
          inputProps={{ type: 'text', spellCheck: false }}
          commit={(text) => {
            if (!text.trim()) return `${label}: write a column name`;
            onChange(text.trim());
            return null;
          }}
        />
        {help && <div className="field__help">{help}</div>}
      </div>
    );
  }
  const known = columns.some((c) => c.name === value);
  return (
    <div className="field field--compact">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select id={id} data-testid={id} className="field__input" value={value} onChange={(e) => onChange(e.target.value)}>
        {!known && <option value={value}>{value} (not in the file)</option>}
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} ({TYPE_TEXT[c.type]}
            {c.distinct !== undefined ? `, ${c.distinct} distinct` : ''})
          </option>
        ))}
      </select>
      {help && <div className="field__help">{help}</div>}
    </div>
  );
}

/**
 * Feature columns as checkboxes. `selected` empty means "all of `columns`" (the schema's default),
 * and choosing all again stores the empty list.
 */
export function ColumnChecklist({
  id,
  label,
  columns,
  selected,
  onChange,
  help,
}: {
  id: string;
  label: string;
  columns: readonly TableColumn[];
  selected: readonly string[];
  onChange: (value: string[]) => void;
  help?: ReactNode;
}) {
  const all = columns.map((c) => c.name);
  const isOn = (name: string) => selected.length === 0 || selected.includes(name);
  const toggle = (name: string, on: boolean) => {
    const current = selected.length === 0 ? all : selected.filter((n) => all.includes(n));
    const next = on ? all.filter((n) => n === name || current.includes(n)) : current.filter((n) => n !== name);
    if (next.length === 0) return; // keep at least one feature
    onChange(next.length === all.length ? [] : next);
  };
  return (
    <fieldset className="data-columns" data-testid={id}>
      <legend className="field__label">{label}</legend>
      {columns.length === 0 ? (
        <div className="field__help">The columns show once the file has been read.</div>
      ) : (
        <ul className="data-columns__list">
          {columns.map((c) => (
            <li key={c.name}>
              <label>
                <input type="checkbox" data-testid={`${id}-${c.name}`} checked={isOn(c.name)} onChange={(e) => toggle(c.name, e.target.checked)} /> {c.name}{' '}
                <span className="muted">({TYPE_TEXT[c.type]})</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {help && <div className="field__help">{help}</div>}
    </fieldset>
  );
}
