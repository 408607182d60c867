import { useEffect, useMemo, useState } from 'react';
import type { ProjectFileEntry } from '../../../../main/core/api/contract';
import type { CompareResult, CompareSource } from '../../../../main/core/compare';
import { finalMetricRows, layerChangeLines } from '../../../../main/core/compare';
import type { LayerDiff, LayerStatus } from '../../../../main/core/graph/diff';
import type { Project } from '../../../../main/core/project';
import { useActions, useApp, useAppStore } from '../../store/context';
import { errorText } from '../../store/slices/types';
import { formatCount } from '../../format';
import { Modal } from '../Dialogs';
import { DiffGraph } from './DiffGraph';
import { RunCurves } from './RunCurves';
import './compare.css';

/**
 * A choice in a side's list, as text: "document" (the open project as it is now), "file:<path>", "run:<id>",
 * "template:<id>", or "other" (a path typed in or picked in the system dialog).
 */
type Choice = string;

function sourceOf(choice: Choice, typedPath: string, document: Project): CompareSource | null {
  const [type, ...rest] = choice.split(':');
  const value = rest.join(':');
  if (type === 'document') return { type: 'project', project: document };
  if (type === 'file' && value) return { type: 'file', path: value };
  if (type === 'run' && value) return { type: 'run', runId: value };
  if (type === 'template' && value) return { type: 'template', id: value };
  if (type === 'other' && typedPath.trim()) return { type: 'file', path: typedPath.trim() };
  return null;
}

/** One side's picker: the saved projects, the runs and the templates, or any project or model file by path. */
function SourcePicker({ side, choice, path, onChoice, onPath, projects }: { side: 'a' | 'b'; choice: Choice; path: string; onChoice(c: Choice): void; onPath(p: string): void; projects: ProjectFileEntry[] }) {
  const actions = useActions();
  const templates = useApp((s) => s.engine.templates);
  const runs = useApp((s) => s.runs.list);
  const desktop = useApp((s) => s.engine.info?.host === 'electron');
  const projectsDir = useApp((s) => s.engine.info?.projectsDir);
  const label = side === 'a' ? 'A (left)' : 'B (right)';
  return (
    <div className="compare-picker">
      <label className="field__label" htmlFor={`compare-source-${side}`}>
        {label}
      </label>
      <select id={`compare-source-${side}`} className="btn compare-picker__select" data-testid={`compare-source-${side}`} value={choice} onChange={(e) => onChoice(e.target.value)}>
        <option value="">Choose a project, run, template or file…</option>
        <option value="document">The open project (as it is now)</option>
        {projects.length > 0 && (
          <optgroup label="Saved projects">
            {projects.map((p) => (
              <option key={p.path} value={`file:${p.path}`} title={p.path}>
                {p.name}
              </option>
            ))}
          </optgroup>
        )}
        {runs.length > 0 && (
          <optgroup label="Runs">
            {runs.map((r) => (
              <option key={r.runId} value={`run:${r.runId}`}>
                {r.projectName} · {new Date(r.startedMs).toLocaleString()} · {r.status}
              </option>
            ))}
          </optgroup>
        )}
        {templates.length > 0 && (
          <optgroup label="Templates">
            {templates.map((t) => (
              <option key={t.id} value={`template:${t.id}`}>
                {t.name}
              </option>
            ))}
          </optgroup>
        )}
        <option value="other">Another file (project or Keras / TensorFlow.js model.json)…</option>
      </select>
      {choice === 'other' && (
        <div className="compare-picker__path">
          <input className="field__input" spellCheck={false} data-testid={`compare-path-${side}`} aria-label={`Path of ${label}`} placeholder="/path/to/project.neurowire or model.json" value={path} onChange={(e) => onPath(e.target.value)} />
          {desktop && (
            <button type="button" className="btn" onClick={() => void actions.pickPath('openProject', projectsDir).then((p) => p && onPath(p))}>
              Browse…
            </button>
          )}
        </div>
      )}
    </div>
  );
}

const MARKS: Record<LayerStatus, string> = { added: '+', removed: '−', changed: '~', affected: '~', same: '' };
const WORDS: Record<LayerStatus, string> = { added: 'added', removed: 'removed', changed: 'changed', affected: 'new shape / count', same: '' };

function entryTitle(l: LayerDiff): string {
  const layer = (l.after ?? l.before)!;
  const renamed = l.status === 'changed' && l.before && l.after && l.before.name !== l.after.name;
  return `${renamed ? `${l.before!.name} → ` : ''}${layer.name} (${layer.kind})`;
}

