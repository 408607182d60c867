import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../main/node/engine';
import { emptyProject, serializeProject, type Project } from '../../main/core/project';
import { droppedFileKind, hasProjectExtension, projectFileName } from '../../main/core/projectFile';
import { projectFileArgument, saveProjectFile, listProjectFiles } from '../../main/node/projectFiles';
import { RecentProjects } from '../../main/node/recentProjects';
import type { AutosaveRestore, EngineEvents } from '../../main/core/api/contract';

/** Unsaved work survives a crash, a kill or a closed tab; declining it keeps it aside; projects open by name from outside the page. */

async function freshEngine(): Promise<{ engine: Engine; dataDir: string; events: { name: string; payload: unknown }[] }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-recovery-'));
  const engine = new Engine({ host: 'browser', dataDir });
  const events: { name: string; payload: unknown }[] = [];
  engine.onEvent((name, payload) => events.push({ name, payload }));
  return { engine, dataDir, events };
}

const named = (name: string): Project => ({ ...emptyProject(name), description: `the ${name} project` });
const restore = (engine: Engine) => engine.dispatch('project.restoreAutosave', {}) as Promise<AutosaveRestore>;

describe('crash recovery', () => {
  it('offers an edited, never-saved project after the session ended without saving, and restores it with its path', async () => {
    const { engine, dataDir } = await freshEngine();
    const file = path.join(dataDir, 'projects', 'net.neurowire');
    await engine.dispatch('project.save', { path: file, project: named('Net') });
    const edited = { ...named('Net'), description: 'edited after the save' };
    await engine.dispatch('project.autosave', { project: edited, path: file, dirty: true });
    // The process dies here: the next engine on the same folder finds the autosave.
    const next = new Engine({ host: 'browser', dataDir });
    const r = await restore(next);
    expect(r).toMatchObject({ unsaved: true, path: file, project: { name: 'Net', description: 'edited after the save' } });
    expect(r.savedMs).toBeGreaterThan(Date.now() - 60_000);
    // Restoring changes no file: the saved version is still the saved one.
    expect(JSON.parse(await fs.readFile(file, 'utf8')).description).toBe('the Net project');
  });

  it('does not offer anything when the autosave equals the saved file, and reopens that file as it is on disk', async () => {
    const { engine, dataDir } = await freshEngine();
    const file = path.join(dataDir, 'projects', 'net.neurowire');
    await engine.dispatch('project.save', { path: file, project: named('Net') });
    // Marked dirty, but the same as the file (an edit undone): nothing unsaved.
    await engine.dispatch('project.autosave', { project: named('Net'), path: file, dirty: true });
    expect(await restore(engine)).toMatchObject({ unsaved: false, path: file, project: { name: 'Net' } });
    // Saved and clean, then changed on disk by someone else: the file wins.
    await engine.dispatch('project.autosave', { project: named('Net'), path: file, dirty: false });
    await fs.writeFile(file, serializeProject(named('Changed elsewhere')));
    expect(await restore(engine)).toMatchObject({ unsaved: false, path: file, project: { name: 'Changed elsewhere' } });
  });

  it('a project never saved is unsaved work; one whose file has gone is too', async () => {
    const { engine, dataDir } = await freshEngine();
    await engine.dispatch('project.autosave', { project: named('Draft') });
    expect(await restore(engine)).toMatchObject({ unsaved: true, path: null, project: { name: 'Draft' } });
    const gone = path.join(dataDir, 'gone.neurowire');
    await engine.dispatch('project.autosave', { project: named('Draft'), path: gone, dirty: true });
    expect(await restore(engine)).toMatchObject({ unsaved: true, path: gone });
  });

  it('declining keeps the autosave aside as a project file that opens, and empties the slot; the saved file is untouched', async () => {
    const { engine, dataDir } = await freshEngine();
    const file = path.join(dataDir, 'projects', 'net.neurowire');
    await engine.dispatch('project.save', { path: file, project: named('Net') });
    const slot = path.join(dataDir, 'autosave.neurowire.json');
    const autosavedAt = new Date(2025, 2, 14, 9, 26, 53);
    await engine.dispatch('project.autosave', { project: { ...named('Net'), description: 'unsaved' }, path: file, dirty: true });
    await fs.utimes(slot, autosavedAt, autosavedAt);
    const first = (await engine.dispatch('project.setAutosaveAside', {})) as { path: string };
    expect(path.dirname(first.path)).toBe(path.join(dataDir, 'recovered'));
    expect(path.basename(first.path)).toBe('Net 2025-03-14 09-26-53.neurowire');
    expect(await restore(engine)).toMatchObject({ project: null, unsaved: false });
    const kept = (await engine.dispatch('project.open', { path: first.path })) as { project: Project };
    expect(kept.project.description).toBe('unsaved');
    expect(JSON.parse(await fs.readFile(file, 'utf8')).description).toBe('the Net project');
    // A second decline within the same second gets a name of its own: nothing is overwritten.
    await engine.dispatch('project.autosave', { project: { ...named('Net'), description: 'again' }, path: file, dirty: true });
    await fs.utimes(slot, autosavedAt, autosavedAt);
    const second = (await engine.dispatch('project.setAutosaveAside', {})) as { path: string };
    expect(path.basename(second.path)).toBe('Net 2025-03-14 09-26-53 2.neurowire');
    expect(JSON.parse(await fs.readFile(first.path, 'utf8')).description).toBe('unsaved');
    expect(JSON.parse(await fs.readFile(second.path, 'utf8')).description).toBe('again');
    expect(await engine.dispatch('project.setAutosaveAside', {})).toEqual({ path: null });
  });

  it('moves a damaged autosave aside instead of letting the next autosave overwrite it', async () => {
    const { engine, dataDir } = await freshEngine();
    await fs.writeFile(path.join(dataDir, 'autosave.neurowire.json'), '{"format":"neurowire-autosave","project":');
    expect(await restore(engine)).toMatchObject({ project: null });
    const recovered = await fs.readdir(path.join(dataDir, 'recovered'));
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatch(/^damaged-autosave .*\.json$/);
    expect(await fs.readFile(path.join(dataDir, 'recovered', recovered[0]), 'utf8')).toBe('{"format":"neurowire-autosave","project":');
  });

  it('reads an autosave written before records (a bare project) as the last session', async () => {
    const { engine, dataDir } = await freshEngine();
    await fs.writeFile(path.join(dataDir, 'autosave.neurowire.json'), JSON.stringify(named('Old')));
    expect(await restore(engine)).toMatchObject({ unsaved: false, path: null, project: { name: 'Old' } });
  });
});

