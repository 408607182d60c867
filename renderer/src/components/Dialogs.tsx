import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ProjectFileEntry } from '../../../main/core/api/contract';
import { useActions, useApp, useAppStore } from '../store/context';

export function Modal({ title, onClose, children, testId, wide = false }: { title: string; onClose: () => void; children: ReactNode; testId: string; wide?: boolean }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={wide ? 'modal modal--wide' : 'modal'} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <h2 className="modal__title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function OpenDialog({ onClose }: { onClose: () => void }) {
  const store = useAppStore();
  const actions = useActions();
  const [files, setFiles] = useState<ProjectFileEntry[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    store
      .getState()
      .actions.listProjects()
      .then((list) => live && setFiles(list))
      .catch((e: Error) => live && setListError(e.message));
    inputRef.current?.focus();
    return () => {
      live = false;
    };
  }, [store]);

  const open = async (p: string) => {
    if (!p.trim()) return;
    setBusy(true);
    const ok = await actions.openProject(p.trim());
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Modal title="Open project" onClose={onClose} testId="open-dialog">
      <div className="file-list" aria-label="Saved projects">
        {listError && <div className="error-text">Could not list projects: {listError}</div>}
        {!files && !listError && <div className="muted">Loading…</div>}
        {files && files.length === 0 && <div className="muted">No saved projects yet.</div>}
        {files && files.length > 0 && (
          <ul>
            {files.map((f) => (
              <li key={f.path}>
                <button type="button" className="file-list__item" data-testid="open-file" title={f.path} disabled={busy} onClick={() => void open(f.path)}>
                  <span className="file-list__name">{f.name}</span>
                  <span className="file-list__meta">{new Date(f.modifiedMs).toLocaleString()}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <form
        className="modal__form"
        onSubmit={(e) => {
          e.preventDefault();
          void open(path);
        }}
      >
        <label className="field__label" htmlFor="open-path">
          Or open a file by path
        </label>
        <input
          id="open-path"
          ref={inputRef}
          data-testid="open-path"
          className="field__input"
          value={path}
          spellCheck={false}
          placeholder="/path/to/project.neurowire"
          onChange={(e) => setPath(e.target.value)}
        />
        <div className="modal__buttons">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" data-testid="open-confirm" disabled={busy || !path.trim()}>
            Open
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function SaveDialog({ initialPath, onClose }: { initialPath: string; onClose: () => void }) {
  const actions = useActions();
  const [path, setPath] = useState(initialPath);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);
  return (
    <Modal title="Save project as" onClose={onClose} testId="save-dialog">
      <form
        className="modal__form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!path.trim()) return;
          setBusy(true);
          await actions.saveProject(path.trim());
          setBusy(false);
          onClose();
        }}
      >
        <label className="field__label" htmlFor="save-path">
          File path
        </label>
        <input
          id="save-path"
          ref={inputRef}
          data-testid="save-path"
          className="field__input"
          value={path}
          spellCheck={false}
          onChange={(e) => setPath(e.target.value)}
        />
        <div className="modal__buttons">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" data-testid="save-confirm" disabled={busy || !path.trim()}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The question the app is waiting on (restore unsaved work, discard changes); Escape answers with the first choice. */
export function QuestionDialog() {
  const actions = useActions();
  const question = useApp((s) => s.ui.question);
  const defaultRef = useRef<HTMLButtonElement>(null);
  useEffect(() => defaultRef.current?.focus(), [question]);
  if (!question) return null;
  const { choices } = question;
  return (
    <Modal title={question.title} onClose={() => actions.answer(choices[0].id)} testId="question-dialog">
      <p className="modal__text" data-testid="question-text">
        {question.text}
      </p>
      <div className="modal__buttons">
        {choices.map((c, i) => (
          <button
            key={c.id}
            ref={i === choices.length - 1 ? defaultRef : undefined}
            type="button"
            className={i === choices.length - 1 ? 'btn btn--primary' : 'btn'}
            data-testid={`answer-${c.id}`}
            onClick={() => actions.answer(c.id)}
          >
            {c.label}
          </button>
        ))}
      </div>
    </Modal>
  );
}
