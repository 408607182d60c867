import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { EngineClient } from '../../main/core/api/contract';
import { emptyProject, parseProject, type Graph, type Project } from '../../main/core/project';
import { LAYER_SPECS } from '../../main/core/layers/registry';
import { defaultParams } from '../../main/core/layers/params';
import { CLIPBOARD_FORMAT, PASTE_STEP, clipboardText, copyLayers, pasteLayers, readClipboardText } from '../../main/core/graph/clipboard';
import { insertLayer } from '../../main/core/graph/insert';
import { DEFAULT_NODE_SIZE, layoutRequest, withLayout } from '../../main/core/graph/layout';
import { searchLayerSpecs } from '../../main/core/layers/search';
import { createAppStore, type AppStore } from '../../renderer/src/store/appStore';

const params = (kind: string) => defaultParams(LAYER_SPECS.find((s) => s.kind === kind)!.params) as Record<string, unknown>;

/** input_1 → dense_1 → dense_2, and dense_1 → dense_3 (a branch). */
function chain(): Graph {
  return {
    nodes: [
      { id: 'in', kind: 'Input', name: 'input_1', params: params('Input'), position: { x: 0, y: 0 } },
      { id: 'd1', kind: 'Dense', name: 'dense_1', params: params('Dense'), position: { x: 240, y: 0 } },
      { id: 'd2', kind: 'Dense', name: 'dense_2', params: { ...params('Dense'), units: 10 }, position: { x: 480, y: 0 } },
      { id: 'd3', kind: 'Dense', name: 'dense_3', params: params('Dense'), position: { x: 480, y: 200 } },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'd1' },
      { id: 'e2', source: 'd1', target: 'd2' },
      { id: 'e3', source: 'd1', target: 'd3' },
    ],
  };
}

let seq = 0;
const newId = () => `new_${++seq}`;

describe('layers on the clipboard', () => {
  it('copies the selected layers with only the connections inside the selection', () => {
    const copied = copyLayers(chain(), ['d1', 'd2'])!;
    expect(copied.format).toBe(CLIPBOARD_FORMAT);
    expect(copied.nodes.map((n) => n.name)).toEqual(['dense_1', 'dense_2']);
    expect(copied.edges.map((e) => e.id)).toEqual(['e2']);
    expect(copyLayers(chain(), [])).toBeNull();
    expect(copyLayers(chain(), ['gone'])).toBeNull();
  });

  it('pastes copies with fresh ids, unique names, remapped connections, offset from the originals', () => {
    const graph = chain();
    const read = readClipboardText(clipboardText(copyLayers(graph, ['d1', 'd2'])!));
    if (!read.ok) throw new Error('expected layers');
    const { graph: next, inserted } = pasteLayers(graph, read.layers, { newId });
    expect(inserted).toHaveLength(2);
    const pasted = next.nodes.filter((n) => inserted.includes(n.id));
    expect(pasted.map((n) => n.name)).toEqual(['dense_4', 'dense_5']);
    expect(pasted.map((n) => n.position)).toEqual([
      { x: 240 + PASTE_STEP, y: PASTE_STEP },
      { x: 480 + PASTE_STEP, y: PASTE_STEP },
    ]);
    expect(pasted[1].params.units).toBe(10);
    const newEdges = next.edges.slice(graph.edges.length);
    expect(newEdges).toEqual([{ id: expect.any(String), source: inserted[0], target: inserted[1] }]);
    expect(new Set(next.nodes.map((n) => n.id)).size).toBe(next.nodes.length);
    // The originals are untouched.
    expect(next.nodes.slice(0, 4)).toEqual(graph.nodes);

    // A second paste of the same text lands one step further, not on the first copy.
    const again = pasteLayers(next, read.layers, { newId });
    expect(again.graph.nodes.find((n) => n.id === again.inserted[0])!.position).toEqual({ x: 240 + 2 * PASTE_STEP, y: 2 * PASTE_STEP });
  });

  it('keeps names that are free in the project pasted into', () => {
    const text = clipboardText(copyLayers(chain(), ['d1', 'd2'])!);
    const read = readClipboardText(text);
    if (!read.ok) throw new Error('expected layers');
    const { graph } = pasteLayers({ nodes: [], edges: [] }, read.layers, { newId });
    expect(graph.nodes.map((n) => n.name)).toEqual(['dense_1', 'dense_2']);
  });

  it('recognises text that is not Neurowire layers, and says what is wrong with damaged layers', () => {
    for (const foreign of ['hello', '', '{"a":1}', '[1,2]', 'null', '{"format":"neurowire-project"}']) {
      expect(readClipboardText(foreign)).toEqual({ ok: false, foreign: true });
    }
    const good = copyLayers(chain(), ['d1', 'd2'])!;
    const damaged = (patch: object) => {
      const r = readClipboardText(JSON.stringify({ ...good, ...patch }));
      return r.ok || r.foreign ? '' : r.error;
    };
    expect(damaged({ nodes: [{ ...good.nodes[0], kind: 'Teleporter' }] })).toMatch(/dense_1 is of kind “Teleporter”/);
    expect(damaged({ nodes: [{ ...good.nodes[0], name: '1bad' }] })).toMatch(/nodes\.0\.name/);
    expect(damaged({ edges: [{ id: 'x', source: 'd1', target: 'elsewhere' }] })).toMatch(/connection x joins a layer that is not among them/);
    expect(damaged({ version: 99 })).toMatch(/newer Neurowire/);
    expect(damaged({ nodes: [] })).toMatch(/nodes/);
  });
});

