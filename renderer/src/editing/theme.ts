import { useEffect, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'neurowire.theme';
const listeners = new Set<() => void>();
const darkQuery = () => (typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null);

/** The theme chosen with the toggle, or else the system's (prefers-color-scheme). */
function currentTheme(): Theme {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage may be unavailable (private windows): follow the system
  }
  if (stored === 'light' || stored === 'dark') return stored;
  return darkQuery()?.matches ? 'dark' : 'light';
}

export function setTheme(theme: Theme) {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // not persisted; still applied for this page
  }
  document.documentElement.dataset.theme = theme;
  listeners.forEach((l) => l());
}

function subscribe(onChange: () => void) {
  listeners.add(onChange);
  const query = darkQuery();
  query?.addEventListener('change', onChange);
  return () => {
    listeners.delete(onChange);
    query?.removeEventListener('change', onChange);
  };
}

/** The theme in use; applies it to the page (data-theme on <html>, which styles.css reads). */
export function useTheme(): Theme {
  const theme = useSyncExternalStore(subscribe, currentTheme, () => 'light' as Theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}
