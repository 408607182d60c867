import { useCallback, useEffect, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useActions, useApp, useAppStore } from './store/context';
import { Toolbar } from './components/Toolbar';
import { Palette } from './components/Palette';
import { Canvas, FIT_VIEW } from './components/Canvas';
import { Inspector } from './components/Inspector';
import { BottomPanel } from './components/BottomPanel';
import { attachDatasetInspection } from './store/appStore';
import { StatusBar } from './components/StatusBar';
import { Banners } from './components/Banners';
import { OpenDialog, QuestionDialog, SaveDialog } from './components/Dialogs';
import { ExportDialog } from './components/ExportDialog';
import { TemplateGallery } from './components/TemplateGallery';
import { CompareDialog } from './components/compare/CompareDialog';
import { attachUnsavedChangesGuard } from './desktop';
import { attachFileDrop } from './fileDrop';
import { projectFileName } from '../../main/core/projectFile';
import { isFormControl, isTextEntry } from './editing/keys';
import { EditingGestures } from './editing/EditingGestures';

/**
 * Actions the Electron menu sends as `menu` events through the preload bridge. Project files opened from outside
 * the page (double-click, Open Recent) come as the engine's openRequested event instead (main.tsx).
 */
type MenuAction = 'new' | 'open' | 'save' | 'saveAs' | 'export' | 'compare' | 'undo' | 'redo' | 'train' | 'stop';

type Dialog = { kind: 'open' } | { kind: 'save'; path: string } | { kind: 'templates' } | { kind: 'compare' } | null;

/** Re-fits the canvas view whenever a project is loaded. */
function FitOnLoad() {
  const store = useAppStore();
  const loadSeq = useApp((s) => s.doc.loadSeq);
  const { fitView, setViewport } = useReactFlow();
  useEffect(() => {
    if (loadSeq === 0) return;
    // An empty project gets the plain view: a fit asked for with no nodes would wait for the first layer dropped
    // and then move the view, so that layer would jump away from where it was dropped.
    if (store.getState().project.graph.nodes.length === 0) {
      void setViewport({ x: 0, y: 0, zoom: 1 });
      return;
    }
    // Wait for the new nodes to be measured.
    const t = setTimeout(() => void fitView(FIT_VIEW), 50);
    return () => clearTimeout(t);
  }, [loadSeq, fitView, setViewport, store]);
  return null;
}

