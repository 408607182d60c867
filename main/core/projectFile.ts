import { isKerasModelDocument } from './project';

/**
 * How project files are named. New projects are saved as `<name>.neurowire`: operating systems associate a
 * program with the last extension only, so a `.neurowire.json` file cannot open Neurowire on a double-click
 * without claiming every `.json` file. Files saved before (`.neurowire.json`, any `.json`) still open and save.
 */
export const PROJECT_EXTENSION = '.neurowire';
/** Extensions a project file may have, newest first (the association in electron-builder.yml names the first). */
export const PROJECT_EXTENSIONS = [PROJECT_EXTENSION, '.json'] as const;

/** Whether `fileName` (a name or a path) has a project file's extension. */
export function hasProjectExtension(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return PROJECT_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
}

/** A file name for a project called `projectName`: characters no file system takes replaced, the project extension added. */
export function projectFileName(projectName: string): string {
  const safe = projectName.replace(/[\\/:*?"<>|\p{Cc}]+/gu, '-').trim() || 'project';
  return `${safe}${PROJECT_EXTENSION}`;
}

export type DroppedFileKind = 'project' | 'model' | 'other';

/** Keras's own model files (a Keras 2 .h5, a Keras 3 .keras archive): binary, read by the engine. */
export const KERAS_FILE_EXTENSIONS = ['.h5', '.hdf5', '.keras'] as const;

/** Whether `fileName` is a Keras .h5 / .keras model file. */
export function isKerasFile(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return KERAS_FILE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * What a file dropped on the window is: a project (a `.neurowire` file, or JSON in the project format), a
 * Keras / TensorFlow.js model to import (a model.json, a Keras .h5 or .keras), or something else. Only JSON needs a
 * look inside.
 */
export function droppedFileKind(fileName: string, text: string | null): DroppedFileKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(PROJECT_EXTENSION) || lower.endsWith(`${PROJECT_EXTENSION}.json`)) return 'project';
  if (isKerasFile(lower)) return 'model';
  if (!lower.endsWith('.json') || text === null) return 'other';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'project'; // opening it says what is wrong, with the line and column
  }
  return isKerasModelDocument(doc) ? 'model' : 'project';
}
