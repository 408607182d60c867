import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CURRENT_PROJECT_VERSION, emptyProject, parseProject, ProjectFileError, serializeProject, upgradeProject } from '../../main/core/project';
import { openProjectFile, saveProjectFile, listProjectFiles } from '../../main/node/projectFiles';

const templatePath = path.resolve(__dirname, '../../templates/mnist-mlp.json');

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-project-'));
}

describe('project file format', () => {
  it('reads the MNIST MLP template', async () => {
    const project = parseProject(await fs.readFile(templatePath, 'utf8'));
    expect(project.graph.nodes.map((n) => n.kind)).toEqual(['Input', 'Flatten', 'Dense', 'Dense']);
    expect(project.version).toBe(CURRENT_PROJECT_VERSION);
  });

  it('migrates a version 1 file (dataset named by id) to the current format', () => {
    const v1 = {
      format: 'neurowire-project',
      version: 1,
      name: 'Old',
      graph: { nodes: [], edges: [] },
      dataset: { id: 'mnist', validationFraction: 0.2, testFraction: 0.05, splitSeed: 9 },
      training: { epochs: 3, batchSize: 16, learningRate: 0.01, optimizer: 'sgd', seed: 5 },
    };
    const project = parseProject(JSON.stringify(v1));
    expect(project.version).toBe(CURRENT_PROJECT_VERSION);
    expect(project.dataset).toMatchObject({ source: { type: 'builtin', name: 'mnist' }, validationFraction: 0.2, testFraction: 0.05, splitSeed: 9, stratify: false });
    expect(project.training).toMatchObject({ epochs: 3, optimizer: 'sgd', momentum: 0, schedule: { type: 'constant' }, earlyStopping: { enabled: false } });
  });

  it('round-trips through serialize and parse unchanged', async () => {
    const project = parseProject(await fs.readFile(templatePath, 'utf8'));
    expect(parseProject(serializeProject(project))).toEqual(project);
  });

  it.each([
    ['{ not json', /not valid JSON/],
    ['[]', /expected a JSON object/],
    ['{"format":"something-else","version":1}', /"format" field is "something-else"/],
    [JSON.stringify({ ...emptyProject(), version: CURRENT_PROJECT_VERSION + 1 }), /newer Neurowire.*Update Neurowire/],
    [JSON.stringify({ ...emptyProject(), version: 'one' }), /invalid "version"/],
    [JSON.stringify({ ...emptyProject(), training: { epochs: 0, batchSize: 32, learningRate: 0.001, optimizer: 'adam', seed: 1 } }), /training\.epochs: Epochs must be at least 1/],
    [JSON.stringify({ ...emptyProject(), graph: { nodes: [{ id: 'a', kind: 'Dense', name: '1bad', params: {}, position: { x: 0, y: 0 } }], edges: [] } }), /graph\.nodes\.0\.name/],
  ])('rejects %s with a message saying what is wrong', (text, message) => {
    expect(() => parseProject(text, 'test.json')).toThrow(ProjectFileError);
    expect(() => parseProject(text, 'test.json')).toThrow(message);
  });

  it('rejects dangling connections and duplicate names', () => {
    const base = emptyProject();
    const node = (id: string, name: string) => ({ id, kind: 'Dense', name, params: {}, position: { x: 0, y: 0 } });
    const dangling = { ...base, graph: { nodes: [node('a', 'dense_1')], edges: [{ id: 'e', source: 'a', target: 'ghost' }] } };
    expect(() => parseProject(JSON.stringify(dangling))).toThrow(/connection "e" refers to a layer that does not exist \(ghost\)/);
    const dupes = { ...base, graph: { nodes: [node('a', 'dense_1'), node('b', 'dense_1')], edges: [] } };
    expect(() => parseProject(JSON.stringify(dupes))).toThrow(/two layers share the name "dense_1"/);
  });
});

