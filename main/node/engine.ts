import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { api, isApiMethod, type ApiMethod, type ApiParsedParams, type ApiResult, type EngineEvents, type EngineInfo, type TemplateInfo, type ComputeChoice, type AutosaveRestore, type QuantizationChoice } from '../core/api/contract';
import { KerasImportError } from '../core/import/kerasConfig';
import { parseProject, ProjectFileError, datasetKey, describeValue, type Project } from '../core/project';
import { saveProjectFile, openProjectFile, listProjectFiles, removeOrphanedTempFiles, withDataBeside } from './projectFiles';
import { readAutosave, setAutosaveAside, writeAutosave, RECOVERED_DIR } from './autosave';
import { RecentProjects, RECENT_FILE } from './recentProjects';
import { inspectDataset, listDatasets, openDataset, readCsvColumns } from './datasets';
import { analyzeGraph } from '../core/graph/analyze';
import { targetOf, type DatasetInfo } from '../core/datasets';
import { selectBackend } from './backend';
import { startTraining, type TrainingRun, type TrainingResult } from './training/run';
import { RunStore, RunStoreError, checkRunId, CHECKPOINTS_DIR } from './runs';
import { startRecordedTraining } from './recordedTraining';
import { exportTrainedModel } from './export';
import { importModelFile, importModelFiles } from './modelImport';
import { quantizationPreview } from './quantizedExport';
import type { Quantization } from '../core/quantize';
import { ComputeBridge, ComputeBridgeError, type ComputeHost } from './computeBridge';
import { predictSample } from './predict';
import { SampleError } from '../core/preprocess';
import { describeModelInputs, modelMetadataOf } from '../core/prediction';
import { compareSources, CompareSourceError } from './compareSources';
import { InsideViewer } from './inside';
import { buildRunModel, readRunModel, RunModels, type RunModel, type SavedRunModel } from './runModel';

export interface EngineOptions {
  host: 'electron' | 'browser';
  /** Where projects, exports and the autosave live. Defaults to ~/Neurowire. */
  dataDir?: string;
  templatesDir?: string;
  /** Native file dialogs, supplied by the desktop shell. */
  pickPath?: (purpose: import('../core/api/contract').PickPathPurpose, defaultPath?: string) => Promise<string | null>;
  /** The desktop app's hidden GPU compute window (electron/computeWindow.ts); browser mode has none (the page computes). */
  computeHost?: ComputeHost;
  /** Where File → Open Recent is kept; defaults to <dataDir>/recent-projects.json (the desktop app uses its user data folder). */
  recentProjectsFile?: string;
  /** The memory the editor sizes networks against (engine.info); defaults to this machine's. */
  memoryBytes?: number;
}

/** An error whose message is meant for the person at the screen, with a stable code for the UI. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** `cause`: the error a handler threw, kept for logs when it is not one of the engine's own. */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

interface RunRecord {
  project: Project;
  run: TrainingRun;
  result?: TrainingResult;
  /** Settles when the run's end is written to the run history. */
  persisted?: Promise<void>;
}

/** A template as the gallery lists it; the parameter count is the canvas's, for the template's own dataset. */
export function templateInfo(id: string, project: Project, datasets: readonly DatasetInfo[]): TemplateInfo {
  const key = datasetKey(project.dataset.source);
  const dataset = datasets.find((d) => d.id === key);
  const { graph } = project;
  const layers = graph.nodes.map((n) => n.kind).join(' → ');
  return {
    id,
    name: project.name,
    description: project.description ?? `${layers} on ${key}`,
    dataset: { key, name: dataset?.name ?? key },
    parameters: analyzeGraph(graph, dataset ? targetOf(dataset) : undefined).totalParams,
    graph: {
      nodes: graph.nodes.map(({ id: nodeId, kind, name, position }) => ({ id: nodeId, kind, name, position })),
      edges: graph.edges.map(({ source, target }) => ({ source, target })),
    },
  };
}

/** A handler per contract method: parsed params in, the contract's result out. */
export type EngineHandlers = { [M in ApiMethod]: (params: ApiParsedParams<M>) => ApiResult<M> | Promise<ApiResult<M>> };

type Listener = <E extends keyof EngineEvents>(event: E, payload: EngineEvents[E]) => void;

/** How many finished runs keep their trained weights in memory for export. */
const KEPT_RUNS = 3;

export function defaultDataDir(): string {
  return process.env.NEUROWIRE_HOME ?? path.join(os.homedir(), 'Neurowire');
}