describe('opening projects from outside the page', () => {
  it('queues requests until the page takes them, and tells it each time', async () => {
    const { engine, events } = await freshEngine();
    engine.requestOpen('/home/ada/a.neurowire');
    engine.requestOpen('relative.neurowire');
    expect(events.filter((e) => e.name === 'openRequested').map((e) => e.payload)).toEqual([{ count: 1 }, { count: 2 }]);
    expect(await engine.dispatch('project.takeOpenRequests', {})).toEqual({ paths: ['/home/ada/a.neurowire', path.resolve('relative.neurowire')] });
    expect(await engine.dispatch('project.takeOpenRequests', {})).toEqual({ paths: [] });
  });

  it('finds the project file on a command line, whatever else is there', () => {
    expect(projectFileArgument(['/opt/neurowire', '--inspect=0', 'models/mnist.neurowire'], '/home/ada')).toBe(path.resolve('/home/ada', 'models/mnist.neurowire'));
    expect(projectFileArgument(['electron', '.', 'old.neurowire.json'], '/w')).toBe(path.resolve('/w/old.neurowire.json'));
    expect(projectFileArgument(['/opt/neurowire', '.', 'a.txt', '--x.json', '.neurowire'], '/w')).toBeNull();
  });

  it('parses dropped contents as a project, naming the file in errors', async () => {
    const { engine } = await freshEngine();
    expect(await engine.dispatch('project.openContents', { name: 'net.neurowire', text: serializeProject(named('Net')) })).toMatchObject({ project: { name: 'Net' } });
    await expect(engine.dispatch('project.openContents', { name: 'net.neurowire', text: '{"format":' })).rejects.toMatchObject({
      code: 'project_file',
      message: expect.stringMatching(/^net\.neurowire is not a Neurowire project: it is not valid JSON/),
    });
    await expect(engine.dispatch('project.openContents', { name: 'photo.png', text: '' })).rejects.toMatchObject({ code: 'invalid_params', message: expect.stringMatching(/name — must be a project file/) });
    await expect(engine.dispatch('project.openContents', { name: 'big.neurowire', text: 'x'.repeat(50 * 1024 * 1024 + 1) })).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/text — is larger than 50 MB/),
    });
  });

  it('tells a dropped project from a dropped Keras or TensorFlow.js model', () => {
    expect(droppedFileKind('net.neurowire', null)).toBe('project');
    expect(droppedFileKind('net.neurowire.json', null)).toBe('project');
    expect(droppedFileKind('model.json', JSON.stringify({ format: 'layers-model', modelTopology: {} }))).toBe('model');
    expect(droppedFileKind('keras.json', JSON.stringify({ class_name: 'Sequential', config: {} }))).toBe('model');
    expect(droppedFileKind('p.json', serializeProject(named('P')))).toBe('project');
    expect(droppedFileKind('broken.json', '{')).toBe('project');
    expect(droppedFileKind('data.csv', 'a,b')).toBe('other');
    expect(droppedFileKind('model.h5', null)).toBe('model');
    expect(droppedFileKind('model.keras', null)).toBe('model');
  });
});

