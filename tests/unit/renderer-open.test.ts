import { describe, expect, it, vi } from 'vitest';
import type { ApiMethod } from '../../main/core/api/contract';
import { fakeClient, type Handler } from './helpers/fakeEngine';
import { emptyProject, serializeProject, type Project } from '../../main/core/project';
import { attachAutosave, createAppStore, type AppStore } from '../../renderer/src/store/appStore';
import { attachFileDrop } from '../../renderer/src/fileDrop';

/** The page's side of opening projects: unsaved-changes question, restore offer, dropped files, open requests. */


function storeWith(handlers: Partial<Record<ApiMethod, Handler>>) {
  const { client, calls } = fakeClient(handlers);
  return { store: createAppStore(client), calls, called: (m: ApiMethod) => calls.filter((c) => c.method === m) };
}

const named = (name: string): Project => emptyProject(name);
const startup = {
  'engine.info': () => ({ version: '0', host: 'browser', backend: { name: 'cpu', device: 'CPU', attempts: [] }, projectsDir: '/p', exportsDir: '/e' }),
  'datasets.list': () => [],
  'templates.list': () => [],
  'project.takeOpenRequests': () => ({ paths: [] }),
  'project.recent': () => ({ projects: [], pruned: [] }),
};

/** Waits until the store shows a question, and answers it. */
async function answer(store: AppStore, choiceId: string): Promise<string> {
  // The page first asks the other pages of the engine whether one of them is editing (about a second, unanswered here).
  await vi.waitFor(() => expect(store.getState().ui.question).not.toBeNull(), { timeout: 15_000 });
  const text = store.getState().ui.question!.text;
  store.getState().actions.answer(choiceId);
  return text;
}

const messages = (store: AppStore) => store.getState().ui.messages.map((m) => m.text);