describe('inserting a layer', () => {
  it('after a layer: takes over its outgoing connections', () => {
    const r = insertLayer(chain(), 'Dropout', { after: 'd1' }, { newId });
    if (!r.ok) throw new Error(r.error);
    const id = r.inserted[0];
    const added = r.graph.nodes.find((n) => n.id === id)!;
    expect(added.name).toBe('dropout_1');
    const pairs = r.graph.edges.map((e) => `${e.source}>${e.target}`);
    expect(pairs).toEqual(['in>d1', `d1>${id}`, `${id}>d2`, `${id}>d3`]);
  });

  it('on a connection: source → new → target, in the connection’s place', () => {
    const r = insertLayer(chain(), 'Dropout', { onEdge: 'e3' }, { newId });
    if (!r.ok) throw new Error(r.error);
    const id = r.inserted[0];
    const pairs = r.graph.edges.map((e) => `${e.source}>${e.target}`);
    expect(pairs).toEqual(['in>d1', 'd1>d2', `d1>${id}`, `${id}>d3`]);
    const added = r.graph.nodes.find((n) => n.id === id)!;
    // Between its two neighbours, not on top of another layer.
    expect(added.position.x).toBeGreaterThan(240);
    expect(added.position.x).toBeLessThan(480);
  });

  it('at a spot, unconnected and on no other layer; refuses what cannot be wired', () => {
    const at = insertLayer(chain(), 'Dense', { at: { x: 240, y: 0 } }, { newId });
    if (!at.ok) throw new Error(at.error);
    expect(at.graph.edges).toHaveLength(3);
    expect(at.graph.nodes.at(-1)!.position.y).toBeGreaterThanOrEqual(100);
    const input = insertLayer(chain(), 'Input', { after: 'd1' }, { newId });
    expect(input).toEqual({ ok: false, error: expect.stringMatching(/takes no incoming connections/) });
    expect(insertLayer(chain(), 'Dense', { onEdge: 'gone' }, { newId })).toEqual({ ok: false, error: 'That connection no longer exists.' });
    expect(insertLayer(chain(), 'Nope', { after: 'd1' }, { newId }).ok).toBe(false);
  });
});

