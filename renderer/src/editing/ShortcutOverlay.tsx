import { useActions } from '../store/context';
import { SHORTCUTS } from './shortcuts';

/** Every shortcut, grouped; `?` opens it, Escape or a click outside closes it. */
export function ShortcutOverlay() {
  const actions = useActions();
  return (
    <div className="overlay-backdrop" onMouseDown={(e) => e.target === e.currentTarget && actions.closeOverlays()}>
      <div className="shortcut-overlay" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcut-overlay">
        <div className="shortcut-overlay__head">
          <h2 className="modal__title">Keyboard shortcuts</h2>
          <button type="button" className="btn btn--small" autoFocus onClick={() => actions.closeOverlays()}>
            Close
          </button>
        </div>
        <div className="shortcut-overlay__groups">
          {SHORTCUTS.map((g) => (
            <section key={g.group}>
              <h3 className="shortcut-overlay__group">{g.group}</h3>
              <dl className="shortcut-overlay__list">
                {g.items.map((s) => (
                  <div key={s.keys + s.what} className="shortcut-overlay__row">
                    <dt>
                      <kbd>{s.keys}</kbd>
                    </dt>
                    <dd>{s.what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
