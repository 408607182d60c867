import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { api, isApiMethod, type ApiMethod, type ApiParsedParams, type ApiResult, type EngineEvents, type EngineInfo, type TemplateInfo, type TrainingEvent, type ComputeChoice } from '../core/api/contract';
import { parseProject, ProjectFileError, datasetKey, type Project } from '../core/project';
import { saveProjectFile, openProjectFile, listProjectFiles, writeFileAtomic, removeOrphanedTempFiles, withDataBeside } from './projectFiles';
import { inspectDataset, listDatasets, readCsvColumns } from './datasets';
import { analyzeGraph } from '../core/graph/analyze';
import { targetOf, type DatasetInfo } from '../core/datasets';
import { selectBackend } from './backend';
import { startTraining, type TrainingRun, type TrainingResult, type StartTrainingOptions } from './training/run';
import { RunStore, RunStoreError, RunRecorder, checkRunId, CHECKPOINTS_DIR, type CheckpointHandler } from './runs';
import { exportTrainedModel } from './export';
import { ComputeBridge, ComputeBridgeError, type ComputeHost } from './computeBridge';

export interface EngineOptions {
  host: 'electron' | 'browser';
  /** Where projects, exports and the autosave live. Defaults to ~/Neurowire. */
  dataDir?: string;
  templatesDir?: string;
  /** Native file dialogs, supplied by the desktop shell. */
  pickPath?: (purpose: import('../core/api/contract').PickPathPurpose, defaultPath?: string) => Promise<string | null>;
  /** The desktop app's hidden GPU compute window (electron/computeWindow.ts); browser mode has none (the page computes). */
  computeHost?: ComputeHost;
  /** The memory the editor sizes networks against (engine.info); defaults to this machine's. */
  memoryBytes?: number;
}