describe('auto-layout', () => {
  it('puts each layer in a column after its inputs, left to right or top to bottom, keeping the top-left corner', async () => {
    const graph = chain();
    graph.nodes[2].position = { x: -500, y: 900 }; // a mess
    const elk = new ELK();
    const right = withLayout(graph, await elk.layout(layoutRequest(graph, 'RIGHT')));
    const at = Object.fromEntries(right.nodes.map((n) => [n.name, n.position]));
    expect(at.input_1.x).toBeLessThan(at.dense_1.x);
    expect(at.dense_1.x).toBeLessThan(at.dense_2.x);
    expect(at.dense_2.x).toBe(at.dense_3.x); // the two branches share a column
    expect(at.dense_2.y).not.toBe(at.dense_3.y);
    expect(Math.min(...right.nodes.map((n) => n.position.x))).toBe(-500);
    expect(Math.min(...right.nodes.map((n) => n.position.y))).toBe(0);

    const down = withLayout(graph, await elk.layout(layoutRequest(graph, 'DOWN')));
    const d = Object.fromEntries(down.nodes.map((n) => [n.name, n.position]));
    expect(d.input_1.y).toBeLessThan(d.dense_1.y);
    expect(d.dense_1.y).toBeLessThan(d.dense_2.y);
    expect(d.dense_2.y).toBe(d.dense_3.y);
    expect(down.edges).toBe(graph.edges);
  });

  it('lays out every template left to right with no two layers overlapping', async () => {
    const dir = path.resolve(__dirname, '../../templates');
    const elk = new ELK();
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const { graph: drawn } = parseProject(readFileSync(path.join(dir, file), 'utf8'), file);
      // All in one heap: only the layout can untangle them.
      const graph = { ...drawn, nodes: drawn.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })) };
      const laid = withLayout(graph, await elk.layout(layoutRequest(graph, 'RIGHT')));
      const at = new Map(laid.nodes.map((n) => [n.id, n.position]));
      for (const e of laid.edges) expect(at.get(e.source)!.x, `${file}: ${e.source} → ${e.target}`).toBeLessThan(at.get(e.target)!.x);
      const { width, height } = DEFAULT_NODE_SIZE;
      for (const a of laid.nodes)
        for (const b of laid.nodes) {
          if (a === b) continue;
          const apart = Math.abs(a.position.x - b.position.x) >= width || Math.abs(a.position.y - b.position.y) >= height;
          expect(apart, `${file}: ${a.name} and ${b.name} overlap`).toBe(true);
        }
    }
  });
});

describe('layer search', () => {
  it('finds kinds by name first, then by description; every word must match', () => {
    expect(searchLayerSpecs('dense')[0].kind).toBe('Dense');
    expect(searchLayerSpecs('lstm')[0].kind).toBe('LSTM');
    expect(searchLayerSpecs('drop').slice(0, 1).map((s) => s.kind)).toEqual(['Dropout']);
    const conv = searchLayerSpecs('conv');
    expect(conv.length).toBeGreaterThan(3);
    expect(conv.every((s) => `${s.label} ${s.kind} ${s.category} ${s.description}`.toLowerCase().includes('conv'))).toBe(true);
    expect(searchLayerSpecs('fully connected').map((s) => s.kind)).toContain('Dense');
    expect(searchLayerSpecs('zzzz')).toEqual([]);
    expect(searchLayerSpecs('  ')).toHaveLength(LAYER_SPECS.length);
  });
});

function store(): AppStore {
  const client: EngineClient = {
    call: async (method) => {
      throw new Error(`no engine in this test (${method})`);
    },
    on: () => () => undefined,
  };
  return createAppStore(client);
}

function project(): Project {
  const p = emptyProject('Gestures');
  p.graph = chain();
  return p;
}

const undoSteps = (s: AppStore) => s.temporal.getState().pastStates.length;

