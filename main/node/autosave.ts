import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseProject, serializeProject, upgradeProject, ProjectFileError, type Project } from '../core/project';
import { projectFileName } from '../core/projectFile';
import { openProjectFile, writeFileAtomic } from './projectFiles';

/**
 * The autosave slot: the open document as it is now, the file it belongs to and whether it had unsaved
 * changes. The page writes it after every edit, open and save, so when a session ends however it ends (a crash,
 * a kill, a closed browser tab) the next start knows whether work was left unsaved: a record marked dirty whose
 * project differs from the saved file it names (or that names none).
 */
export const AUTOSAVE_FORMAT = 'neurowire-autosave';
/** Where declined autosaves are kept, as ordinary project files, under the data folder. */
export const RECOVERED_DIR = 'recovered';

export interface AutosaveRecord {
  project: Project;
  /** The file the document was opened from or saved to; null for a project never saved. */
  path: string | null;
  /** Edited since it was opened or saved. */
  dirty: boolean;
}

/** What the last session left: nothing, a document with nothing unsaved (reopened as it was), or unsaved work. */
export type AutosaveState =
  | { kind: 'none' }
  | { kind: 'session' | 'unsaved'; project: Project; path: string | null; savedMs: number };

export async function writeAutosave(file: string, record: AutosaveRecord): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ format: AUTOSAVE_FORMAT, version: 1, path: record.path, dirty: record.dirty, project: record.project }));
}

/** The record in an autosave file's text; a file from before records (a bare project) is a session with no path. */
function parseRecord(text: string): AutosaveRecord {
  const doc: unknown = JSON.parse(text);
  const obj = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (obj.format !== AUTOSAVE_FORMAT) return { project: upgradeProject(doc, 'autosave'), path: null, dirty: false };
  return {
    project: upgradeProject(obj.project, 'autosave'),
    path: typeof obj.path === 'string' && path.isAbsolute(obj.path) ? obj.path : null,
    dirty: obj.dirty === true,
  };
}

/** Whether the saved file at `file` holds exactly `project` (false when it is missing or unreadable). */
async function savedFileHolds(file: string, project: Project): Promise<boolean> {
  try {
    return serializeProject(parseProject(await fs.readFile(file, 'utf8'), file)) === serializeProject(project);
  } catch {
    return false;
  }
}

/** The slot's text and when it was written; null when there is none (or it cannot be read). */
async function readSlot(file: string): Promise<{ text: string; savedMs: number } | null> {
  try {
    const savedMs = (await fs.stat(file)).mtimeMs;
    return { text: await fs.readFile(file, 'utf8'), savedMs };
  } catch {
    return null;
  }
}

/**
 * Reads the slot. A damaged one is moved into the recovered folder rather than left to be overwritten by the
 * next autosave, and the app starts as if there were none.
 */
export async function readAutosave(file: string, recoveredDir: string): Promise<AutosaveState> {
  const slot = await readSlot(file);
  if (!slot) return { kind: 'none' };
  const { text, savedMs } = slot;
  let record: AutosaveRecord;
  try {
    record = parseRecord(text);
  } catch (e) {
    if (!(e instanceof SyntaxError || e instanceof ProjectFileError)) throw e;
    await moveAside(file, path.join(recoveredDir, `damaged-autosave ${stamp(new Date())}.json`));
    return { kind: 'none' };
  }
  const saved = record.path !== null && (await savedFileHolds(record.path, record.project));
  const kind = record.dirty && !saved ? 'unsaved' : 'session';
  if (kind === 'session' && record.path) {
    // Nothing unsaved: the file itself, as it is on disk now (it may have been changed elsewhere since).
    try {
      return { kind, project: await openProjectFile(record.path), path: record.path, savedMs };
    } catch {
      // moved or damaged since: the autosaved copy, without its path, so Save asks where
      return { kind, project: record.project, path: null, savedMs };
    }
  }
  return { kind, project: record.project, path: record.path, savedMs };
}

/** A file-name-safe local time: 2025-03-14 09-26-53. */
function stamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}-${two(date.getMinutes())}-${two(date.getSeconds())}`;
}

/** `to`, or with " 2", " 3", … before the extension while that name is taken. */
async function freeName(to: string): Promise<string> {
  const ext = to.endsWith('.neurowire') ? '.neurowire' : path.extname(to);
  const base = to.slice(0, to.length - ext.length);
  for (let n = 1; ; n++) {
    const target = n === 1 ? to : `${base} ${n}${ext}`;
    try {
      await fs.access(target);
    } catch {
      return target;
    }
  }
}

async function moveAside(from: string, to: string): Promise<string> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  const target = await freeName(to);
  await fs.rename(from, target);
  return target;
}

/**
 * Keeps the slot's project aside as an ordinary project file in `recoveredDir` (named after the project and the
 * time it was autosaved), and empties the slot: the work a person declined to restore is never overwritten by
 * the next autosave. Returns where it went, or null when the slot was empty.
 */
export async function setAutosaveAside(file: string, recoveredDir: string): Promise<string | null> {
  const slot = await readSlot(file);
  if (!slot) return null;
  const { text, savedMs } = slot;
  let project: Project;
  try {
    project = parseRecord(text).project;
  } catch {
    return moveAside(file, path.join(recoveredDir, `damaged-autosave ${stamp(new Date(savedMs))}.json`));
  }
  const target = await freeName(path.join(recoveredDir, projectFileName(`${project.name} ${stamp(new Date(savedMs))}`)));
  await writeFileAtomic(target, serializeProject(project));
  await fs.rm(file, { force: true });
  return target;
}
