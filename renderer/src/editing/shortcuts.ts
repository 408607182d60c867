import { MOD_LABEL } from './keys';

export interface Shortcut {
  keys: string;
  what: string;
}

/** Every keyboard shortcut of the editor, as the `?` overlay lists them. */
export const SHORTCUTS: readonly { group: string; items: readonly Shortcut[] }[] = [
  {
    group: 'Project',
    items: [
      { keys: `${MOD_LABEL}S`, what: 'Save' },
      { keys: `${MOD_LABEL}Shift+S`, what: 'Save as…' },
      { keys: `${MOD_LABEL}O`, what: 'Open a project' },
      { keys: `${MOD_LABEL}Z`, what: 'Undo' },
      { keys: `${MOD_LABEL}Shift+Z  /  ${MOD_LABEL}Y`, what: 'Redo' },
    ],
  },
  {
    group: 'Layers',
    items: [
      { keys: `/  or  ${MOD_LABEL}K`, what: 'Quick-add a layer (after the selected one)' },
      { keys: 'Type a letter on the canvas', what: 'Quick-add, starting with that letter' },
      { keys: `${MOD_LABEL}C`, what: 'Copy the selected layers' },
      { keys: `${MOD_LABEL}X`, what: 'Cut the selected layers' },
      { keys: `${MOD_LABEL}V`, what: 'Paste layers' },
      { keys: `${MOD_LABEL}D`, what: 'Duplicate the selected layers' },
      { keys: 'Delete  /  Backspace', what: 'Delete the selection' },
    ],
  },
  {
    group: 'Selection and view',
    items: [
      { keys: `${MOD_LABEL}A`, what: 'Select all' },
      { keys: 'Shift+click', what: 'Add a layer or connection to the selection' },
      { keys: 'Shift+drag', what: 'Select the layers in a box' },
      { keys: 'Right-click', what: 'Menu of a layer, a connection or the canvas' },
      { keys: '?', what: 'Show this list' },
      { keys: 'Escape', what: 'Close a menu, the quick-add box or this list' },
    ],
  },
];