/** The result: both networks side by side, highlighted, the list of changes, and the runs' curves and metrics. */
function CompareView({ result }: { result: CompareResult }) {
  const { a, b, diff } = result;
  const [selected, setSelected] = useState<number | null>(null);
  const { statusA, statusB } = useMemo(() => {
    const sa = new Map<string, { status: LayerStatus; entry: number }>();
    const sb = new Map<string, { status: LayerStatus; entry: number }>();
    diff.layers.forEach((l, entry) => {
      if (l.before) sa.set(l.before.id, { status: l.status, entry });
      if (l.after) sb.set(l.after.id, { status: l.status, entry });
    });
    return { statusA: sa, statusB: sb };
  }, [diff]);
  const entries = diff.layers.map((l, i) => ({ l, i })).filter(({ l }) => l.status !== 'same');
  const { before, after } = diff.totals;
  const delta = after.params - before.params;
  return (
    <div className="compare" data-testid="compare-view">
      <div className="compare__summary" data-testid="compare-summary">
        {diff.equal
          ? `The two networks are the same: ${formatCount(after.layers)} layers, ${formatCount(after.params)} parameters.`
          : `${diff.counts.added} added, ${diff.counts.removed} removed, ${diff.counts.changed} changed, ${diff.counts.affected} with a new shape or parameter count · parameters ${formatCount(before.params)} → ${formatCount(after.params)} (${delta >= 0 ? '+' : '−'}${formatCount(Math.abs(delta))})`}
      </div>
      <div className="compare__sides">
        {[
          { side: 'a' as const, info: a, status: statusA, totals: before },
          { side: 'b' as const, info: b, status: statusB, totals: after },
        ].map(({ side, info, status, totals }) => (
          <section key={side} className="compare__side" aria-label={`${side.toUpperCase()}: ${info.label}`}>
            <h3 className="compare__heading" data-testid={`compare-heading-${side}`} title={info.label}>
              <span className="compare__letter">{side.toUpperCase()}</span> {info.name} <span className="muted">· {info.label}</span>
            </h3>
            <DiffGraph graph={info.graph} side={side} status={status} selected={selected} onSelect={setSelected} />
            <div className="muted compare__totals">
              {formatCount(totals.layers)} layers · {formatCount(totals.params)} parameters
            </div>
          </section>
        ))}
      </div>
      <div className="compare__legend" aria-hidden="true">
        <span className="compare__swatch compare__swatch--added" /> added (B) <span className="compare__swatch compare__swatch--removed" /> removed (A)
        <span className="compare__swatch compare__swatch--changed" /> changed <span className="compare__swatch compare__swatch--affected" /> new shape or count
      </div>
      {!diff.equal && (
        <ul className="compare__changes" data-testid="compare-changes" aria-label="Changes">
          {entries.map(({ l, i }) => (
            <li key={i} data-testid="compare-change" data-status={l.status} className={`compare__change compare__change--${l.status}${selected === i ? ' compare__change--selected' : ''}`}>
              <button type="button" className="compare__change-title" onClick={() => setSelected(i)}>
                <span className="compare__mark">{MARKS[l.status]}</span> <strong>{entryTitle(l)}</strong> <span className="muted">{WORDS[l.status]}</span>
              </button>
              <ul className="compare__lines">
                {layerChangeLines(l).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </li>
          ))}
          {diff.edgesAdded.map((e, i) => (
            <li key={`ea${i}`} data-testid="compare-change" data-status="edge-added" className="compare__change compare__change--added">
              <span className="compare__mark">+</span> connection {e.source} → {e.target}
            </li>
          ))}
          {diff.edgesRemoved.map((e, i) => (
            <li key={`er${i}`} data-testid="compare-change" data-status="edge-removed" className="compare__change compare__change--removed">
              <span className="compare__mark">−</span> connection {e.source} → {e.target}
            </li>
          ))}
        </ul>
      )}
      {(a.run || b.run) && (
        <section className="compare__runs" aria-label="Training">
          <RunCurves a={a.run} b={b.run} />
          <table className="compare__metrics" data-testid="compare-metrics">
            <thead>
              <tr>
                <th />
                <th>A</th>
                <th>B</th>
              </tr>
            </thead>
            <tbody>
              {finalMetricRows(a.run, b.run).map((r) => (
                <tr key={r.label}>
                  <th scope="row">{r.label}</th>
                  <td>{r.a}</td>
                  <td>{r.b}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

/** File → Compare…: choose two networks, then see them side by side with what differs. */
export function CompareDialog({ onClose }: { onClose: () => void }) {
  const store = useAppStore();
  const actions = useActions();
  const document = useApp((s) => s.project);
  const [projects, setProjects] = useState<ProjectFileEntry[]>([]);
  const [choices, setChoices] = useState<[Choice, Choice]>(['document', '']);
  const [paths, setPaths] = useState<[string, string]>(['', '']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<CompareResult | null>(null);

  useEffect(() => {
    let live = true;
    void store.getState().actions.refreshRuns();
    store
      .getState()
      .actions.listProjects()
      .then((list) => live && setProjects(list))
      .catch(() => undefined); // the other sources stay available; a path can be typed
    return () => {
      live = false;
    };
  }, [store]);

  const sources = [sourceOf(choices[0], paths[0], document), sourceOf(choices[1], paths[1], document)] as const;
  const compare = async () => {
    if (!sources[0] || !sources[1]) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await actions.compareNetworks(sources[0], sources[1]));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const set = <T,>(pair: [T, T], i: number, v: T): [T, T] => (i === 0 ? [v, pair[1]] : [pair[0], v]);

  return (
    <Modal title="Compare two networks" onClose={onClose} testId="compare-dialog" wide>
      {result ? (
        <CompareView result={result} />
      ) : (
        <form
          className="compare__choose"
          onSubmit={(e) => {
            e.preventDefault();
            void compare();
          }}
        >
          {(['a', 'b'] as const).map((side, i) => (
            <SourcePicker
              key={side}
              side={side}
              choice={choices[i]}
              path={paths[i]}
              projects={projects}
              onChoice={(c) => setChoices((cs) => set(cs, i, c))}
              onPath={(p) => setPaths((ps) => set(ps, i, p))}
            />
          ))}
          {error && (
            <div className="error-text" role="alert" data-testid="compare-error">
              {error}
            </div>
          )}
        </form>
      )}
      <div className="modal__buttons">
        {result ? (
          <button type="button" className="btn" data-testid="compare-again" onClick={() => setResult(null)}>
            Compare others…
          </button>
        ) : (
          <button type="button" className="btn btn--primary" data-testid="compare-run" disabled={busy || !sources[0] || !sources[1]} onClick={() => void compare()}>
            {busy ? 'Comparing…' : 'Compare'}
          </button>
        )}
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
