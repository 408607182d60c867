import { useMemo, useState, type DragEvent } from 'react';
import { CATEGORY_ORDER, LAYER_SPECS } from '../../../main/core/layers/registry';
import { searchLayerSpecs } from '../../../main/core/layers/search';
import type { AnyLayerSpec, LayerCategory } from '../../../main/core/layers/types';
import { useActions, useApp } from '../store/context';
import { LAYER_DRAG_TYPE } from './Canvas';

function groupSpecs(shown: readonly AnyLayerSpec[]): { category: LayerCategory; specs: AnyLayerSpec[] }[] {
  const order = [...CATEGORY_ORDER, ...LAYER_SPECS.map((s) => s.category).filter((c) => !CATEGORY_ORDER.includes(c))];
  const seen = new Set<LayerCategory>();
  const groups: { category: LayerCategory; specs: AnyLayerSpec[] }[] = [];
  for (const category of order) {
    if (seen.has(category)) continue;
    seen.add(category);
    const specs = shown.filter((s) => s.category === category);
    if (specs.length) groups.push({ category, specs });
  }
  return groups;
}

export function Palette() {
  const actions = useActions();
  const nodeCount = useApp((s) => s.project.graph.nodes.length);
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupSpecs(searchLayerSpecs(query)), [query]);

  const onDragStart = (e: DragEvent, kind: string) => {
    e.dataTransfer.setData(LAYER_DRAG_TYPE, kind);
    e.dataTransfer.setData('text/plain', kind);
    e.dataTransfer.effectAllowed = 'copy';
  };

  // Keyboard (and double-click) alternative to dragging: add the layer below the others.
  const addByKeyboard = (kind: string) => {
    actions.addNode(kind, { x: 80 + (nodeCount % 4) * 40, y: 60 + nodeCount * 110 });
  };

  return (
    <nav className="palette" aria-label="Layer palette">
      <h2 className="panel-title">Layers</h2>
      <input
        type="search"
        className="palette__search"
        data-testid="palette-search"
        placeholder="Search layers…"
        aria-label="Search layers by name or description"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {groups.length === 0 && <p className="palette__empty muted">No layer kind matches “{query}”.</p>}
      {groups.map((g) => (
        <section key={g.category} className="palette__group">
          <h3 className="palette__category">{g.category}</h3>
          <ul>
            {g.specs.map((spec) => (
              <li
                key={spec.kind}
                className="palette__item"
                data-testid={`palette-${spec.kind}`}
                draggable
                tabIndex={0}
                role="button"
                title={`${spec.label}: ${spec.description}\nDrag onto the canvas (or press Enter) to add.`}
                aria-label={`Add ${spec.label} layer`}
                onDragStart={(e) => onDragStart(e, spec.kind)}
                onDoubleClick={() => addByKeyboard(spec.kind)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    addByKeyboard(spec.kind);
                  }
                }}
              >
                <span className="palette__label">{spec.label}</span>
                <span className="palette__desc">{spec.description}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
