import { useEffect, useState } from 'react';
import type { PickPathPurpose } from '../../../../main/core/api/contract';
import { useActions, useApp } from '../../store/context';

const RECENT_LIST_ID = 'data-recent-paths';

/**
 * A file or folder path: typed (the browser UI has no native picker; recent paths are offered),
 * or picked with Browse… in the desktop app. `onChoose` runs on Enter, on blur and after Browse.
 */
export function PathField({
  id,
  label,
  value,
  purpose,
  placeholder,
  help,
  testId = 'data-path',
  onChoose,
}: {
  id: string;
  label: string;
  value: string;
  purpose: Extract<PickPathPurpose, 'dataFile' | 'dataFolder'>;
  placeholder?: string;
  help?: string;
  testId?: string;
  onChoose: (path: string) => void;
}) {
  const actions = useActions();
  const isElectron = useApp((s) => s.engine.info?.host === 'electron');
  const recent = useApp((s) => s.data.recentPaths);
  // The typed text stays up (even while the chosen path is being read) until the value catches up.
  const [draft, setDraft] = useState<string | null>(null);
  // The last path handed to onChoose, so leaving the field after Enter does not read the file twice.
  const [sent, setSent] = useState<string | null>(null);
  useEffect(() => {
    setDraft(null);
    setSent(null);
  }, [value]);

  const submit = (again: boolean) => {
    if (draft === null) return;
    const next = draft.trim();
    if (next === value) {
      setDraft(null);
      return;
    }
    if (!next || (next === sent && !again)) return;
    setSent(next);
    onChoose(next);
  };
  const browse = async () => {
    const picked = await actions.pickPath(purpose, (draft ?? value) || undefined);
    if (picked) {
      setDraft(picked);
      setSent(picked);
      onChoose(picked);
    }
  };

  return (
    <div className="field field--compact">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className="data-path">
        <input
          id={id}
          data-testid={testId}
          className="field__input"
          type="text"
          spellCheck={false}
          list={recent.length ? RECENT_LIST_ID : undefined}
          placeholder={placeholder}
          value={draft ?? value}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => submit(false)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              submit(true);
            } else if (e.key === 'Escape') setDraft(null);
          }}
        />
        {isElectron && (
          <button type="button" className="btn btn--small" data-testid={`${testId}-browse`} onClick={() => void browse()}>
            Browse…
          </button>
        )}
      </div>
      {recent.length > 0 && (
        <datalist id={RECENT_LIST_ID}>
          {recent.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
      )}
      {help && <div className="field__help">{help}</div>}
    </div>
  );
}