describe('project files on disk', () => {
  it('saves atomically and opens the same project', async () => {
    const dir = await tempDir();
    const project = parseProject(await fs.readFile(templatePath, 'utf8'));
    const saved = await saveProjectFile(path.join(dir, 'a.neurowire.json'), project);
    expect(await openProjectFile(saved)).toEqual(project);
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await listProjectFiles(dir)).map((e) => e.name)).toEqual(['a.neurowire.json']);
  });

  it('refuses to save over a file that is not a project file', async () => {
    const dir = await tempDir();
    await expect(saveProjectFile(path.join(dir, 'notes.txt'), emptyProject())).rejects.toThrow(/end in \.neurowire \(or \.json\)/);
  });

  it('leaves a malformed file untouched and names it in the error', async () => {
    const dir = await tempDir();
    const bad = path.join(dir, 'broken.json');
    await fs.writeFile(bad, '{"format":"neurowire-project","version":1,"name":');
    await expect(openProjectFile(bad)).rejects.toThrow(/broken\.json is not a Neurowire project: it is not valid JSON/);
    expect(await fs.readFile(bad, 'utf8')).toBe('{"format":"neurowire-project","version":1,"name":');
  });

  it('says when there is no file', async () => {
    await expect(openProjectFile('/nonexistent/x.json')).rejects.toThrow(/No project file at/);
  });
});

describe('project file errors never echo the file', () => {
  it('says a non-JSON file is not a project without quoting it, with the line when the parser knows it', () => {
    expect(() => parseProject('root:x:0:0:secret-hash:19000:0:99999:7:::', '/etc/shadow')).toThrow(ProjectFileError);
    try {
      parseProject('root:x:0:0:secret-hash:19000:0:99999:7:::', '/etc/shadow');
    } catch (e) {
      expect((e as Error).message).toBe('/etc/shadow is not a Neurowire project: it is not valid JSON.');
    }
    expect(() => parseProject('{"a": 1,\n "b" 2}', 'p.json')).toThrow('p.json is not a Neurowire project: it is not valid JSON (line 2, column 6).');
    expect(() => parseProject('  ', 'p.json')).toThrow('(the file is empty)');
  });

  it('shows field values short and printable, and survives values JSON cannot hold (BigInt over IPC)', () => {
    const long = `\u0007\u001b[2J${'x'.repeat(100)}`;
    let message = '';
    try {
      parseProject(JSON.stringify({ format: long, version: 1 }), 'p.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('"format" field is');
    expect([...message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
    expect(message.length).toBeLessThan(200);
    expect(() => upgradeProject({ format: 10n, version: 1 }, 'ipc')).toThrow(ProjectFileError);
    expect(() => upgradeProject({ format: 'neurowire-project', version: 2n }, 'ipc')).toThrow('invalid "version" field: a big integer');
  });
});

describe('temporary files a killed save left behind', () => {
  it('are removed when the engine starts, except young ones another instance may still be writing', async () => {
    const { Engine } = await import('../../main/node/engine');
    const { ORPHAN_AGE_MS, writeFileAtomic } = await import('../../main/node/projectFiles');
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-orphans-'));
    const old = new Date(Date.now() - 2 * ORPHAN_AGE_MS);
    const orphans = [
      path.join(dataDir, '.autosave.neurowire.json.0123456789ab.tmp'),
      path.join(dataDir, 'projects', '.mine.neurowire.json.abcdefabcdef.tmp'),
      path.join(dataDir, 'runs', 'run-1', '.summary.json.00ff00ff00ff.tmp'),
      path.join(dataDir, 'runs', 'run-1', 'checkpoints', '.epoch-2.a1b2c3d4e5f6.tmp'),
    ];
    const young = path.join(dataDir, 'projects', '.other.neurowire.json.999999999999.tmp');
    const kept = [path.join(dataDir, 'projects', 'mine.neurowire.json'), path.join(dataDir, 'projects', '.hidden-but-mine.json')];
    for (const file of [...orphans, young, ...kept]) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'x');
    }
    for (const file of [...orphans, ...kept]) await fs.utimes(file, old, old);
    const engine = new Engine({ host: 'browser', dataDir });
    try {
      expect(await engine.tidied).toBe(orphans.length);
      for (const file of orphans) await expect(fs.stat(file)).rejects.toThrow();
      for (const file of [young, ...kept]) await expect(fs.stat(file)).resolves.toBeDefined();
    } finally {
      await engine.dispose();
    }
    // An atomic write leaves only its target behind.
    await writeFileAtomic(path.join(dataDir, 'projects', 'new.json'), 'data');
    expect((await fs.readdir(path.join(dataDir, 'projects'))).filter((n) => n.endsWith('.tmp'))).toEqual([young].map((f) => path.basename(f)));
  });
});
