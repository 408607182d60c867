import type { Quantization } from '../../../../main/core/quantize';
import type { StoreApi } from 'zustand/vanilla';
import type { TemporalState } from 'zundo';
import type { EngineClient, TrainingEvent } from '../../../../main/core/api/contract';
import type { DataActions, DataSliceState } from './data';
import type { DocumentActions, DocumentSliceState, DocumentState } from './document';
import type { EditingActions, EditingSliceState } from './editing';
import type { EngineActions, EngineSliceState } from './engine';
import type { InsideActions, InsideSliceState } from './inside';
import type { RunsActions, RunsSliceState } from './runs';
import type { TrainingActions, TrainingSliceState } from './training';
import type { MessageCause, MessageKind, UiActions, UiSliceState } from './ui';
import type { TryModelActions, TryModelSliceState } from './tryModel';

/** Actions the factory itself provides: it routes each engine event to every slice that listens. */
export interface StoreActions {
  handleTrainingEvent(event: TrainingEvent): void;
}

/** Every action, flat: components call `actions.addNode(...)` without knowing which slice owns it. */
export type AppActions = DocumentActions & DataActions & TrainingActions & RunsActions & UiActions & EngineActions & EditingActions & TryModelActions & InsideActions & StoreActions;

/**
 * The whole state. Each top-level key belongs to exactly one slice, which alone writes it; a slice that
 * needs another slice's state changed calls that slice's action (reading any key is fine).
 */
export type AppState = DocumentSliceState &
  DataSliceState &
  TrainingSliceState &
  RunsSliceState &
  UiSliceState &
  EngineSliceState &
  EditingSliceState &
  TryModelSliceState &
  InsideSliceState & { actions: AppActions };

export type AppStore = StoreApi<AppState> & { temporal: StoreApi<TemporalState<DocumentState>> };

export type SetState = (partial: Partial<AppState> | ((s: AppState) => Partial<AppState>)) => void;

/** What the factory hands each slice creator. */
export interface SliceContext {
  client: EngineClient;
  get: () => AppState;
  /** The store's set, wrapped by zundo: a change to `project` becomes an undo step (unless history is paused). */
  set: SetState;
  /** The document's undo history (zundo's temporal store); only available once the store exists. */
  history: () => AppStore['temporal'];
  /** The ui slice's notify (a banner), grouped by `cause` when given. */
  notify: (kind: MessageKind, text: string, cause?: MessageCause) => void;
  /** Shows an error banner "<what>: <message of e>", grouped by `cause` when given (see UiMessage.cause). */
  fail: (what: string, e: unknown, cause?: MessageCause) => void;
}

export interface Slice<S, A> {
  /** Initial values of the slice's own top-level keys. */
  state: S;
  actions: A;
  /** Called for every training event the engine sends (wired by the factory). */
  onTrainingEvent?(event: TrainingEvent): void;
}

export type SliceCreator<S, A> = (ctx: SliceContext) => Slice<S, A>;

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return String(e);
}

/**
 * Exports a run's trained model through the engine (its TensorFlow.js weights quantized when `quantize` says so); a
 * banner says where it went, or why it could not.
 */
export async function exportRunModel(ctx: Pick<SliceContext, 'client' | 'notify' | 'fail'>, runId: string, quantize?: Quantization): Promise<{ dir: string; files: string[] } | null> {
  try {
    const r = await ctx.client.call('export.run', quantize && quantize !== 'none' ? { runId, quantize } : { runId });
    ctx.notify('success', `Exported ${r.files.length} file${r.files.length === 1 ? '' : 's'} to ${r.dir}`);
    return r;
  } catch (e) {
    ctx.fail('Export failed', e);
    return null;
  }
}
