import { useActions, useApp, useHistoryAvailability } from '../store/context';
import { isActive } from '../store/trainingState';
import { EditingTools } from '../editing/EditingTools';
import { MOD_LABEL } from '../editing/keys';

export interface ToolbarProps {
  onOpen(): void;
  onSave(): void;
  onSaveAs(): void;
  /** Opens the template gallery. */
  onTemplates(): void;
  /** Opens the comparison of two networks. */
  onCompare(): void;
}

export function Toolbar({ onOpen, onSave, onSaveAs, onTemplates, onCompare }: ToolbarProps) {
  const actions = useActions();
  const templates = useApp((s) => s.engine.templates);
  const name = useApp((s) => s.project.name);
  const dirty = useApp((s) => s.doc.dirty);
  const filePath = useApp((s) => s.doc.filePath);
  const canExport = useApp((s) => s.training.lastRunId !== null && !isActive(s.training.status));
  const lastRunId = useApp((s) => s.training.lastRunId);
  const { canUndo, canRedo } = useHistoryAvailability();
  const mod = MOD_LABEL;

  return (
    <header className="toolbar" role="toolbar" aria-label="Project">
      <div className="toolbar__brand" aria-hidden="true">
        <span className="toolbar__logo">◆</span> Neurowire
      </div>
      <div className="toolbar__group">
        <button type="button" className="btn" data-testid="new-button" onClick={() => void actions.newProject()} title="Start an empty project">
          New
        </button>
        <button type="button" className="btn" data-testid="templates-button" onClick={onTemplates} title="Start from a template: see each one's network, dataset and accuracy">
          Templates…
        </button>
        <select
          className="btn toolbar__select"
          data-testid="template-select"
          aria-label="New from template"
          value=""
          onChange={(e) => {
            const id = e.target.value;
            if (id) void actions.newFromTemplate(id);
          }}
        >
          <option value="">New from template…</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id} title={t.description}>
              {t.name}
            </option>
          ))}
        </select>
        <button type="button" className="btn" data-testid="open-button" onClick={onOpen} title={`Open a project (${mod}O)`}>
          Open…
        </button>
        <label className="btn" title="Open a Keras or TensorFlow.js model as a new project: a model.json (select its .bin weight files with it to keep the weights), a Keras .h5 or .keras file">
          Import model…
          <input
            type="file"
            accept=".json,application/json,.bin,.h5,.hdf5,.keras"
            multiple
            data-testid="import-model-input"
            hidden
            onChange={(e) => {
              const input = e.currentTarget;
              const files = [...(input.files ?? [])];
              const model = files.find((f) => /\.(json|h5|hdf5|keras)$/i.test(f.name)) ?? files[0];
              if (model) {
                void actions.confirmDiscardChanges(`Import ${model.name}`).then(async (go) => go && actions.importModelFiles(await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })))));
              }
              input.value = ''; // the same file can be chosen again
            }}
          />
        </label>
        <button type="button" className="btn" data-testid="save-button" onClick={onSave} title={`Save (${mod}S)`}>
          Save
        </button>
        <button type="button" className="btn" data-testid="save-as-button" onClick={onSaveAs} title="Save under a new path">
          Save As…
        </button>
      </div>
      <div className="toolbar__group">
        <button type="button" className="btn" data-testid="undo-button" disabled={!canUndo} onClick={() => actions.undo()} title={`Undo (${mod}Z)`}>
          Undo
        </button>
        <button type="button" className="btn" data-testid="redo-button" disabled={!canRedo} onClick={() => actions.redo()} title={`Redo (${mod}Shift+Z)`}>
          Redo
        </button>
      </div>
      <div className="toolbar__group">
        <button
          type="button"
          className="btn"
          data-testid="export-button"
          disabled={!canExport}
          onClick={() => lastRunId && actions.askExport({ runId: lastRunId, from: 'training' })}
          title={canExport ? 'Export the trained model and TypeScript code' : 'Train a model first'}
        >
          Export
        </button>
        <button type="button" className="btn" data-testid="compare-button" onClick={onCompare} title="Compare two projects, runs or model files: added, removed and changed layers">
          Compare…
        </button>
      </div>
      <EditingTools />
      <div className="toolbar__title" title={filePath ?? 'Not saved yet'} data-testid="project-title">
        {name}
        {dirty && <span className="toolbar__dirty" aria-label="unsaved changes"> •</span>}
        {filePath && <span className="toolbar__path">{filePath}</span>}
      </div>
    </header>
  );
}