/** An error whose message is meant for the person at the screen, with a stable code for the UI. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
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

  constructor(private readonly options: EngineOptions) {
    this.dataDir = path.resolve(options.dataDir ?? defaultDataDir());
    this.templatesDir = path.resolve(options.templatesDir ?? defaultTemplatesDir());
    this.runStore = new RunStore(path.join(this.dataDir, 'runs'));
    this.compute = new ComputeBridge({ host: options.computeHost ?? null, emitCommand: (e) => this.emit('compute', e) });
    this.tidied = this.removeOrphanedTempFiles().catch(() => 0);
  }

  /** Where the app writes atomically: the data folder, projects, and every run's folder and checkpoints. */
  private async removeOrphanedTempFiles(): Promise<number> {
    const runsDir = path.join(this.dataDir, 'runs');
    const runDirs = (await fs.readdir(runsDir).catch(() => [] as string[])).map((id) => path.join(runsDir, id));
    return removeOrphanedTempFiles([this.dataDir, this.projectsDir, runsDir, ...runDirs, ...runDirs.map((d) => path.join(d, CHECKPOINTS_DIR))]);
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
      if (e instanceof RunStoreError) throw new EngineError(e.message, e.code);
      throw new EngineError((e as Error).message ?? String(e), 'failed');
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
    'project.save': async (p) => ({ path: await saveProjectFile(p.path, p.project) }),
    'project.open': async (p) => ({ path: path.resolve(p.path), project: await openProjectFile(p.path) }),
    'project.list': () => listProjectFiles(this.projectsDir),
    'project.autosave': async (p) => {
      await writeFileAtomic(this.autosavePath, JSON.stringify(p.project));
      return { path: this.autosavePath };
    },
    'project.restoreAutosave': () => this.restoreAutosave(),
    'training.start': (p) => this.startRun(p.project, p.compute),
    'training.report': (p) => this.compute.report(p.runId, p),
    'training.stop': (p) => this.stopRun(p.runId),
    'training.pause': (p) => ({ paused: this.pauseOrResumeRun(p.runId, 'pause') }),
    'training.resume': (p) => ({ resumed: this.pauseOrResumeRun(p.runId, 'resume') }),
    'dialog.pickPath': async (p) => {
      if (!this.options.pickPath) throw new EngineError('File dialogs are only available in the desktop app.', 'unsupported');
      return { path: await this.options.pickPath(p.purpose, p.defaultPath) };
    },
    'export.run': (p) => this.exportRun(p.runId, p.dir),
    'datasets.columns': (p) => readCsvColumns(p.path, p.delimiter),
    'datasets.inspect': (p) => inspectDataset(p.source),
    'runs.list': () => this.runStore.list(),
    'runs.get': (p) => this.runStore.get(p.runId),
    'runs.delete': (p) => this.deleteRun(p.runId),
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
      throw new EngineError(`There is no template "${id}".`, 'not_found');
    }
    // A template's data (a small CSV under templates/data/) is named relative to the templates folder.
    return withDataBeside(parseProject(text, `template ${id}`), this.templatesDir);
  }

  private async restoreAutosave(): Promise<{ project: Project | null; savedMs: number | null }> {
    try {
      const st = await fs.stat(this.autosavePath);
      const project = parseProject(await fs.readFile(this.autosavePath, 'utf8'), 'autosave');
      return { project, savedMs: st.mtimeMs };
    } catch {
      // No autosave yet, or it is damaged: start fresh rather than fail to start.
      return { project: null, savedMs: null };
    }
  }

  private async startRun(project: Project, compute: ComputeChoice = 'node'): Promise<{ runId: string; compute: 'node' | 'browser-gpu' }> {
    if (this.activeRunId) {
      throw new EngineError('A training run is already in progress. Stop it before starting another.', 'busy');
    }
    const where = compute === 'auto' ? await this.autoCompute() : compute;
    if (this.activeRunId) throw new EngineError('A training run is already in progress. Stop it before starting another.', 'busy');
    // Run history: every event is recorded; 'done' goes out once the run's end is on disk, so runs.list agrees with it.
    // Assigned once the run (and its id) exists; the event callback below may already be called before that.
    // eslint-disable-next-line prefer-const -- a const cannot be read by the callback before it is initialized
    let recorder: RunRecorder | undefined;
    let heldDone: TrainingEvent | undefined;
    const onEvent = (e: TrainingEvent) => {
      recorder?.event(e);
      if (e.type === 'done') heldDone = e;
      else this.emit('training', e);
    };
    const onCheckpoint: CheckpointHandler = (epoch, artifacts, isBest) => recorder?.checkpoint(epoch, artifacts, isBest) ?? Promise.resolve();
    const trainOpts: StartTrainingOptions = { onCheckpoint };
    const run = where === 'browser-gpu' ? this.compute.start(project, onEvent) : startTraining(project, onEvent, trainOpts);
    recorder = new RunRecorder(this.runStore, run.runId, project);
    const rec = recorder;
    const record: RunRecord = { project, run };
    record.persisted = run.done
      .then(
        (result) => rec.finish(result),
        (e: Error) => rec.finish({ status: 'failed', error: e.message, epochsCompleted: 0 }),
      )
      .finally(() => {
        if (heldDone) this.emit('training', heldDone);
      });
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
    if (!record) throw new EngineError(`No training run "${runId}".`, 'not_found');
    if (record.result) return { stopping: false };
    record.run.stop();
    return { stopping: true };
  }

  /** Pause / resume take effect between batches; the run then sends a `state` event. False when nothing changed. */
  private pauseOrResumeRun(runId: string, what: 'pause' | 'resume'): boolean {
    const record = this.runs.get(runId);
    if (!record) throw new EngineError(`No training run "${runId}".`, 'not_found');
    if (record.result) return false;
    return what === 'pause' ? record.run.pause() : record.run.resume();
  }

  /** Resolves when the run has finished (used by the CLI and tests). */
  async waitForRun(runId: string): Promise<TrainingResult> {
    const record = this.runs.get(runId);
    if (!record) throw new EngineError(`No training run "${runId}".`, 'not_found');
    const result = await record.run.done;
    await record.persisted;
    return result;
  }

  /** Exports a run kept in memory, or else one from the run history on disk (its model, or its best checkpoint). */
  private async exportRun(runId: string, dir?: string): Promise<{ dir: string; files: string[] }> {
    checkRunId(runId);
    const record = this.runs.get(runId);
    let project: Project;
    let artifacts: TrainingResult['artifacts'];
    if (record) {
      const result = record.result ?? (await record.run.done);
      await record.persisted;
      project = record.project;
      artifacts = result.artifacts;
      if (!artifacts) {
        try {
          artifacts = await this.runStore.loadArtifacts(runId);
        } catch {
          throw new EngineError(`Run ${runId} has no trained model to export${result.error ? ` (${result.error})` : ''}.`, 'no_model');
        }
      }
    } else {
      try {
        project = await this.runStore.loadConfig(runId);
      } catch (e) {
        if (e instanceof RunStoreError && e.code === 'not_found') throw new EngineError(`No training run "${runId}".`, 'not_found');
        throw e;
      }
      artifacts = await this.runStore.loadArtifacts(runId);
    }
    const safeName = project.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'model';
    const target = path.resolve(dir ?? path.join(this.exportsDir, `${safeName}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
    return exportTrainedModel({ project, artifacts, dir: target });
  }

  /** Removes a finished run from the history (and from memory); a run still training is refused. */
  private async deleteRun(runId: string): Promise<{ deleted: boolean }> {
    checkRunId(runId);
    if (this.activeRunId === runId || this.runStore.isActive(runId)) {
      throw new EngineError(`Run ${runId} is still training; stop it before deleting it.`, 'busy');
    }
    this.runs.delete(runId);
    return { deleted: await this.runStore.delete(runId) };
  }

  /** Stops any training; called on app quit. */
  async dispose(): Promise<void> {
    this.compute.disposeAll();
    if (this.activeRunId) {
      const record = this.runs.get(this.activeRunId);
      record?.run.stop();
      await record?.run.done.catch(() => undefined);
      await record?.persisted;
    }
    this.listeners.clear();
  }
}