export function App() {
  const store = useAppStore();
  const actions = useActions();
  const [dialog, setDialog] = useState<Dialog>(null);

  // Keeps the dataset preview (and the shape warnings that use it) in step with the dataset source.
  useEffect(() => attachDatasetInspection(store), [store]);

  const saveAs = useCallback(() => {
    const { project, engine, doc } = store.getState();
    const dir = engine.info?.projectsDir ?? '';
    const fileName = projectFileName(project.name);
    const suggested = doc.filePath ?? (dir ? `${dir}/${fileName}` : fileName);
    if (engine.info?.host === 'electron') {
      // The desktop app has native dialogs; the browser UI has its own path dialog.
      void actions.pickPath('saveProject', suggested).then((path) => {
        if (path) void actions.saveProject(path);
      });
      return;
    }
    setDialog({ kind: 'save', path: suggested });
  }, [store, actions]);

  const open = useCallback(() => {
    const { engine } = store.getState();
    if (engine.info?.host === 'electron') {
      void actions.pickPath('openProject', engine.info.projectsDir).then((path) => {
        if (path) void actions.openProject(path);
      });
      return;
    }
    setDialog({ kind: 'open' });
  }, [store, actions]);


  const save = useCallback(async () => {
    if (!(await actions.saveProject())) saveAs();
  }, [actions, saveAs]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        if (e.shiftKey) saveAs();
        else void save();
        return;
      }
      if (mod && key === 'o') {
        e.preventDefault();
        open();
        return;
      }
      if (mod && key === 'z' && !isTextEntry(e.target)) {
        e.preventDefault();
        if (e.shiftKey) actions.redo();
        else actions.undo();
      } else if (mod && key === 'y' && !isTextEntry(e.target)) {
        e.preventDefault();
        actions.redo();
      } else if ((e.key === 'Delete' || e.key === 'Backspace') && !mod && !isFormControl(e.target)) {
        e.preventDefault();
        actions.deleteSelection();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions, dialog, save, saveAs, open]);

  // The desktop menu sends the same actions as the toolbar.
  useEffect(() => {
    const bridge = window.neurowire;
    if (!bridge) return;
    return bridge.onEvent((event, payload) => {
      // File → Import Model…: the path of the model the person picked in the system dialog (the engine reads it).
      if (event === 'importModel' && typeof payload === 'object' && payload !== null) {
        const { name, path } = payload as { name?: unknown; path?: unknown };
        if (typeof name === 'string' && typeof path === 'string') void actions.confirmDiscardChanges(`Import ${name}`).then((go) => go && actions.importModelFile(path, name));
        return;
      }
      if (event !== 'menu' || typeof payload !== 'string') return;
      const action = payload as MenuAction;
      const handlers: Record<MenuAction, () => void> = {
        new: () => void actions.newProject(),
        open,
        save: () => void save(),
        saveAs,
        export: () => {
          const runId = store.getState().training.lastRunId;
          if (runId) actions.askExport({ runId, from: 'training' });
        },
        compare: () => setDialog({ kind: 'compare' }),
        undo: () => actions.undo(),
        redo: () => actions.redo(),
        train: () => void actions.startTraining(),
        stop: () => void actions.stopTraining(),
      };
      if (Object.hasOwn(handlers, action)) handlers[action]();
    });
  }, [actions, save, saveAs, open]);

  // A project file dropped on the window opens; a Keras / tfjs model.json is imported. Layers dragged from the
  // palette carry no files and are left to the canvas.
  useEffect(
    () =>
      attachFileDrop(window, (file, others) => {
        const dropped = (f: File) => ({ name: f.name, size: f.size, path: window.neurowire?.pathForFile(f) || null, text: () => f.text(), bytes: async () => new Uint8Array(await f.arrayBuffer()) });
        // A model.json dropped with its .bin files (or among them): the model file leads.
        const all = [file, ...others];
        const lead = all.find((f) => /\.(json|h5|hdf5|keras|neurowire)$/i.test(f.name)) ?? file;
        void actions.openDroppedFile({ ...dropped(lead), others: all.filter((f) => f !== lead).map(dropped) });
      }),
    [actions],
  );

  // Desktop only: the browser UI keeps an autosave and never blocks leaving the page.
  useEffect(() => {
    if (!window.neurowire) return;
    return attachUnsavedChangesGuard(window, () => store.getState().doc.dirty);
  }, [store]);

  const title = useApp((s) => `${s.doc.dirty ? '• ' : ''}${s.project.name} — Neurowire`);
  useEffect(() => {
    document.title = title;
  }, [title]);

  return (
    <ReactFlowProvider>
      <div className="app">
        <Toolbar onOpen={open} onSave={() => void save()} onSaveAs={saveAs} onTemplates={() => setDialog({ kind: 'templates' })} onCompare={() => setDialog({ kind: 'compare' })} />
        <Banners />
        <main className="workspace">
          <Palette />
          <Canvas />
          <Inspector />
        </main>
        <BottomPanel />
        <StatusBar />
      </div>
      <FitOnLoad />
      <EditingGestures />
      {dialog?.kind === 'open' && <OpenDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'save' && <SaveDialog initialPath={dialog.path} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'templates' && <TemplateGallery onClose={() => setDialog(null)} />}
      {dialog?.kind === 'compare' && <CompareDialog onClose={() => setDialog(null)} />}
      <QuestionDialog />
      <ExportDialog />
    </ReactFlowProvider>
  );
}
