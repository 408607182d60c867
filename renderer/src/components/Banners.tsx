import { useEffect } from 'react';
import { useActions, useApp } from '../store/context';
import type { UiMessage } from '../store/appStore';
import { LayerLinks } from '../editing/LayerLinks';

function Toast({ message }: { message: UiMessage }) {
  const actions = useActions();
  useEffect(() => {
    if (message.kind === 'error') return;
    const t = setTimeout(() => actions.dismissMessage(message.id), 6000);
    return () => clearTimeout(t);
  }, [actions, message]);
  return (
    <div className={`toast toast--${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid={message.kind === 'error' ? 'error-banner' : 'toast'}>
      <span className="toast__text">
        <LayerLinks text={message.text} />
      </span>
      <button type="button" className="toast__close" aria-label="Dismiss" onClick={() => actions.dismissMessage(message.id)}>
        ×
      </button>
    </div>
  );
}

/** Connection problems (sticky), engine errors (until dismissed) and short notices. */
export function Banners() {
  const connection = useApp((s) => s.engine.connection);
  const messages = useApp((s) => s.ui.messages);
  const errors = messages.filter((m) => m.kind === 'error');
  const notices = messages.filter((m) => m.kind !== 'error');
  return (
    <div className="banner-area">
      {(connection === 'closed' || connection === 'failed') && (
        <div className="connection-banner" role="alert" data-testid="connection-banner">
          {connection === 'failed' ? 'Could not connect to the Neurowire engine' : 'Lost connection to the Neurowire engine'} — restart <code>npm run serve</code> and
          open the new address it prints.
        </div>
      )}
      {errors.length > 0 && (
        <div className="banners">
          {errors.map((m) => (
            <Toast key={m.id} message={m} />
          ))}
        </div>
      )}
      {notices.length > 0 && (
        <div className="toasts">
          {notices.map((m) => (
            <Toast key={m.id} message={m} />
          ))}
        </div>
      )}
    </div>
  );
}