export function defaultTemplatesDir(): string {
  // Works from TS sources (main/node) and from the build (dist/main/node).
  const candidates = [path.resolve(__dirname, '../../templates'), path.resolve(__dirname, '../../../templates')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

/**
 * The engine behind the API contract. Electron IPC and the WebSocket server both hand it raw
 * (untrusted) calls; every call's params are validated here against the contract's schemas.
 */
export class Engine {
  readonly dataDir: string;
  readonly templatesDir: string;
  private readonly listeners = new Set<Listener>();
  private readonly runs = new Map<string, RunRecord>();
  private activeRunId: string | null = null;
  private backendInfo: Promise<EngineInfo['backend']> | null = null;
  /** Run history on disk, <dataDir>/runs. */
  readonly runStore: RunStore;
  /** Browser-GPU runs (WebGPU / WebGL in a Chromium page); the server's /compute routes use it too. */
  readonly compute: ComputeBridge;
  /** Settles once the temporary files a killed process left behind are removed (how many were). */
  readonly tidied: Promise<number>;
  /** File → Open Recent: every project opened or saved by path. */
  readonly recent: RecentProjects;
  /** Project files asked to open from outside the page, until the page takes them. */
  private openRequests: string[] = [];
  /** Look inside a run's model (runs.activations). */
  private readonly inside: InsideViewer;
  /** Runs' trained models, built once for Try and Inside (the last few kept). */
  readonly models: RunModels;

  constructor(private readonly options: EngineOptions) {
    this.dataDir = path.resolve(options.dataDir ?? defaultDataDir());
    this.templatesDir = path.resolve(options.templatesDir ?? defaultTemplatesDir());
    this.runStore = new RunStore(path.join(this.dataDir, 'runs'));
    this.compute = new ComputeBridge({ host: options.computeHost ?? null, emitCommand: (e) => this.emit('compute', e) });
    this.tidied = this.removeOrphanedTempFiles().catch(() => 0);
    this.recent = new RecentProjects(options.recentProjectsFile ?? path.join(this.dataDir, RECENT_FILE));
    this.models = new RunModels(this.runStore);
    this.inside = new InsideViewer(this.models);
  }

  /**
   * Asks the page to open a project file (a double-click, the command line, a second launch, Open Recent). The
   * request waits until the page takes it, so one made before the page has loaded is not lost; the page opens it
   * as File → Open does, asking first about unsaved changes.
   */
  requestOpen(file: string): void {
    this.openRequests.push(path.resolve(file));
    this.emit('openRequested', { count: this.openRequests.length });
  }

  /** Remembers a project file in Open Recent, and tells the shell (its menu) and the page. */
  private async rememberRecent(file: string): Promise<void> {
    try {
      this.emit('recentChanged', { projects: await this.recent.add(file) });
    } catch {
      // Open Recent is a convenience: a read-only user folder must not fail the open or save itself
    }
  }

  /** Opens a project file; one that has gone missing leaves Open Recent, and the error says so. */
  private async openProject(file: string): Promise<{ path: string; project: Project }> {
    const resolved = path.resolve(file);
    try {
      const project = await openProjectFile(resolved);
      await this.rememberRecent(resolved);
      return { path: resolved, project };
    } catch (e) {
      if (e instanceof ProjectFileError && !existsSync(resolved) && (await this.recent.list()).some((p) => p.path === resolved)) {
        this.emit('recentChanged', { projects: await this.recent.remove(resolved) });
        throw new ProjectFileError(`${e.message} It was removed from Open Recent.`);
      }
      throw e;
    }
  }

  /** Where the app writes atomically: the data folder, projects, and every run's folder and checkpoints. */
  private async removeOrphanedTempFiles(): Promise<number> {
    const runsDir = path.join(this.dataDir, 'runs');
    const runDirs = (await fs.readdir(runsDir).catch(() => [] as string[])).map((id) => path.join(runsDir, id));
    return removeOrphanedTempFiles([this.dataDir, this.projectsDir, this.recoveredDir, runsDir, ...runDirs, ...runDirs.map((d) => path.join(d, CHECKPOINTS_DIR))]);
  }

  get projectsDir(): string {
    return path.join(this.dataDir, 'projects');
  }
  get exportsDir(): string {
    return path.join(this.dataDir, 'exports');
  }
  get autosavePath(): string {
    return path.join(this.dataDir, 'autosave.neurowire.json');
  }
  /** Where autosaves a person declined to restore are kept, as project files. */
  get recoveredDir(): string {
    return path.join(this.dataDir, RECOVERED_DIR);
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends keyof EngineEvents>(event: E, payload: EngineEvents[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // one broken listener (a closed socket) must not stop the others
      }
    }
  }

  /** Validates and runs one call. Throws EngineError with a message for the person. */
  async dispatch(method: string, rawParams: unknown): Promise<unknown> {
    if (!isApiMethod(method)) throw new EngineError(`Unknown engine call "${method}".`, 'unknown_method');
    const parsed = api[method].params.safeParse(rawParams ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineError(`Invalid request to ${method}: ${issue.path.join('.') || 'params'} — ${issue.message}`, 'invalid_params');
    }
    try {
      // The schema of `method` parsed these params, so they are that method's (TypeScript cannot correlate the two).
      const handler = this.handlers[method] as (params: unknown) => unknown;
      return await handler(parsed.data);
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (e instanceof ComputeBridgeError) throw new EngineError(e.message, e.code);
      if (e instanceof ProjectFileError) throw new EngineError(e.message, 'project_file');
      if (e instanceof KerasImportError) throw new EngineError(e.message, 'model_file');
      if (e instanceof RunStoreError) throw new EngineError(e.message, e.code);
      if (e instanceof SampleError) throw new EngineError(e.message, 'bad_sample');
      if (e instanceof CompareSourceError) throw new EngineError(e.message, 'compare_source');
      throw new EngineError((e as Error).message ?? String(e), 'failed', { cause: e });
    }
  }

  /**
   * One handler per contract method, typed by the contract: params as its zod schema parsed them, the
   * result as the contract declares it. A missing method or a wrong result type fails the type check.
   */
  private readonly handlers: EngineHandlers = {
    'engine.info': () => this.info(),
    'datasets.list': () => listDatasets(),
    'templates.list': () => this.listTemplates(),
    'templates.get': (p) => this.readTemplate(p.id),
    'project.save': async (p) => {
      const saved = await saveProjectFile(p.path, p.project);
      await this.rememberRecent(saved);
      return { path: saved };
    },
    'project.open': (p) => this.openProject(p.path),
    'project.list': () => listProjectFiles(this.projectsDir),
    'project.autosave': async (p) => {
      await writeAutosave(this.autosavePath, { project: p.project, path: p.path ? path.resolve(p.path) : null, dirty: p.dirty ?? true });
      return { path: this.autosavePath };
    },
    'project.restoreAutosave': () => this.restoreAutosave(),
    'project.setAutosaveAside': async () => ({ path: await setAutosaveAside(this.autosavePath, this.recoveredDir) }),
    'project.openContents': (p) => ({ project: parseProject(p.text, p.name) }),
    'model.import': (p) => importModelFiles(p.name, p.files, path.join(this.dataDir, 'imported')),
    'model.importFile': (p) => importModelFile(path.resolve(p.path), path.join(this.dataDir, 'imported')),
    'project.takeOpenRequests': () => {
      const paths = this.openRequests;
      this.openRequests = [];
      return { paths };
    },
    'project.recent': async () => {
      const r = await this.recent.prune();
      if (r.pruned.length) this.emit('recentChanged', { projects: r.projects });
      return r;
    },
    'training.start': (p) => this.startRun(p.project, p.compute),
    'training.report': (p) => this.compute.report(p.runId, p),
    'training.stop': (p) => this.stopRun(p.runId),
    'training.pause': (p) => ({ paused: this.pauseOrResumeRun(p.runId, 'pause') }),
    'training.resume': (p) => ({ resumed: this.pauseOrResumeRun(p.runId, 'resume') }),
    'dialog.pickPath': async (p) => {
      if (!this.options.pickPath) throw new EngineError('File dialogs are only available in the desktop app.', 'unsupported');
      return { path: await this.options.pickPath(p.purpose, p.defaultPath) };
    },
    'export.run': (p) => this.exportRun(p.runId, p.dir, p.quantize),
    'export.quantizationPreview': (p) => this.quantizationPreview(p.runId),
    'model.inputs': (p) =>
      this.withRunModel(p.runId, 'try', ({ project, artifacts }) => describeModelInputs(modelMetadataOf(artifacts.userDefinedMetadata), { runId: p.runId, projectName: project.name })),
    'model.predict': (p) => this.withRunModel(p.runId, 'try', (m) => predictSample(m, p.sample)),
    'diff.compare': (p) => compareSources(p.a, p.b, { runs: this.runStore, templatesDir: this.templatesDir }),
    'datasets.columns': (p) => readCsvColumns(p.path, p.delimiter),
    'datasets.inspect': (p) => inspectDataset(p.source),
    'runs.list': () => this.runStore.list(),
    'runs.get': (p) => this.runStore.get(p.runId),
    'runs.delete': (p) => this.deleteRun(p.runId),
    'runs.norms': async (p) => ({ runId: p.runId, points: await this.runStore.norms(p.runId) }),
    'runs.activations': (p) => this.inside.activations(p.runId, p.index),
  };

  async info(): Promise<EngineInfo> {
    this.backendInfo ??= selectBackend().then((b) => b.info);
    return {
      version: '0.1.0',
      host: this.options.host,
      backend: await this.backendInfo,
      projectsDir: this.projectsDir,
      exportsDir: this.exportsDir,
      browserGpu: await this.compute.probe(),
      memoryBytes: this.options.memoryBytes ?? os.totalmem(),
    };
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    const names = (await fs.readdir(this.templatesDir)).filter((n) => n.endsWith('.json')).sort();
    const datasets = listDatasets();
    const out: TemplateInfo[] = [];
    for (const name of names) {
      const project = parseProject(await fs.readFile(path.join(this.templatesDir, name), 'utf8'), name);
      out.push(templateInfo(name.replace(/\.json$/, ''), project, datasets));
    }
    return out;
  }

  async readTemplate(id: string): Promise<Project> {
    const file = path.join(this.templatesDir, `${id}.json`);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      throw new EngineError(`There is no template ${describeValue(id)}.`, 'not_found');
    }
    // A template's data (a small CSV under templates/data/) is named relative to the templates folder.
    return withDataBeside(parseProject(text, `template ${id}`), this.templatesDir);
  }

  private async restoreAutosave(): Promise<AutosaveRestore> {
    const state = await readAutosave(this.autosavePath, this.recoveredDir);
    if (state.kind === 'none') return { project: null, savedMs: null, path: null, unsaved: false };
    return { project: state.project, savedMs: state.savedMs, path: state.path, unsaved: state.kind === 'unsaved' };
  }

  private async startRun(project: Project, compute: ComputeChoice = 'node'): Promise<{ runId: string; compute: 'node' | 'browser-gpu' }> {
    if (this.activeRunId) {
      throw new EngineError('A training run is already in progress. Stop it before starting another.', 'busy');
    }
    const where = compute === 'auto' ? await this.autoCompute() : compute;
    // Training needs the memory more than kept models do (and a resumed run trains on under its id).
    this.models.clear();
    this.inside.dispose();
    if (this.activeRunId) throw new EngineError('A training run is already in progress. Stop it before starting another.', 'busy');
    // Run history: every event is recorded; 'done' goes out once the run's end is on disk, so runs.list agrees with it.
    const { run, persisted } = startRecordedTraining(
      this.runStore,
      project,
      (onEvent, onCheckpoint) => (where === 'browser-gpu' ? this.compute.start(project, onEvent) : startTraining(project, onEvent, { onCheckpoint })),
      { emit: (e) => this.emit('training', e) },
    );
    const record: RunRecord = { project, run, persisted };
    this.runs.set(run.runId, record);
    this.activeRunId = run.runId;
    run.done
      .then((result) => {
        record.result = result;
      })
      .catch((e: Error) => {
        record.result = { status: 'failed', error: e.message, epochsCompleted: 0, history: [] };
      })
      .finally(() => {
        if (this.activeRunId === run.runId) this.activeRunId = null;
        this.forgetOldRuns();
      });
    return { runId: run.runId, compute: where };
  }

  /** 'auto': the browser GPU where Node has no CUDA and the desktop app's compute window has a GPU backend. */
  private async autoCompute(): Promise<'node' | 'browser-gpu'> {
    const [{ backend }, gpu] = await Promise.all([this.info(), this.compute.probe()]);
    return backend.name !== 'tensorflow' || !/gpu|cuda/i.test(backend.device) ? (gpu?.available ? 'browser-gpu' : 'node') : 'node';
  }

  private forgetOldRuns(): void {
    const ids = [...this.runs.keys()];
    for (const id of ids.slice(0, Math.max(0, ids.length - KEPT_RUNS))) this.runs.delete(id);
  }

  private stopRun(runId: string): { stopping: boolean } {
    const record = this.runs.get(runId);
    if (!record) throw new EngineError(`No training run ${describeValue(runId)}.`, 'not_found');
    if (record.result) return { stopping: false };
    record.run.stop();
    return { stopping: true };
  }

  /** Pause / resume take effect between batches; the run then sends a `state` event. False when nothing changed. */
  private pauseOrResumeRun(runId: string, what: 'pause' | 'resume'): boolean {
    const record = this.runs.get(runId);
    if (!record) throw new EngineError(`No training run ${describeValue(runId)}.`, 'not_found');
    if (record.result) return false;
    return what === 'pause' ? record.run.pause() : record.run.resume();
  }

  /** Resolves when the run has finished (used by the CLI and tests). */
  async waitForRun(runId: string): Promise<TrainingResult> {
    const record = this.runs.get(runId);
    if (!record) throw new EngineError(`No training run ${describeValue(runId)}.`, 'not_found');
    const result = await record.run.done;
    await record.persisted;
    return result;
  }

  /** Exports a run's model from the run history on disk (its model, or its best checkpoint; else one kept in memory). */
  private async exportRun(runId: string, dir?: string, quantize?: Quantization): Promise<{ dir: string; files: string[] }> {
    const { project, artifacts } = await this.savedRunModel(runId, 'export');
    const safeName = project.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'model';
    const target = path.resolve(dir ?? path.join(this.exportsDir, `${safeName}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
    return exportTrainedModel({ project, artifacts, dir: target, ...(quantize ? { quantize } : {}) });
  }

  /** Each quantization's weight size and test result, on the run's dataset read again (the same seeded test split). */
  private async quantizationPreview(runId: string): Promise<{ choices: QuantizationChoice[] }> {
    const { project, artifacts } = await this.savedRunModel(runId, 'export');
    const data = await openDataset(project.dataset);
    return { choices: await quantizationPreview(project, artifacts, data) };
  }

  /** A run of this session, waited for until its end is on disk (Try refuses one still training); undefined for others. */
  private async finishedRecord(runId: string, purpose: 'export' | 'try'): Promise<{ record: RunRecord; result: TrainingResult } | undefined> {
    checkRunId(runId);
    const record = this.runs.get(runId);
    if (!record) return undefined;
    if (purpose === 'try' && !record.result) throw new EngineError(`Run ${runId} is still training; try its model once it has finished.`, 'busy');
    const result = record.result ?? (await record.run.done);
    await record.persisted;
    return { record, result };
  }

  /**
   * A run's saved model when the run history cannot give it: a run of this session whose model could not be written
   * to disk still has it in memory. Otherwise the store's error, said for the person.
   */
  private inMemoryModel(runId: string, purpose: 'export' | 'try', e: unknown, finished?: { record: RunRecord; result: TrainingResult }): SavedRunModel {
    if (!(e instanceof RunStoreError)) throw e;
    if (!finished) {
      if (e.code === 'not_found') throw new EngineError(`No training run ${describeValue(runId)}.`, 'not_found');
      throw e;
    }
    const { record, result } = finished;
    if (!result.artifacts) throw new EngineError(`Run ${runId} has no trained model to ${purpose}${result.error ? ` (${result.error})` : ''}.`, 'no_model');
    return { runId, project: record.project, artifacts: result.artifacts };
  }

  /** A run's project and saved model, for export: from the run history on disk (its model, or its best checkpoint). */
  private async savedRunModel(runId: string, purpose: 'export' | 'try'): Promise<SavedRunModel> {
    const finished = await this.finishedRecord(runId, purpose);
    try {
      return await readRunModel(this.runStore, runId);
    } catch (e) {
      return this.inMemoryModel(runId, purpose, e, finished);
    }
  }

  /** Runs `fn` with a run's trained model, kept by RunModels (one that is only in memory is built for this call). */
  private async withRunModel<T>(runId: string, purpose: 'try', fn: (m: RunModel) => Promise<T> | T): Promise<T> {
    const finished = await this.finishedRecord(runId, purpose);
    let saved: SavedRunModel;
    try {
      return await this.models.use(runId, fn);
    } catch (e) {
      saved = this.inMemoryModel(runId, purpose, e, finished);
    }
    const m = await buildRunModel(saved);
    try {
      return await fn(m);
    } finally {
      m.model.dispose();
    }
  }

  /** Removes a finished run from the history (and from memory); a run still training is refused. */
  private async deleteRun(runId: string): Promise<{ deleted: boolean }> {
    checkRunId(runId);
    if (this.activeRunId === runId || this.runStore.isActive(runId)) {
      throw new EngineError(`Run ${runId} is still training; stop it before deleting it.`, 'busy');
    }
    this.runs.delete(runId);
    this.models.forget(runId);
    return { deleted: await this.runStore.delete(runId) };
  }

  /** Stops any training; called on app quit. */
  async dispose(): Promise<void> {
    this.compute.disposeAll();
    this.inside.dispose();
    this.models.clear();
    if (this.activeRunId) {
      const record = this.runs.get(this.activeRunId);
      record?.run.stop();
      await record?.run.done.catch(() => undefined);
      await record?.persisted;
    }
    this.listeners.clear();
  }
}
