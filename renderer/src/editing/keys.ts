const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** Text fields keep their own undo, copy, paste and Backspace; shortcuts act on the document elsewhere. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA') return true;
  return target instanceof HTMLInputElement && !NON_TEXT_INPUTS.has(target.type);
}

export function isFormControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (isTextEntry(target) || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

/** Ctrl on Windows and Linux, ⌘ on a Mac. */
export function hasModifier(e: KeyboardEvent | MouseEvent): boolean {
  return e.ctrlKey || e.metaKey;
}

export const MOD_LABEL = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform) ? '⌘' : 'Ctrl+';
