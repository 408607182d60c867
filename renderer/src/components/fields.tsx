import { useState, type InputHTMLAttributes } from 'react';
import { defaultLayerValue, paramsSchema, type LayerParam, type LayerValue, type ParamDef } from '../../../main/core/layers/params';

/**
 * A text/number input that edits a draft and commits it on blur or Enter (one undo step),
 * reverting on Escape. `commit` returns an error message to keep the draft and show it.
 */
export function CommitField({
  value,
  commit,
  check,
  onProblem,
  testId,
  id,
  inputProps,
}: {
  value: string;
  commit: (text: string) => string | null;
  /** Validates while typing (nothing is committed): the message shows at once instead of after Enter. */
  check?: (text: string) => string | null;
  /** Told whenever the field's message changes (null: the field is fine), so the app can act on an invalid field. */
  onProblem?: (problem: string | null) => void;
  testId?: string;
  id?: string;
  inputProps?: InputHTMLAttributes<HTMLInputElement>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setErrorState] = useState<string | null>(null);
  const setError = (e: string | null) => {
    setErrorState(e);
    onProblem?.(e);
  };
  const apply = () => {
    if (draft === null) return;
    if (draft === value) {
      setDraft(null);
      setError(null);
      return;
    }
    const err = commit(draft);
    setError(err);
    if (!err) setDraft(null);
  };
  return (
    <>
      <input
        id={id}
        data-testid={testId}
        className={`field__input${error ? ' field__input--invalid' : ''}`}
        aria-invalid={error ? true : undefined}
        {...inputProps}
        value={draft ?? value}
        onChange={(e) => {
          setDraft(e.target.value);
          if (check) setError(e.target.value === value ? null : check(e.target.value));
        }}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            apply();
          } else if (e.key === 'Escape') {
            setDraft(null);
            setError(null);
          }
        }}
      />
      {error && (
        <div className="field__error" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {error}
        </div>
      )}
    </>
  );
}

const schemaCache = new WeakMap<ParamDef, ReturnType<typeof paramsSchema>>();

/** Checks one value against a param definition; returns the parsed value or an error message. */
export function validateParam(def: ParamDef, value: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  let schema = schemaCache.get(def);
  if (!schema) schemaCache.set(def, (schema = paramsSchema({ v: def })));
  const r = schema.safeParse({ v: value });
  if (r.success) return { ok: true, value: (r.data as { v: unknown }).v };
  return { ok: false, error: r.error.issues[0]?.message ?? `${def.label} is not valid` };
}

/** A number field's text as the param's value, or why it is not one ("Units must be a number"). */
function parseNumberParam(def: ParamDef, text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const n = parseNumber(text);
  if (n === null) return { ok: false, error: `${def.label} must be a number` };
  return validateParam(def, n);
}

export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** The parts of a typed list: "[28, 28, 1]", "28x28x1" and "28 28 1" all give "28", "28", "1". */
function listParts(text: string): string[] {
  return text
    .trim()
    .replace(/^\[|\]$/g, '')
    .split(/[\s,×x]+/)
    .filter(Boolean);
}

/** "28, 28, 1" (or "28x28x1", "28 28 1") → [28, 28, 1]; null when a part is not a number. */
export function parseNumberList(text: string): number[] | null {
  const parts = listParts(text);
  if (!parts.length) return null;
  const nums = parts.map((p) => Number(p));
  return nums.every((n) => Number.isFinite(n)) ? nums : null;
}

/** How a shape writes an axis of unknown length; `null` is read too (that is how project files store it). */
export const UNKNOWN_AXIS = '?';

/**
 * A shape as typed in the inspector: like parseNumberList, and where `allowUnknown`, "?, 128" (or "null, 128")
 * → [null, 128]. Null when a part is neither a number nor an allowed unknown.
 */
export function parseShapeList(text: string, allowUnknown = false): (number | null)[] | null {
  const parts = listParts(text);
  if (!parts.length) return null;
  const dims = parts.map((p) => (allowUnknown && (p === UNKNOWN_AXIS || p.toLowerCase() === 'null') ? null : Number(p)));
  return dims.every((d) => d === null || Number.isFinite(d)) ? dims : null;
}

function displayValue(def: ParamDef, value: unknown): string {
  if (Array.isArray(value)) return value.map((d) => (d === null ? UNKNOWN_AXIS : String(d))).join(', ');
  if (value === undefined || value === null) return '';
  return def.type === 'float' || def.type === 'int' ? String(value) : String(value);
}

