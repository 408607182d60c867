import { useEffect, useRef, type ReactNode } from 'react';
import { useActions, useAppStore } from '../store/context';
import type { EditingState } from '../store/slices/editing';
import { MOD_LABEL } from './keys';
import { useAutoLayout } from './useAutoLayout';

/** Clipboard text for a paste from a menu: the system clipboard where the page may read it, else what this window copied. */
async function clipboardTextForMenu(fallback: string | null): Promise<string | null> {
  try {
    return (await navigator.clipboard?.readText()) || fallback;
  } catch {
    return fallback; // reading is refused (the desktop app denies the permission): Ctrl+V still works
  }
}

function writeClipboard(text: string | null) {
  if (text) navigator.clipboard?.writeText(text).catch(() => undefined);
}

interface Item {
  label: string;
  testId: string;
  keys?: string;
  run(): void;
  danger?: boolean;
}

/** The menu of a layer, a connection or the canvas, where it was right-clicked. */
export function ContextMenu({ menu }: { menu: NonNullable<EditingState['menu']> }) {
  const actions = useActions();
  const store = useAppStore();
  const ref = useRef<HTMLDivElement>(null);
  const autoLayout = useAutoLayout();
  useEffect(() => ref.current?.querySelector<HTMLButtonElement>('button')?.focus(), []);

  const { target } = menu;
  let title: ReactNode;
  let items: Item[];
  if (target.kind === 'node') {
    const node = store.getState().project.graph.nodes.find((n) => n.id === target.id);
    title = node?.name ?? 'Layer';
    items = [
      { label: 'Insert layer after…', testId: 'menu-insert-after', keys: '/', run: () => actions.openQuickAdd({ after: target.id }) },
      { label: 'Duplicate', testId: 'menu-duplicate', keys: `${MOD_LABEL}D`, run: () => actions.duplicateSelection() },
      { label: 'Copy', testId: 'menu-copy', keys: `${MOD_LABEL}C`, run: () => writeClipboard(actions.copySelection()) },
      { label: 'Cut', testId: 'menu-cut', keys: `${MOD_LABEL}X`, run: () => writeClipboard(actions.cutSelection()) },
      { label: 'Zoom to layer', testId: 'menu-zoom-to', run: () => actions.focusLayer(target.id) },
      { label: 'Delete', testId: 'menu-delete', keys: 'Delete', danger: true, run: () => actions.deleteSelection() },
    ];
  } else if (target.kind === 'edge') {
    title = 'Connection';
    items = [
      { label: 'Insert a layer here…', testId: 'menu-insert-on-edge', run: () => actions.openQuickAdd({ onEdge: target.id }) },
      { label: 'Delete connection', testId: 'menu-delete-edge', keys: 'Delete', danger: true, run: () => actions.deleteElements([], [target.id]) },
    ];
  } else {
    title = 'Canvas';
    items = [
      {
        label: 'Paste',
        testId: 'menu-paste',
        keys: `${MOD_LABEL}V`,
        run: () => void clipboardTextForMenu(actions.lastCopied()).then((text) => text && actions.pasteText(text, target.at)),
      },
      { label: 'Add layer…', testId: 'menu-add-layer', keys: '/', run: () => actions.openQuickAdd({ at: target.at }) },
      { label: 'Auto-layout', testId: 'menu-auto-layout', run: autoLayout },
      { label: 'Select all', testId: 'menu-select-all', keys: `${MOD_LABEL}A`, run: () => actions.selectAll() },
    ];
  }

  // Keep the menu inside the window.
  const style = { left: Math.min(menu.x, window.innerWidth - 230), top: Math.min(menu.y, window.innerHeight - 40 - items.length * 30) };
  return (
    <div className="overlay-backdrop overlay-backdrop--clear" onMouseDown={(e) => e.target === e.currentTarget && actions.closeOverlays()} onContextMenu={(e) => e.preventDefault()}>
      <div
        ref={ref}
        className="context-menu"
        role="menu"
        aria-label={`${typeof title === 'string' ? title : ''} menu`}
        data-testid="context-menu"
        style={style}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
          e.preventDefault();
          const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
          const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
          buttons[(at + (e.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
        }}
      >
        <div className="context-menu__title">{title}</div>
        {items.map((item) => (
          <button
            key={item.testId}
            type="button"
            role="menuitem"
            className={`context-menu__item${item.danger ? ' context-menu__item--danger' : ''}`}
            data-testid={item.testId}
            onClick={() => {
              actions.closeOverlays();
              item.run();
            }}
          >
            <span>{item.label}</span>
            {item.keys && <kbd className="context-menu__keys">{item.keys}</kbd>}
          </button>
        ))}
      </div>
    </div>
  );
}
