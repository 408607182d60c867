import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { api, isApiMethod, type ApiMethod, type ApiResult, type EngineEvents, type EngineInfo, type TemplateInfo, type TrainingEvent } from '../core/api/contract';
import { parseProject, ProjectFileError, datasetKey, type Project } from '../core/project';
import { saveProjectFile, openProjectFile, listProjectFiles, writeFileAtomic } from './projectFiles';
import { listDatasets } from './datasets';
import { selectBackend } from './backend';
import { startTraining, type TrainingRun, type TrainingResult } from './training/run';
import { exportTrainedModel } from './export';

export interface EngineOptions {
  host: 'electron' | 'browser';
  /** Where projects, exports and the autosave live. Defaults to ~/Neurowire. */
  dataDir?: string;
  templatesDir?: string;
  /** Native file dialogs, supplied by the desktop shell. */
  pickPath?: (purpose: 'openProject' | 'saveProject' | 'exportFolder', defaultPath?: string) => Promise<string | null>;
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
}

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

  constructor(private readonly options: EngineOptions) {
    this.dataDir = path.resolve(options.dataDir ?? defaultDataDir());
    this.templatesDir = path.resolve(options.templatesDir ?? defaultTemplatesDir());
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
      return await this.handle(method, parsed.data as never);
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (e instanceof ProjectFileError) throw new EngineError(e.message, 'project_file');
      throw new EngineError((e as Error).message ?? String(e), 'failed');
    }
  }

  private async handle<M extends ApiMethod>(method: M, params: Record<string, unknown>): Promise<ApiResult<M>> {
    const p = params as never as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    switch (method) {
      case 'engine.info':
        return (await this.info()) as ApiResult<M>;
      case 'datasets.list':
        return listDatasets() as ApiResult<M>;
      case 'templates.list':
        return (await this.listTemplates()) as ApiResult<M>;
      case 'templates.get':
        return (await this.readTemplate(p.id)) as ApiResult<M>;
      case 'project.save':
        return { path: await saveProjectFile(p.path, p.project) } as ApiResult<M>;
      case 'project.open': {
        const project = await openProjectFile(p.path);
        return { path: path.resolve(p.path), project } as ApiResult<M>;
      }
      case 'project.list':
        return (await listProjectFiles(this.projectsDir)) as ApiResult<M>;
      case 'project.autosave':
        await writeFileAtomic(this.autosavePath, JSON.stringify(p.project));
        return { path: this.autosavePath } as ApiResult<M>;
      case 'project.restoreAutosave':
        return (await this.restoreAutosave()) as ApiResult<M>;
      case 'training.start':
        return this.startRun(p.project) as ApiResult<M>;
      case 'training.stop':
        return this.stopRun(p.runId) as ApiResult<M>;
      case 'dialog.pickPath':
        if (!this.options.pickPath) throw new EngineError('File dialogs are only available in the desktop app.', 'unsupported');
        return { path: await this.options.pickPath(p.purpose, p.defaultPath) } as ApiResult<M>;
      case 'export.run':
        return (await this.exportRun(p.runId, p.dir)) as ApiResult<M>;
    }
    throw new EngineError(`Unhandled engine call "${method}".`, 'unknown_method');
  }

  async info(): Promise<EngineInfo> {
    this.backendInfo ??= selectBackend({ needsConvGradients: false }).then((b) => b.info);
    return {
      version: '0.1.0',
      host: this.options.host,
      backend: await this.backendInfo,
      projectsDir: this.projectsDir,
      exportsDir: this.exportsDir,
    };
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    const names = (await fs.readdir(this.templatesDir)).filter((n) => n.endsWith('.json')).sort();
    const out: TemplateInfo[] = [];
    for (const name of names) {
      const project = parseProject(await fs.readFile(path.join(this.templatesDir, name), 'utf8'), name);
      const layers = project.graph.nodes.map((n) => n.kind).join(' → ');
      out.push({ id: name.replace(/\.json$/, ''), name: project.name, description: `${layers} on ${datasetKey(project.dataset.source)}` });
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
    return parseProject(text, `template ${id}`);
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

  private startRun(project: Project): { runId: string } {
    if (this.activeRunId) {
      throw new EngineError('A training run is already in progress. Stop it before starting another.', 'busy');
    }
    const run = startTraining(project, (e: TrainingEvent) => this.emit('training', e));
    const record: RunRecord = { project, run };
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
    return { runId: run.runId };
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

  /** Resolves when the run has finished (used by the CLI and tests). */
  async waitForRun(runId: string): Promise<TrainingResult> {
    const record = this.runs.get(runId);
    if (!record) throw new EngineError(`No training run "${runId}".`, 'not_found');
    return record.run.done;
  }

  private async exportRun(runId: string, dir?: string): Promise<{ dir: string; files: string[] }> {
    const record = this.runs.get(runId);
    if (!record) throw new EngineError(`No training run "${runId}" is kept in memory; train the model again, then export.`, 'not_found');
    const result = record.result ?? (await record.run.done);
    if (!result.artifacts) {
      throw new EngineError(`Run ${runId} has no trained model to export${result.error ? ` (${result.error})` : ''}.`, 'no_model');
    }
    const safeName = record.project.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'model';
    const target = path.resolve(dir ?? path.join(this.exportsDir, `${safeName}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
    return exportTrainedModel({ project: record.project, artifacts: result.artifacts, dir: target });
  }

  /** Stops any training; called on app quit. */
  async dispose(): Promise<void> {
    if (this.activeRunId) {
      const record = this.runs.get(this.activeRunId);
      record?.run.stop();
      await record?.run.done.catch(() => undefined);
    }
    this.listeners.clear();
  }
}