/** One generated inspector control for a layer parameter. */
export function ParamField({ paramKey, def, value, onCommit }: { paramKey: string; def: ParamDef; value: unknown; onCommit: (v: unknown) => void }) {
  const id = `param-field-${paramKey}`;
  const testId = `param-${paramKey}`;
  let control;
  switch (def.type) {
    case 'bool':
      control = (
        <input
          id={id}
          type="checkbox"
          data-testid={testId}
          checked={value === true}
          onChange={(e) => onCommit(e.target.checked)}
          className="field__checkbox"
        />
      );
      break;
    case 'enum':
      control = (
        <select id={id} data-testid={testId} className="field__input" value={String(value ?? def.default)} onChange={(e) => onCommit(e.target.value)}>
          {def.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'int':
    case 'float':
      control = (
        <CommitField
          id={id}
          testId={testId}
          value={displayValue(def, value)}
          inputProps={{ type: 'number', min: def.min, max: def.max, step: def.type === 'int' ? 1 : (def.step ?? 'any'), inputMode: 'decimal' }}
          check={(text) => {
            const r = parseNumberParam(def, text);
            return r.ok ? null : r.error;
          }}
          commit={(text) => {
            const r = parseNumberParam(def, text);
            if (!r.ok) return r.error;
            onCommit(r.value);
            return null;
          }}
        />
      );
      break;
    case 'shape':
    case 'pair': {
      const unknownAllowed = def.type === 'shape' && def.allowUnknown === true;
      const example = def.type === 'pair' ? '3, 3' : unknownAllowed ? `28, 28, 1 or ${UNKNOWN_AXIS}, 16` : '28, 28, 1';
      // Checked while typing (the message shows at once) and again when committed.
      const parseList = (text: string): { ok: true; value: unknown } | { ok: false; error: string } => {
        // An empty field is an empty list where the param allows one (e.g. PReLU's shared axes).
        const list = def.type === 'shape' && def.minLength === 0 && text.trim().replace(/^\[\s*\]$/, '') === '' ? [] : parseShapeList(text, unknownAllowed);
        if (!list) return { ok: false, error: `${def.label}: write whole numbers separated by commas${unknownAllowed ? ` (${UNKNOWN_AXIS} for any length)` : ''}, e.g. ${example}` };
        return validateParam(def, list);
      };
      control = (
        <CommitField
          id={id}
          testId={testId}
          value={displayValue(def, value)}
          inputProps={{ type: 'text', spellCheck: false, placeholder: `e.g. ${example}` }}
          check={(text) => {
            const r = parseList(text);
            return r.ok ? null : r.error;
          }}
          commit={(text) => {
            const r = parseList(text);
            if (!r.ok) return r.error;
            onCommit(r.value);
            return null;
          }}
        />
      );
      break;
    }
    case 'layer':
      return <LayerField paramKey={paramKey} def={def} value={value} onCommit={onCommit} />;
  }
  return (
    <div className={`field${def.type === 'bool' ? ' field--inline' : ''}`}>
      <label htmlFor={id} className="field__label">
        {def.label}
      </label>
      {control}
      <div className="field__help">{def.help}</div>
    </div>
  );
}

/**
 * A wrapped layer (a `layer` param): a choice of kind, then that kind's own fields, each change committing the
 * whole `{ kind, params }` value. Switching kind keeps the settings the new kind shares (e.g. units).
 */
function LayerField({ paramKey, def, value, onCommit }: { paramKey: string; def: LayerParam; value: unknown; onCommit: (v: LayerValue) => void }) {
  const id = `param-field-${paramKey}`;
  const parsed = validateParam(def, value);
  const current = parsed.ok ? (parsed.value as LayerValue) : defaultLayerValue(def, def.default.kind, def.default.params);
  const inner = def.options.find((o) => o.kind === current.kind) ?? def.options[0];
  return (
    <div className="field field--layer">
      <label htmlFor={id} className="field__label">
        {def.label}
      </label>
      <select
        id={id}
        data-testid={`param-${paramKey}`}
        className="field__input"
        value={current.kind}
        onChange={(e) => onCommit(defaultLayerValue(def, e.target.value, current.params))}
      >
        {def.options.map((o) => (
          <option key={o.kind} value={o.kind}>
            {o.label}
          </option>
        ))}
      </select>
      <div className="field__help">{def.help}</div>
      <div className="field__nested">
        {Object.entries(inner.params).map(([key, innerDef]) => (
          <ParamField
            key={`${inner.kind}-${key}`}
            paramKey={`${paramKey}-${key}`}
            def={innerDef}
            value={current.params[key]}
            onCommit={(v) => onCommit({ kind: current.kind, params: { ...current.params, [key]: v } })}
          />
        ))}
      </div>
    </div>
  );
}
