import type { EngineClient, EngineInfo, TemplateInfo } from '../../../../main/core/api/contract';
import { emptyProject } from '../../../../main/core/project';
import type { ConnectionStatus, RendererEngineClient } from '../../api/client';
import type { SliceCreator } from './types';

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
  if (isRendererClient(client)) client.onStatus((connection) => setEngine({ connection }));

  const actions: EngineActions = {
    async init() {
      const { loadProject } = get().actions;
      const [info, datasets, templates] = await Promise.allSettled([
        client.call('engine.info', {}),
        get().actions.refreshDatasets(),
        client.call('templates.list', {}),
      ]);
      setEngine({
        ...(info.status === 'fulfilled' && { info: info.value }),
        ...(templates.status === 'fulfilled' && { templates: templates.value }),
      });
      for (const r of [info, datasets, templates]) if (r.status === 'rejected') fail('Could not reach the engine', r.reason);

      let loaded = false;
      try {
        const restored = await client.call('project.restoreAutosave', {});
        if (restored.project) {
          loadProject(restored.project, { message: 'Restored your last session' });
          loaded = true;
        }
      } catch (e) {
        fail('Could not restore your last session', e);
      }
      if (!loaded && get().engine.templates.some((t) => t.id === 'mnist-mlp')) {
        try {
          loadProject(await client.call('templates.get', { id: 'mnist-mlp' }));
          loaded = true;
        } catch (e) {
          fail('Could not load the starter template', e);
        }
      }
      if (!loaded) loadProject(emptyProject());
      setEngine({ ready: true });
    },
  };

  return {
    state: { engine: { info: null, templates: [], connection: isRendererClient(client) ? client.status : 'open', ready: false } },
    actions,
  };
};
