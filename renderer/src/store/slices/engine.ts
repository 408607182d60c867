import type { EngineClient, EngineInfo, TemplateInfo } from '../../../../main/core/api/contract';
import { emptyProject } from '../../../../main/core/project';
import type { ConnectionStatus, RendererEngineClient } from '../../api/client';
import type { SliceCreator } from './types';
import { anotherPageIsOpen } from '../otherPages';

/** The engine the app talks to, and the app's start-up. */
export interface EngineState {
  info: EngineInfo | null;
  templates: TemplateInfo[];
  connection: ConnectionStatus;
  /** Set once start-up (engine info, restore) has finished; autosave and data inspection wait for it. */
  ready: boolean;
}

export interface EngineSliceState {
  engine: EngineState;
}

export interface EngineActions {
  /** Start-up: asks the engine what it offers, then restores the last session (or a starter project). */
  init(): Promise<void>;
}

function isRendererClient(c: EngineClient): c is RendererEngineClient {
  return typeof (c as Partial<RendererEngineClient>).onStatus === 'function';
}

export const createEngineSlice: SliceCreator<EngineSliceState, EngineActions> = ({ client, get, set, fail }) => {
  const setEngine = (patch: Partial<EngineState>) => set((s) => ({ engine: { ...s.engine, ...patch } }));
  if (isRendererClient(client)) {
    client.onStatus((connection) => {
      setEngine({ connection });
      // Reconnected: "could not reach the engine" is over.
      if (connection === 'open') get().actions.clearMessages('engine');
    });
  }

  const actions: EngineActions = {
    async init() {
      const { loadProject } = get().actions;
      // Start-up waits on the engine; a person may click New or drop a layer meanwhile. What they started is kept:
      // the last session and the starter template only fill a document nobody has touched yet.
      const startDocument = get().project;
      const untouched = () => get().project === startDocument;
      const [info, datasets, templates] = await Promise.allSettled([
        client.call('engine.info', {}),
        get().actions.refreshDatasets(),
        client.call('templates.list', {}),
      ]);
      setEngine({
        ...(info.status === 'fulfilled' && { info: info.value }),
        ...(templates.status === 'fulfilled' && { templates: templates.value }),
      });
      for (const r of [info, datasets, templates]) if (r.status === 'rejected') fail('Could not reach the engine', r.reason, 'engine');

      let loaded = false;
      try {
        loaded = await restoreLastSession(untouched);
      } catch (e) {
        fail('Could not restore your last session', e);
      }
      if (!loaded && untouched() && get().engine.templates.some((t) => t.id === 'mnist-mlp')) {
        try {
          const starter = await client.call('templates.get', { id: 'mnist-mlp' });
          if (untouched()) loadProject(starter);
          loaded = true;
        } catch (e) {
          fail('Could not load the starter template', e);
        }
      }
      if (!loaded && untouched()) loadProject(emptyProject());
      setEngine({ ready: true });
      await Promise.all([get().actions.takeOpenRequests(), reportMissingRecent(), get().actions.showLatestRun()]);
    },
  };

  /**
   * Reopens what the last session left. Work that was never saved is offered, naming the project and when it
   * was autosaved; declined, it is kept aside as a project file (never deleted) and the saved file, if any, opens.
   */
  async function restoreLastSession(untouched: () => boolean): Promise<boolean> {
    const { loadProject, ask, notify } = get().actions;
    const restored = await client.call('project.restoreAutosave', {});
    const { project, path } = restored;
    if (!project) return false;
    if (!restored.unsaved) {
      // Saved work is safe in its file: a document the person already started wins.
      if (untouched()) loadProject(project, { path, message: 'Restored your last session' });
      return true;
    }
    // Another tab on this engine is editing it right now: it is that tab's live document, not work left behind.
    if (await anotherPageIsOpen()) return false;
    // Unsaved work is offered even then: the next autosave would otherwise replace it.
    const when = restored.savedMs === null ? 'your last session' : new Date(restored.savedMs).toLocaleString();
    const choice = await ask({
      title: 'Restore unsaved work?',
      text: `Restore unsaved work from ${when}? “${project.name}”${path ? ` (${path})` : ''} has changes that were never saved.`,
      choices: [
        { id: 'decline', label: 'Don’t Restore' },
        { id: 'restore', label: 'Restore' },
      ],
    });
    if (choice === 'restore') {
      // Still dirty: the saved file keeps the saved version until the person saves.
      loadProject(project, { path, dirty: true, message: `Restored unsaved work on “${project.name}” from ${when}` });
      return true;
    }
    const aside = await client.call('project.setAutosaveAside', {});
    if (aside.path) notify('info', `Your unsaved work on “${project.name}” is kept in ${aside.path}; open it from there whenever you want it.`);
    if (!path) return false;
    try {
      const saved = await client.call('project.open', { path });
      loadProject(saved.project, { path: saved.path });
      return true;
    } catch (e) {
      fail('Could not open the saved project', e, 'open');
      return false;
    }
  }

  /** Open Recent drops projects whose files are gone; say which. */
  async function reportMissingRecent(): Promise<void> {
    try {
      const { pruned } = await client.call('project.recent', {});
      if (pruned.length) get().actions.notify('info', `Removed from Open Recent, no longer there: ${pruned.join(', ')}`);
    } catch (e) {
      fail('Could not read Open Recent', e);
    }
  }

  return {
    state: { engine: { info: null, templates: [], connection: isRendererClient(client) ? client.status : 'open', ready: false } },
    actions,
  };
};
