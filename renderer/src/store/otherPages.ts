/**
 * Whether another page of this app is open on the same engine (another browser tab in `npm run serve`). Unsaved work
 * in the autosave slot is then that page's live document, not work a crash left behind: start-up must not offer it.
 * Pages ask and answer on a BroadcastChannel (same origin only); the desktop app has one window, so nobody answers.
 */
const CHANNEL = 'neurowire-pages';
type Message = { type: 'anyone-editing' } | { type: 'editing' };

/** Answers other pages' question from now on (call once this page has started, so it never answers itself). */
export function answerOtherPages(): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (e: MessageEvent<Message>) => {
    if (e.data?.type === 'anyone-editing') channel.postMessage({ type: 'editing' } satisfies Message);
  };
  return () => channel.close();
}

/** Asks whether another page is open; no answer within `waitMs` means none. */
export function anotherPageIsOpen(waitMs = 1000): Promise<boolean> {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(false);
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(CHANNEL);
    const done = (open: boolean) => {
      clearTimeout(timer);
      channel.close();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), waitMs);
    channel.onmessage = (e: MessageEvent<Message>) => {
      if (e.data?.type === 'editing') done(true);
    };
    channel.postMessage({ type: 'anyone-editing' } satisfies Message);
  });
}
