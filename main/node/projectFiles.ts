import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseProject, serializeProject, ProjectFileError, type Project } from '../core/project';
import { MAX_PROJECT_BYTES, type ProjectFileEntry } from '../core/api/contract';
import { hasProjectExtension, PROJECT_EXTENSION } from '../core/projectFile';
import { weightsBeside, weightsRelativeTo } from './projectWeights';
import { weightsFileName } from '../core/nodeWeights';

/** Projects larger than this are surely not projects; refuse before reading them into memory. */
export { MAX_PROJECT_BYTES };

/**
 * Writes a file so that a crash leaves either the old or the new content, never half of one:
 * write a temp file beside it, flush it, then rename over the target.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncFolder(path.dirname(target));
}

/** Makes a rename in `dir` durable: without it a power cut right after saving can lose the new name. */
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or sync a folder; its renames are durable as they are.
  } finally {
    await handle?.close();
  }
}

/** What writeFileAtomic (and the run store's model folders) name their temporary files and folders. */
const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;
/** Older than this, a temporary file belongs to a write that died (a write takes seconds, not minutes). */
export const ORPHAN_AGE_MS = 10 * 60 * 1000;

/**
 * Removes temporary files and folders that a killed process left in `dirs` (not below them). Returns how
 * many were removed. Young ones are left alone: another instance of the app may be writing them.
 */
export async function removeOrphanedTempFiles(dirs: string[], now = Date.now()): Promise<number> {
  let removed = 0;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      continue; // not there (yet)
    }
    for (const name of names.filter((n) => TEMP_NAME.test(n))) {
      const file = path.join(dir, name);
      try {
        if (now - (await fs.stat(file)).mtimeMs < ORPHAN_AGE_MS) continue;
        await fs.rm(file, { recursive: true, force: true });
        removed++;
      } catch {
        // gone already, or not ours to remove: leave it
      }
    }
  }
  return removed;
}

export async function saveProjectFile(filePath: string, project: Project): Promise<string> {
  const resolved = path.resolve(filePath);
  if (!hasProjectExtension(resolved)) {
    throw new ProjectFileError(`Project files end in ${PROJECT_EXTENSION} (or .json); "${filePath}" does not. Try "${filePath}${PROJECT_EXTENSION}".`);
  }
  const dir = path.dirname(resolved);
  let saved = project;
  if (project.weights && path.isAbsolute(project.weights.file) && path.dirname(project.weights.file) !== dir) {
    // Kept weights lie beside the project (an imported model's wait in the engine's data folder until then).
    const beside = path.join(dir, weightsFileName(path.basename(resolved)));
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(project.weights.file);
    } catch {
      throw new ProjectFileError(`The project's weights file ${project.weights.file} is not there, so the project was not saved with its weights.`);
    }
    await writeFileAtomic(beside, bytes);
    saved = { ...project, weights: { ...project.weights, file: beside } };
  }
  await writeFileAtomic(resolved, serializeProject(weightsRelativeTo(saved, dir)));
  return resolved;
}

export async function openProjectFile(filePath: string): Promise<Project> {
  const resolved = path.resolve(filePath);
  let stat;
  try {
    stat = await fs.stat(resolved);
  } catch {
    throw new ProjectFileError(`No project file at ${resolved}.`);
  }
  if (!stat.isFile()) throw new ProjectFileError(`${resolved} is a folder, not a project file.`);
  if (stat.size > MAX_PROJECT_BYTES) throw new ProjectFileError(`${resolved} is ${(stat.size / 1e6).toFixed(0)} MB — too large to be a Neurowire project.`);
  const text = await fs.readFile(resolved, 'utf8');
  return weightsBeside(withDataBeside(parseProject(text, path.basename(resolved)), path.dirname(resolved)), path.dirname(resolved));
}

/**
 * The project with each relative data path (a CSV's `path`, a builtin set's `dir`) that names something in `baseDir`
 * made absolute: a project, or a template, whose data lies beside it opens from anywhere. Paths that name nothing
 * there are left as they are (relative to the working folder, as before).
 */
export function withDataBeside(project: Project, baseDir: string): Project {
  const source = project.dataset.source as Record<string, unknown>;
  let changed: Record<string, unknown> | null = null;
  for (const key of ['path', 'dir']) {
    const value = source[key];
    if (typeof value !== 'string' || path.isAbsolute(value)) continue;
    const beside = path.resolve(baseDir, value);
    if (!existsSync(beside)) continue;
    changed = { ...(changed ?? source), [key]: beside };
  }
  return changed ? { ...project, dataset: { ...project.dataset, source: changed as Project['dataset']['source'] } } : project;
}

export async function listProjectFiles(dir: string): Promise<ProjectFileEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const entries: ProjectFileEntry[] = [];
  for (const name of names) {
    if (!hasProjectExtension(name) || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    try {
      const st = await fs.stat(full);
      if (st.isFile()) entries.push({ path: full, name, modifiedMs: st.mtimeMs });
    } catch {
      // vanished between readdir and stat: not worth reporting
    }
  }
  return entries.sort((a, b) => b.modifiedMs - a.modifiedMs);
}

/**
 * The project file named on a command line (`neurowire model.neurowire`, or what the system passes on a
 * double-click), resolved against the folder it was given in; the last one wins. Options and the app's own
 * path are skipped.
 */
export function projectFileArgument(argv: readonly string[], workingDirectory: string): string | null {
  const file = argv
    .slice(1)
    .filter((a) => !a.startsWith('-') && hasProjectExtension(a))
    .at(-1);
  return file ? path.resolve(workingDirectory, file) : null;
}