describe('unsaved work from the last session', () => {
  const savedMs = new Date(2025, 2, 14, 9, 26).getTime();
  const unsaved = { project: named('Spirals'), savedMs, path: '/home/ada/spirals.neurowire', unsaved: true };

  it('is offered, naming the project, its file and when it was autosaved; Restore brings it back unsaved, with its path', async () => {
    const { store, called } = storeWith({ ...startup, 'project.restoreAutosave': () => unsaved });
    const init = store.getState().actions.init();
    const text = await answer(store, 'restore');
    await init;
    expect(text).toContain(`Restore unsaved work from ${new Date(savedMs).toLocaleString()}?`);
    expect(text).toContain('“Spirals” (/home/ada/spirals.neurowire)');
    expect(store.getState().project.name).toBe('Spirals');
    expect(store.getState().doc).toMatchObject({ filePath: '/home/ada/spirals.neurowire', dirty: true });
    expect(called('project.setAutosaveAside')).toHaveLength(0);
    expect(store.getState().engine.ready).toBe(true);
  });

  it('declined, is kept aside (and the page says where), and the saved file opens', async () => {
    const { store, called } = storeWith({
      ...startup,
      'project.restoreAutosave': () => unsaved,
      'project.setAutosaveAside': () => ({ path: '/home/ada/Neurowire/recovered/Spirals 2025-03-14 09-26-00.neurowire' }),
      'project.open': ({ path }: { path: string }) => ({ path, project: named('Spirals as saved') }),
    });
    const init = store.getState().actions.init();
    await answer(store, 'decline');
    await init;
    expect(called('project.setAutosaveAside')).toHaveLength(1);
    expect(messages(store).join('\n')).toContain('is kept in /home/ada/Neurowire/recovered/Spirals 2025-03-14 09-26-00.neurowire');
    expect(store.getState().project.name).toBe('Spirals as saved');
    expect(store.getState().doc).toMatchObject({ filePath: '/home/ada/spirals.neurowire', dirty: false });
  });

  it('is not asked about when nothing was left unsaved: the last session reopens with its file', async () => {
    const { store } = storeWith({ ...startup, 'project.restoreAutosave': () => ({ ...unsaved, unsaved: false }) });
    await store.getState().actions.init();
    expect(store.getState().ui.question).toBeNull();
    expect(store.getState().doc).toMatchObject({ filePath: '/home/ada/spirals.neurowire', dirty: false });
  });

  it('the autosave tells the engine which file the document belongs to and whether it is dirty, after edits, opens and saves', async () => {
    vi.useFakeTimers();
    try {
      const { store, called } = storeWith({ 'project.autosave': () => ({ path: '/auto' }), 'project.save': ({ path }: { path: string }) => ({ path }) });
      store.getState().actions.loadProject(named('A'), { path: '/a.neurowire' });
      store.setState((s) => ({ engine: { ...s.engine, ready: true } }));
      const stop = attachAutosave(store, 100);
      store.getState().actions.setProjectName('B');
      await vi.advanceTimersByTimeAsync(150);
      expect(called('project.autosave').at(-1)!.params).toMatchObject({ path: '/a.neurowire', dirty: true, project: { name: 'B' } });
      await store.getState().actions.saveProject('/b.neurowire');
      await vi.advanceTimersByTimeAsync(150);
      expect(called('project.autosave').at(-1)!.params).toMatchObject({ path: '/b.neurowire', dirty: false, project: { name: 'B' } });
      expect(called('project.autosave')).toHaveLength(2);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('opening with unsaved changes', () => {
  it('asks first; Cancel keeps the document, Discard Changes opens', async () => {
    const { store, called } = storeWith({ 'project.open': ({ path }: { path: string }) => ({ path, project: named('Other') }) });
    const { actions } = store.getState();
    actions.loadProject(named('Mine'));
    actions.setProjectName('Mine, edited');
    const cancelled = actions.openProject('/x/other.neurowire');
    expect(await answer(store, 'cancel')).toContain('“Mine, edited” has unsaved changes. Open other.neurowire and discard them?');
    expect(await cancelled).toBe(false);
    expect(called('project.open')).toHaveLength(0);
    expect(store.getState().project.name).toBe('Mine, edited');
    const discarded = actions.openProject('/x/other.neurowire');
    await answer(store, 'discard');
    expect(await discarded).toBe(true);
    expect(store.getState().project.name).toBe('Other');
    // Nothing unsaved: no question.
    expect(await actions.openProject('/x/other.neurowire')).toBe(true);
    expect(store.getState().ui.question).toBeNull();
  });

  it('a request from outside the page (double-click, Open Recent) opens the last file asked for, once the page is ready', async () => {
    let queued = ['/a.neurowire', '/b.neurowire'];
    const { store, called } = storeWith({
      'project.takeOpenRequests': () => {
        const paths = queued;
        queued = [];
        return { paths };
      },
      'project.open': ({ path }: { path: string }) => ({ path, project: named(path) }),
    });
    await store.getState().actions.takeOpenRequests();
    expect(called('project.takeOpenRequests')).toHaveLength(0); // not ready: start-up takes them
    store.setState((s) => ({ engine: { ...s.engine, ready: true } }));
    await store.getState().actions.takeOpenRequests();
    expect(called('project.open').map((c) => c.params.path)).toEqual(['/b.neurowire']);
    expect(store.getState().doc.filePath).toBe('/b.neurowire');
  });
});

describe('a file dropped on the window', () => {
  const dropped = (name: string, text: string, path: string | null = null) => ({ name, size: text.length, path, text: async () => text });

  it('a project with a path (desktop) opens by path, the same call as File → Open', async () => {
    const { store, called } = storeWith({ 'project.open': ({ path }: { path: string }) => ({ path, project: named('Net') }) });
    expect(await store.getState().actions.openDroppedFile(dropped('net.neurowire', '', '/home/ada/net.neurowire'))).toBe(true);
    expect(called('project.open')[0].params).toEqual({ path: '/home/ada/net.neurowire' });
    expect(store.getState().doc.filePath).toBe('/home/ada/net.neurowire');
  });

  it('a project without a path (browser) goes to the engine as contents; Save then asks where', async () => {
    const { store, called } = storeWith({ 'project.openContents': ({ text, name }: { text: string; name: string }) => ({ project: { ...JSON.parse(text), name: `${name} parsed` } }) });
    expect(await store.getState().actions.openDroppedFile(dropped('old.neurowire.json', serializeProject(named('Old'))))).toBe(true);
    expect(called('project.openContents')[0].params.name).toBe('old.neurowire.json');
    expect(store.getState().project.name).toBe('old.neurowire.json parsed');
    expect(store.getState().doc.filePath).toBeNull();
  });

  it('a Keras or tfjs model.json is imported, not opened; other files and oversized ones are refused with a word', async () => {
    const { store, calls } = storeWith({});
    const keras = { class_name: 'Sequential', config: { name: 'seq', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 3, activation: 'softmax', batch_input_shape: [null, 4] } }] } };
    expect(await store.getState().actions.openDroppedFile(dropped('model.json', JSON.stringify(keras)))).toBe(true);
    expect(messages(store).join('\n')).toMatch(/^Imported model\.json: /m);
    expect(store.getState().project.graph.nodes.map((n) => n.kind)).toContain('Dense');
    expect(await store.getState().actions.openDroppedFile(dropped('photo.png', 'x'))).toBe(false);
    expect(messages(store).at(-1)).toBe('photo.png is neither a Neurowire project (.neurowire) nor a Keras or TensorFlow.js model.json; nothing was opened.');
    expect(await store.getState().actions.openDroppedFile({ name: 'huge.neurowire', size: 60 * 1024 * 1024, path: null, text: async () => 'never read' })).toBe(false);
    expect(messages(store).at(-1)).toBe('Could not open huge.neurowire: it is 60 MB, too large to be a Neurowire project or a model.json.');
    expect(calls).toEqual([]);
  });

  it('only drags that carry files are taken from the canvas; the first file goes on', () => {
    const target = new EventTarget();
    const got: string[] = [];
    attachFileDrop(target, (file) => got.push(file.name));
    const drag = (type: string, types: string[], files: File[]) => {
      const event = Object.assign(new Event(type, { cancelable: true }), { dataTransfer: { types, files, dropEffect: 'none' } });
      target.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(drag('dragover', ['application/neurowire-layer', 'text/plain'], [])).toBe(false);
    expect(drag('drop', ['application/neurowire-layer', 'text/plain'], [])).toBe(false);
    expect(drag('dragover', ['Files'], [])).toBe(true);
    expect(drag('drop', ['Files'], [new File(['{}'], 'a.neurowire'), new File(['{}'], 'b.neurowire')])).toBe(true);
    expect(got).toEqual(['a.neurowire']);
  });
});