describe('project file names', () => {
  it('saves new projects as .neurowire; .neurowire.json and .json files still save, list and open', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-names-'));
    expect(projectFileName('My net: v2/3')).toBe('My net- v2-3.neurowire');
    expect(hasProjectExtension('a.NEUROWIRE')).toBe(true);
    expect(hasProjectExtension('.neurowire')).toBe(false);
    for (const name of ['a.neurowire', 'b.neurowire.json', 'c.json']) await saveProjectFile(path.join(dir, name), named(name));
    await expect(saveProjectFile(path.join(dir, 'notes.txt'), named('x'))).rejects.toThrow('Project files end in .neurowire (or .json); ');
    expect((await listProjectFiles(dir)).map((e) => e.name).sort()).toEqual(['a.neurowire', 'b.neurowire.json', 'c.json']);
  });
});

describe('Open Recent', () => {
  it('keeps the projects opened and saved, newest first, without duplicates, and tells the shell', async () => {
    const { engine, dataDir, events } = await freshEngine();
    const a = path.join(dataDir, 'a.neurowire');
    const b = path.join(dataDir, 'b.neurowire');
    await engine.dispatch('project.save', { path: a, project: named('A') });
    await engine.dispatch('project.save', { path: b, project: named('B') });
    await engine.dispatch('project.open', { path: a });
    expect((await engine.recent.list()).map((p) => p.name)).toEqual(['a.neurowire', 'b.neurowire']);
    const last = events.filter((e) => e.name === 'recentChanged').at(-1)!.payload as EngineEvents['recentChanged'];
    expect(last.projects.map((p) => p.path)).toEqual([a, b]);
    // Kept on disk: a new engine (the next launch) lists the same.
    expect((await new Engine({ host: 'browser', dataDir }).recent.list()).map((p) => p.path)).toEqual([a, b]);
  });

  it('drops files that have gone, and names them', async () => {
    const { engine, dataDir, events } = await freshEngine();
    const a = path.join(dataDir, 'a.neurowire');
    const b = path.join(dataDir, 'b.neurowire');
    await engine.dispatch('project.save', { path: a, project: named('A') });
    await engine.dispatch('project.save', { path: b, project: named('B') });
    await fs.rm(b);
    events.length = 0;
    expect(await engine.dispatch('project.recent', {})).toMatchObject({ projects: [{ path: a }], pruned: [b] });
    expect(events.map((e) => e.name)).toEqual(['recentChanged']);
    // Opening one that went missing since says so, and drops it.
    await fs.rm(a);
    await engine.recent.add(a);
    await expect(engine.dispatch('project.open', { path: a })).rejects.toThrow(/No project file at .*a\.neurowire\. It was removed from Open Recent\./);
    expect(await engine.recent.list()).toEqual([]);
  });

  it('holds at most ten, and reads a broken file as an empty list', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-recent-'));
    const recent = new RecentProjects(path.join(dir, 'recent.json'));
    await Promise.all(Array.from({ length: 12 }, (_, i) => recent.add(`/p/${i}.neurowire`, i)));
    const list = await recent.list();
    expect(list).toHaveLength(10);
    expect(list[0].path).toBe('/p/11.neurowire');
    await fs.writeFile(recent.file, '{"projects": [{"path": "relative.neurowire", "openedMs": 1}, 7]}');
    expect(await recent.list()).toEqual([]);
    await fs.writeFile(recent.file, 'not json');
    expect(await recent.list()).toEqual([]);
  });
});
