import type { EngineClient, TrainingEvent } from '../../../main/core/api/contract';
import { CommandControl, type ComputeCommand, type ComputeDataset, type ComputeJobMeta, type SplitArrayName, type SplitBuffers, type SplitMeta, type SplitName } from '../../../main/core/api/compute';
import { runComputeJob, type ComputeOutcome } from './runner';

/**
 * Browser mode: the page that pressed Train is the compute page. It fetches the run's data from the
 * local server (binary routes, authenticated with the page's per-launch token), trains with
 * runTrainingLoop on WebGPU / WebGL, and reports every event and the result to the engine, which
 * re-emits them as `training` events: this page's own store sees them come back like any Node run's.
 */

const HEARTBEAT_MS = 5000;

export interface InPageRun {
  runId: string;
  control: CommandControl;
  done: Promise<ComputeOutcome | null>;
}

const active = new Map<string, InPageRun>();

/** The run this page is training, if any (Stop / Pause reach its loop directly). */
export function inPageRun(runId: string): InPageRun | undefined {
  return active.get(runId);
}

function pageToken(): string {
  return typeof location !== 'undefined' ? (new URLSearchParams(location.search).get('token') ?? '') : '';
}

async function fetchOk(url: string, token: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: string };
      if (body.error) msg = body.error;
    } catch {
      /* not JSON */
    }
    throw new Error(msg);
  }
  return res;
}

async function fetchArray(base: string, token: string, split: SplitName, array: SplitArrayName, dtype: 'float32' | 'int32'): Promise<Float32Array | Int32Array> {
  const buf = await (await fetchOk(`${base}/data/${split}/${array}`, token)).arrayBuffer();
  return dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf);
}

/**
 * Downloads the run's dataset (all splits, as raw typed-array bytes) from the local server, and the project's
 * trained weights (the bytes of its weights file) when it keeps some.
 */
export async function fetchDataset(runId: string, token = pageToken(), origin = ''): Promise<ComputeJobMeta & { data: ComputeDataset; projectWeights?: ArrayBuffer }> {
  const base = `${origin}/compute/${encodeURIComponent(runId)}`;
  const meta = (await (await fetchOk(`${base}/meta`, token)).json()) as ComputeJobMeta;
  const split = async (name: SplitName, m: SplitMeta): Promise<SplitBuffers> => {
    const [x, y, labels] = await Promise.all([
      fetchArray(base, token, name, 'x', m.xDType),
      fetchArray(base, token, name, 'y', m.yDType),
      m.hasLabels ? fetchArray(base, token, name, 'labels', 'int32') : Promise.resolve(undefined),
    ]);
    const out: SplitBuffers = { count: m.count, x, y };
    if (labels) out.labels = labels as Int32Array;
    // Several inputs or targets: parts after the first come as x1, x2… and y1, y2…
    if (m.parts) {
      const more = (kind: 'x' | 'y', dtypes: ('float32' | 'int32')[]) => Promise.all(dtypes.slice(1).map((dtype, k) => fetchArray(base, token, name, `${kind}${k + 1}`, dtype)));
      const [xs, ys] = await Promise.all([more('x', m.parts.xs), more('y', m.parts.ys)]);
      out.xs = [x, ...xs];
      out.ys = [y, ...ys];
    }
    return out;
  };
  const weights = async (): Promise<ArrayBuffer | undefined> => {
    if (meta.projectWeightBytes === undefined) return undefined;
    const bytes = await (await fetchOk(`${base}/project-weights`, token)).arrayBuffer();
    if (bytes.byteLength !== meta.projectWeightBytes) throw new Error(`the project's weights came incomplete (${bytes.byteLength} of ${meta.projectWeightBytes} bytes)`);
    return bytes;
  };
  const [train, validation, test, projectWeights] = await Promise.all([split('train', meta.splits.train), split('validation', meta.splits.validation), split('test', meta.splits.test), weights()]);
  return { ...meta, data: { info: meta.info, train, validation, test }, ...(projectWeights ? { projectWeights } : {}) };
}

/**
 * Trains run `runId` in this page and reports to the engine. Resolves when the engine has the result
 * (or the run was abandoned). Never throws.
 */
export function runInPage(client: EngineClient, runId: string, opts: { token?: string; prefer?: 'webgpu' | 'webgl' } = {}): InPageRun {
  const existing = active.get(runId);
  if (existing) return existing;
  const token = opts.token ?? pageToken();
  const control = new CommandControl();
  let gone = false; // the engine no longer knows the run: stop quietly
  const applyCommand = (c: ComputeCommand | null | undefined) => {
    if (c) control.apply(c);
  };
  const onReportError = (e: unknown) => {
    const code = (e as { code?: string }).code;
    if (code === 'not_found') {
      gone = true;
      control.apply('stop');
    } else {
      console.warn('Neurowire: a training report was refused:', (e as Error).message);
    }
  };
  const report = (params: { event?: TrainingEvent; result?: unknown }) =>
    client.call('training.report', { runId, ...(params as object) } as never).then((r) => applyCommand(r.command), onReportError);

  const unsubscribe = client.on('compute', (e) => {
    if (e.runId === runId) control.apply(e.command);
  });
  const heartbeat = setInterval(() => {
    if (!gone) void report({});
  }, HEARTBEAT_MS);

  const done = (async (): Promise<ComputeOutcome | null> => {
    try {
      let job: Awaited<ReturnType<typeof fetchDataset>>;
      try {
        job = await fetchDataset(runId, token);
      } catch (e) {
        const outcome: ComputeOutcome = { result: { status: 'failed', error: `Could not fetch the training data from the engine: ${(e as Error).message}`, epochsCompleted: 0, history: [] } };
        await report({ result: outcome.result });
        return outcome;
      }
      const outcome = await runComputeJob(
        { runId, project: job.project, data: job.data, ...(job.projectWeights ? { projectWeights: job.projectWeights } : {}) },
        {
          control,
          prefer: opts.prefer,
          emit: (event) => {
            if (!gone && event.type !== 'done') void report({ event });
          },
        },
      );
      if (gone) return outcome;
      const result = outcome.result;
      if (result.model && outcome.weightData) {
        try {
          await fetchOk(`/compute/${encodeURIComponent(runId)}/weights`, token, {
            method: 'PUT',
            headers: { 'Content-Type': 'application/octet-stream' },
            body: outcome.weightData,
          });
        } catch (e) {
          delete result.model;
          result.error ??= `The trained weights could not be handed to the engine: ${(e as Error).message}`;
        }
      }
      await report({ result });
      return outcome;
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
      active.delete(runId);
    }
  })();
  const run: InPageRun = { runId, control, done };
  active.set(runId, run);
  return run;
}
