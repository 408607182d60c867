import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { RecentProject } from '../core/api/contract';
import { writeFileAtomic } from './projectFiles';

/** How many projects File → Open Recent lists. */
export const RECENT_LIMIT = 10;
export const RECENT_FILE = 'recent-projects.json';

/**
 * The projects opened or saved lately, newest first, kept in one small JSON file (the desktop app's user data
 * folder, or the data folder in browser mode). A broken file counts as an empty list; writes are queued so two
 * quick opens cannot interleave.
 */
export class RecentProjects {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly limit = RECENT_LIMIT,
  ) {}

  /** The list as stored (files that have gone missing included; see prune). */
  async list(): Promise<RecentProject[]> {
    await this.queue;
    return this.read();
  }

  /** Puts `file` first. */
  add(file: string, now = Date.now()): Promise<RecentProject[]> {
    const resolved = path.resolve(file);
    return this.update((list) => [{ path: resolved, name: path.basename(resolved), openedMs: now }, ...list.filter((p) => p.path !== resolved)]);
  }

  remove(file: string): Promise<RecentProject[]> {
    const resolved = path.resolve(file);
    return this.update((list) => list.filter((p) => p.path !== resolved));
  }

  clear(): Promise<RecentProject[]> {
    return this.update(() => []);
  }

  /** Drops the projects whose files are gone; returns the list left and the paths dropped (to tell the person). */
  async prune(): Promise<{ projects: RecentProject[]; pruned: string[] }> {
    let pruned: string[] = [];
    const projects = await this.update((list) => {
      pruned = list.filter((p) => !existsSync(p.path)).map((p) => p.path);
      return list.filter((p) => !pruned.includes(p.path));
    });
    return { projects, pruned };
  }

  private update(change: (list: RecentProject[]) => RecentProject[]): Promise<RecentProject[]> {
    const next = this.queue.then(async () => {
      const before = await this.read();
      const after = change(before).slice(0, this.limit);
      if (JSON.stringify(after) !== JSON.stringify(before)) await writeFileAtomic(this.file, JSON.stringify({ version: 1, projects: after }, null, 2));
      return after;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<RecentProject[]> {
    let doc: unknown;
    try {
      doc = JSON.parse(await fs.readFile(this.file, 'utf8'));
    } catch {
      return [];
    }
    const projects = (doc as { projects?: unknown } | null)?.projects;
    if (!Array.isArray(projects)) return [];
    return projects
      .filter((p): p is RecentProject => typeof p?.path === 'string' && path.isAbsolute(p.path) && typeof p.openedMs === 'number')
      .map((p) => ({ path: p.path, name: path.basename(p.path), openedMs: p.openedMs }))
      .slice(0, this.limit);
  }
}
