import { createContext, useContext, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from './appStore';

const StoreContext = createContext<AppStore | null>(null);

export function AppStoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore must be used inside <AppStoreProvider>');
  return store;
}

/** Subscribes to a slice of the app state; the selector must return a stable reference. */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStore(), selector);
}

export function useActions(): AppState['actions'] {
  return useAppStore().getState().actions;
}

/** Whether undo / redo are available (for toolbar buttons). */
export function useHistoryAvailability(): { canUndo: boolean; canRedo: boolean } {
  const store = useAppStore();
  const canUndo = useStore(store.temporal, (t) => t.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (t) => t.futureStates.length > 0);
  return { canUndo, canRedo };
}

/**
 * Like useApp, but re-renders at most once per `ms` however often the slice changes
 * (training batch events can arrive hundreds of times a second). The last change always renders.
 */
export function useThrottledApp<T>(selector: (s: AppState) => T, ms = 100): T {
  const store = useAppStore();
  const snapshot = useRef<{ value: T } | null>(null);
  const sub = useRef<((onChange: () => void) => () => void) | null>(null);
  if (!sub.current) {
    sub.current = (onChange) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      let last = 0;
      const fire = () => {
        timer = null;
        last = Date.now();
        snapshot.current = { value: selector(store.getState()) };
        onChange();
      };
      const unsubscribe = store.subscribe((state, prev) => {
        if (selector(state) === selector(prev) || timer) return;
        const wait = ms - (Date.now() - last);
        if (wait <= 0) fire();
        else timer = setTimeout(fire, wait);
      });
      return () => {
        unsubscribe();
        if (timer) clearTimeout(timer);
      };
    };
  }
  const get = () => {
    if (!snapshot.current) snapshot.current = { value: selector(store.getState()) };
    return snapshot.current.value;
  };
  return useSyncExternalStore(sub.current, get, get);
}
