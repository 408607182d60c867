/**
 * The desktop app asks before the window closes, the app quits or the page reloads while the document has
 * unsaved changes. The page answers the standard way, by cancelling beforeunload; Electron then reports
 * 'will-prevent-unload' to the shell, which shows the question (electron/main.ts). Returns the detach function.
 */
export function attachUnsavedChangesGuard(target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>, isDirty: () => boolean): () => void {
  const onBeforeUnload = (event: Event) => {
    if (!isDirty()) return;
    event.preventDefault(); // Chromium 119+ (every supported Electron) takes this as "ask first"
  };
  target.addEventListener('beforeunload', onBeforeUnload);
  return () => target.removeEventListener('beforeunload', onBeforeUnload);
}
