import { useActions, useApp } from '../store/context';
import { setTheme, useTheme } from './theme';
import { useAutoLayout } from './useAutoLayout';

/** Toolbar buttons of the editing gestures: auto-layout and its direction, the shortcut list, the theme. */
export function EditingTools() {
  const actions = useActions();
  const direction = useApp((s) => s.editing.layoutDirection);
  const layingOut = useApp((s) => s.editing.layingOut);
  const empty = useApp((s) => s.project.graph.nodes.length === 0);
  const theme = useTheme();
  const autoLayout = useAutoLayout();
  return (
    <div className="toolbar__group">
      <button
        type="button"
        className="btn"
        data-testid="auto-layout-button"
        disabled={empty || layingOut}
        onClick={autoLayout}
        title="Arrange the layers in columns along the connections (undo with Ctrl+Z)"
      >
        {layingOut ? 'Laying out…' : 'Auto-layout'}
      </button>
      <select
        className="btn toolbar__select"
        data-testid="layout-direction"
        aria-label="Layout direction"
        title="Auto-layout direction: left to right, or top to bottom"
        value={direction}
        onChange={(e) => actions.setLayoutDirection(e.target.value === 'DOWN' ? 'DOWN' : 'RIGHT')}
      >
        <option value="RIGHT">→</option>
        <option value="DOWN">↓</option>
      </select>
      <button type="button" className="btn" data-testid="shortcuts-button" onClick={() => actions.showShortcuts(true)} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
        ?
      </button>
      <button
        type="button"
        className="btn"
        data-testid="theme-toggle"
        aria-label={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}
        title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
        onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
      >
        {theme === 'dark' ? '☀' : '☾'}
      </button>
    </div>
  );
}
