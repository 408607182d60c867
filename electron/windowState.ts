import fs from 'node:fs';
import path from 'node:path';

/**
 * The main window's size and position, remembered between launches in <userData>/window-state.json. A saved
 * position is used only while enough of the window's top edge lies on a connected display (a monitor may
 * have been unplugged since); otherwise the window opens centred, at the saved size if it still fits.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1440, height: 900, maximized: false };
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 500;
/** How much of the title bar must be on a display for a saved position to count (pixels). */
const GRAB_AREA = { width: 120, height: 32 };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e6;

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** The state to open with: the saved one made to fit today's displays, or the default. */
export function restoreWindowState(saved: unknown, workAreas: readonly Rect[]): WindowState {
  if (!saved || typeof saved !== 'object') return { ...DEFAULT_WINDOW_STATE };
  const s = saved as Record<string, unknown>;
  if (!isInt(s.width) || !isInt(s.height)) return { ...DEFAULT_WINDOW_STATE };
  const largest = workAreas.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), workAreas[0] ?? { x: 0, y: 0, width: Infinity, height: Infinity });
  const width = Math.round(Math.min(Math.max(s.width, MIN_WIDTH), Math.max(largest.width, MIN_WIDTH)));
  const height = Math.round(Math.min(Math.max(s.height, MIN_HEIGHT), Math.max(largest.height, MIN_HEIGHT)));
  const state: WindowState = { width, height, maximized: s.maximized === true };
  if (isInt(s.x) && isInt(s.y)) {
    const titleBar: Rect = { x: Math.round(s.x), y: Math.round(s.y), width, height: GRAB_AREA.height };
    const visible = workAreas.some((area) => {
      const o = overlap(titleBar, area);
      return o.width >= Math.min(GRAB_AREA.width, width) && o.height >= GRAB_AREA.height;
    });
    if (visible) Object.assign(state, { x: titleBar.x, y: titleBar.y });
  }
  return state;
}

/** Reads the saved state (a missing or broken file gives the default). */
export function loadWindowState(userData: string, workAreas: readonly Rect[]): WindowState {
  let saved: unknown = null;
  try {
    saved = JSON.parse(fs.readFileSync(path.join(userData, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    saved = null;
  }
  return restoreWindowState(saved, workAreas);
}

/** Writes the state (the window's normal bounds, so a maximized window comes back to its old size too). */
export function saveWindowState(userData: string, bounds: Rect, maximized: boolean): void {
  const state: WindowState = { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height, maximized };
  try {
    fs.mkdirSync(userData, { recursive: true });
    fs.writeFileSync(path.join(userData, WINDOW_STATE_FILE), JSON.stringify(state));
  } catch (e) {
    console.error('[neurowire] could not remember the window size:', (e as Error).message);
  }
}