describe('editing gestures in the store', () => {
  it('copy, paste, duplicate and cut are one undo step each; the pasted layers are selected', () => {
    const s = store();
    const { actions } = s.getState();
    actions.loadProject(project());
    actions.setSelection({ nodeIds: ['d1', 'd2'], edgeIds: [] });
    const text = actions.copySelection()!;
    expect(undoSteps(s)).toBe(0);

    expect(actions.pasteText(text)).toBe(true);
    expect(undoSteps(s)).toBe(1);
    let g = s.getState().project.graph;
    expect(g.nodes).toHaveLength(6);
    expect(g.edges).toHaveLength(4);
    const pasted = s.getState().ui.selection.nodeIds;
    expect(pasted.map((id) => g.nodes.find((n) => n.id === id)!.name)).toEqual(['dense_4', 'dense_5']);
    expect(s.getState().editing.reveal).toMatchObject({ ids: pasted, mode: 'ifHidden' });

    expect(actions.duplicateSelection()).toBe(true);
    expect(undoSteps(s)).toBe(2);
    expect(s.getState().project.graph.nodes.map((n) => n.name).slice(-2)).toEqual(['dense_6', 'dense_7']);

    actions.setSelection({ nodeIds: ['d2'], edgeIds: [] });
    expect(actions.cutSelection()).toContain('"dense_2"');
    expect(undoSteps(s)).toBe(3);
    g = s.getState().project.graph;
    expect(g.nodes.some((n) => n.id === 'd2')).toBe(false);
    expect(g.edges.some((e) => e.target === 'd2')).toBe(false);

    actions.undo();
    actions.undo();
    actions.undo();
    expect(s.getState().project).toEqual(project());
  });

  it('pastes at a point of the canvas (a context menu’s Paste)', () => {
    const s = store();
    const { actions } = s.getState();
    actions.loadProject(project());
    actions.setSelection({ nodeIds: ['d1', 'd2'], edgeIds: [] });
    actions.pasteText(actions.copySelection()!, { x: 1000, y: 500 });
    const ids = s.getState().ui.selection.nodeIds;
    const positions = s.getState().project.graph.nodes.filter((n) => ids.includes(n.id)).map((n) => n.position);
    expect(positions).toEqual([
      { x: 1000, y: 500 },
      { x: 1240, y: 500 },
    ]);
  });

  it('pasting foreign or damaged text changes nothing and says so', () => {
    const s = store();
    const { actions } = s.getState();
    actions.loadProject(project());
    const before = s.getState().project;
    expect(actions.pasteText('just some words')).toBe(false);
    expect(s.getState().ui.messages.at(-1)).toMatchObject({ kind: 'info' });
    expect(actions.pasteText(JSON.stringify({ format: CLIPBOARD_FORMAT, version: 1, nodes: [{ id: 'x' }], edges: [] }))).toBe(false);
    expect(s.getState().ui.messages.at(-1)).toMatchObject({ kind: 'error', text: expect.stringMatching(/^Cannot paste these layers: nodes\.0\./) });
    expect(s.getState().project).toBe(before);
    expect(undoSteps(s)).toBe(0);
  });

  it('selects all; inserts a layer after the selected one, selected, in one step', () => {
    const s = store();
    const { actions } = s.getState();
    actions.loadProject(project());
    actions.selectAll();
    expect(s.getState().ui.selection).toEqual({ nodeIds: ['in', 'd1', 'd2', 'd3'], edgeIds: ['e1', 'e2', 'e3'] });
    const id = actions.insertLayer('BatchNormalization', { after: 'in' })!;
    expect(undoSteps(s)).toBe(1);
    expect(s.getState().ui.selection).toEqual({ nodeIds: [id], edgeIds: [] });
    expect(s.getState().project.graph.edges.filter((e) => e.source === id || e.target === id).map((e) => [e.source, e.target])).toEqual([
      ['in', id],
      [id, 'd1'],
    ]);
    expect(actions.insertLayer('Input', { after: 'd1' })).toBeNull();
    expect(undoSteps(s)).toBe(1);
  });

  it('focuses a layer by name: selects it and asks the canvas to centre it', () => {
    const s = store();
    const { actions } = s.getState();
    actions.loadProject(project());
    expect(actions.focusLayer('dense_2')).toBe(true);
    expect(s.getState().ui.selection.nodeIds).toEqual(['d2']);
    expect(s.getState().editing.reveal).toMatchObject({ ids: ['d2'], mode: 'center' });
    expect(actions.focusLayer('nothing_here')).toBe(false);
  });

  it('auto-layout is one undo step; on an imported model it is part of the import (no undo step)', async () => {
    const s = store();
    const { actions } = s.getState();
    const messy = project();
    messy.graph.nodes[0].position = { x: 900, y: 900 };
    actions.loadProject(messy);
    expect(await actions.autoLayout({ direction: 'DOWN' })).toBe(true);
    expect(undoSteps(s)).toBe(1);
    const at = Object.fromEntries(s.getState().project.graph.nodes.map((n) => [n.name, n.position]));
    expect(at.input_1.y).toBeLessThan(at.dense_1.y);
    actions.undo();
    expect(s.getState().project).toEqual(messy);

    const fixture = readFileSync(path.resolve(__dirname, '../fixtures/import/functional-cnn-skip.json'), 'utf8');
    expect(actions.importModel(fixture, 'cnn.json')).toBe(true);
    const imported = s.getState().project;
    await expect.poll(() => s.getState().project !== imported && !s.getState().editing.layingOut).toBe(true);
    expect(undoSteps(s)).toBe(0);
    expect(s.getState().doc.dirty).toBe(false);
    expect(s.getState().project.graph.edges).toEqual(imported.graph.edges);
  });
});
