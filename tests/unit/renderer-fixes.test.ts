/** The editor applies a fix analysis offers as one undo step, with new ids, and says when a fix no longer fits. */
import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../main/core/api/contract';
import { emptyProject, type Project, type ProjectNode } from '../../main/core/project';
import { createAppStore } from '../../renderer/src/store/appStore';
import { analysisFor } from '../../renderer/src/store/analysis';

/** The document slice needs no engine for this. */
const offline: EngineClient = {
  call: async (method) => {
    throw new Error(`no engine in this test (${method})`);
  },
  on: () => () => undefined,
};

function node(id: string, kind: string, params: Record<string, unknown>, x: number): ProjectNode {
  return { id, kind, name: id, params, position: { x, y: 0 } };
}

/** Input [28, 28, 1] → Flatten → Dense(64) → LSTM → Dense(10, softmax): the LSTM gets a flat vector. */
function lstmOnFlat(): Project {
  const p = emptyProject('Fixes');
  const nodes = [
    node('input_1', 'Input', { shape: [28, 28, 1] }, 0),
    node('flatten_1', 'Flatten', {}, 200),
    node('dense_1', 'Dense', { units: 64, activation: 'relu' }, 400),
    node('lstm_1', 'LSTM', { units: 16 }, 600),
    node('dense_2', 'Dense', { units: 10, activation: 'softmax' }, 800),
  ];
  p.graph = { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
  return p;
}

describe('applying a fix in the editor', () => {
  it('is one undo step, and undo brings the network back as it was', () => {
    const store = createAppStore(offline);
    const { actions } = store.getState();
    actions.loadProject(lstmOnFlat());
    const before = store.getState().project;
    const analysis = analysisFor(before, []);
    expect(analysis.valid).toBe(false);
    const [fix] = analysis.nodes.lstm_1.fixes;
    expect(fix.label).toBe('Insert Reshape to [64, 1]');

    expect(actions.applyFix(fix)).toBe(true);
    const after = store.getState().project;
    expect(store.temporal.getState().pastStates).toHaveLength(1);
    expect(after.graph.nodes).toHaveLength(6);
    const reshape = after.graph.nodes[5];
    // The editor's ids are random UUIDs, not the readable ones the core makes by default.
    expect(reshape.id).toMatch(/^[0-9a-f-]{36}$|^id-/);
    expect(reshape.params.targetShape).toEqual([64, 1]);
    expect(analysisFor(after, []).valid).toBe(true);
    expect(store.getState().doc.dirty).toBe(true);
    expect(store.getState().ui.messages.at(-1)).toMatchObject({ kind: 'success', text: 'Applied: Insert Reshape to [64, 1].' });

    actions.undo();
    expect(store.getState().project).toEqual(before);
    expect(store.temporal.getState().pastStates).toHaveLength(0);
    actions.redo();
    expect(store.getState().project).toEqual(after);
  });

  it('a fix the network no longer fits changes nothing and says so', () => {
    const store = createAppStore(offline);
    const { actions } = store.getState();
    actions.loadProject(lstmOnFlat());
    const [fix] = analysisFor(store.getState().project, []).nodes.lstm_1.fixes;
    actions.deleteElements(['lstm_1'], []);
    const project = store.getState().project;
    expect(actions.applyFix(fix)).toBe(false);
    expect(store.getState().project).toBe(project);
    expect(store.temporal.getState().pastStates).toHaveLength(1); // the delete only
    expect(store.getState().ui.messages.at(-1)?.kind).toBe('error');
    expect(store.getState().ui.messages.at(-1)?.text).toContain('The network changed');
  });

  it('removing a layer by a fix drops it from the selection', () => {
    const store = createAppStore(offline);
    const { actions } = store.getState();
    const p = emptyProject('Flat');
    const nodes = [node('input_1', 'Input', { shape: [8] }, 0), node('flatten_1', 'Flatten', {}, 200), node('dense_1', 'Dense', { units: 2 }, 400)];
    p.graph = { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
    actions.loadProject(p);
    actions.setSelection({ nodeIds: ['flatten_1'], edgeIds: [] });
    const [fix] = analysisFor(store.getState().project, []).nodes.flatten_1.fixes;
    expect(actions.applyFix(fix)).toBe(true);
    expect(store.getState().ui.selection.nodeIds).toEqual([]);
    expect(analysisFor(store.getState().project, []).valid).toBe(true);
  });
});
