import { useMemo, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import { searchLayerSpecs } from '../../../main/core/layers/search';
import { DEFAULT_NODE_SIZE } from '../../../main/core/graph/layout';
import { useActions, useApp, useAppStore } from '../store/context';
import { takesNoInputs } from '../store/graphOps';
import type { InsertPlace } from '../store/slices/editing';

/** The middle of the visible canvas, in flow coordinates, as a new layer's top-left corner. */
function useViewCentre(): () => { x: number; y: number } {
  const { screenToFlowPosition } = useReactFlow();
  return () => {
    const r = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const c = r ? screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 0, y: 0 };
    return { x: c.x - DEFAULT_NODE_SIZE.width / 2, y: c.y - DEFAULT_NODE_SIZE.height / 2 };
  };
}

/** Type a layer's name, Enter: it is inserted after the selected layer (or where the box was opened for), wired and selected. */
export function QuickAdd({ place, initialQuery }: { place: InsertPlace | null; initialQuery: string }) {
  const actions = useActions();
  const store = useAppStore();
  const [query, setQuery] = useState(initialQuery);
  const [active, setActive] = useState(0);
  const hits = useMemo(() => searchLayerSpecs(query), [query]);
  const viewCentre = useViewCentre();
  const selected = useApp((s) => (s.ui.selection.nodeIds.length === 1 ? s.project.graph.nodes.find((n) => n.id === s.ui.selection.nodeIds[0]) : undefined));
  const where = place
    ? 'after' in place
      ? `after ${store.getState().project.graph.nodes.find((n) => n.id === place.after)?.name ?? 'the layer'}`
      : 'onEdge' in place
        ? 'on the connection'
        : 'here'
    : selected
      ? `after ${selected.name}`
      : 'in the middle of the view';

  const choose = (kind: string) => {
    // An Input starts a network of its own: it goes mid-view, never after a layer.
    const resolved: InsertPlace = place ?? (selected && !takesNoInputs(kind) ? { after: selected.id } : { at: viewCentre() });
    actions.closeOverlays();
    actions.insertLayer(kind, resolved);
  };

  const current = Math.min(active, hits.length - 1);
  return (
    <div className="overlay-backdrop" onMouseDown={(e) => e.target === e.currentTarget && actions.closeOverlays()}>
      <div className="quick-add" role="dialog" aria-label="Quick-add a layer" data-testid="quick-add">
        <input
          autoFocus
          className="quick-add__input"
          data-testid="quick-add-input"
          placeholder={`Layer to add ${where}…`}
          aria-label={`Layer to add ${where}`}
          role="combobox"
          aria-expanded="true"
          aria-controls="quick-add-list"
          aria-activedescendant={hits[current] ? `quick-add-${hits[current].kind}` : undefined}
          spellCheck={false}
          autoComplete="off"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const step = e.key === 'ArrowDown' ? 1 : -1;
              setActive((current + step + hits.length) % Math.max(1, hits.length));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              if (hits[current]) choose(hits[current].kind);
            } else if (e.key === 'Escape') {
              e.preventDefault();
              actions.closeOverlays();
            }
          }}
        />
        <ul className="quick-add__list" id="quick-add-list" role="listbox" aria-label="Layer kinds">
          {hits.map((spec, i) => (
            <li
              key={spec.kind}
              id={`quick-add-${spec.kind}`}
              role="option"
              aria-selected={i === current}
              className={`quick-add__option${i === current ? ' quick-add__option--active' : ''}`}
              data-testid={`quick-add-option-${spec.kind}`}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(spec.kind);
              }}
            >
              <span className="quick-add__label">{spec.label}</span>
              <span className="quick-add__desc">{spec.description}</span>
            </li>
          ))}
          {!hits.length && <li className="quick-add__empty">No layer kind matches “{query}”.</li>}
        </ul>
      </div>
    </div>
  );
}
