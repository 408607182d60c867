import { useState, type ReactNode } from 'react';
import { DEFAULT_TRAINING, LR_SCHEDULES, MONITORED_METRICS, type TrainingConfig } from '../../../../main/core/project';
import { useActions, useApp } from '../../store/context';
import { checkTrainingPatch } from '../../store/trainingOptions';
import { CommitField, parseNumber } from '../fields';
import './training-extras.css';

type Patch = Partial<TrainingConfig>;

const SCHEDULE_LABELS: Record<(typeof LR_SCHEDULES)[number], string> = {
  constant: 'Constant',
  step: 'Step decay',
  exponential: 'Exponential decay',
  cosine: 'Cosine',
};
const MONITOR_LABELS: Record<(typeof MONITORED_METRICS)[number], string> = {
  val_loss: 'validation loss',
  val_acc: 'validation accuracy',
  loss: 'training loss',
  acc: 'training accuracy',
};

/**
 * The training options beyond epochs / batch size / learning rate / optimizer, in an "Advanced" disclosure.
 * Every change is checked against TrainingConfigSchema and committed with setTraining (one undo step).
 */
export function TrainingOptions({ disabled }: { disabled: boolean }) {
  const actions = useActions();
  const cfg = useApp((s) => s.project.training);
  // Projects from older engines may lack the newer options; show the defaults then.
  const schedule = cfg.schedule ?? DEFAULT_TRAINING.schedule;
  const early = cfg.earlyStopping ?? DEFAULT_TRAINING.earlyStopping;
  const clip = cfg.gradientClip ?? DEFAULT_TRAINING.gradientClip;
  /** Errors of the controls that are not text fields (those show their own). */
  const [errors, setErrors] = useState<Record<string, string>>({});

  const apply = (id: string, label: string, patch: Patch): string | null => {
    const r = checkTrainingPatch(cfg, patch, label);
    setErrors((e) => {
      if (!(id in e) && r.ok) return e;
      const next = { ...e };
      if (r.ok) delete next[id];
      else next[id] = r.error;
      return next;
    });
    if (!r.ok) return r.error;
    actions.setTraining(r.patch);
    return null;
  };

  const label = (id: string, text: string) => (
    <label className="field__label" htmlFor={`training-${id}`}>
      {text}
    </label>
  );
  const errorOf = (id: string) =>
    errors[id] ? (
      <div className="field__error" role="alert" data-testid={`training-${id}-error`}>
        {errors[id]}
      </div>
    ) : null;

  const numberField = (id: string, text: string, value: number, toPatch: (n: number) => Patch, props: { min?: number; max?: number; step?: number | 'any' } = {}, help?: string) => (
    <div className="field field--compact" key={id}>
      {label(id, text)}
      <CommitField
        id={`training-${id}`}
        testId={`training-${id}`}
        value={String(value)}
        inputProps={{ type: 'number', disabled, step: 'any', ...props }}
        commit={(t) => {
          const n = parseNumber(t);
          if (n === null) return `${text} must be a number`;
          return apply(id, text, toPatch(n));
        }}
      />
      {help && <div className="field__help">{help}</div>}
    </div>
  );

  const checkbox = (id: string, text: string, checked: boolean, toPatch: (v: boolean) => Patch, help?: string) => (
    <div className="field field--compact field--inline" key={id}>
      <input
        id={`training-${id}`}
        data-testid={`training-${id}`}
        type="checkbox"
        className="field__checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => apply(id, text, toPatch(e.target.checked))}
      />
      {label(id, text)}
      {help && <div className="field__help">{help}</div>}
      {errorOf(id)}
    </div>
  );

  function select<T extends string>(id: string, text: string, value: T, options: readonly T[], toPatch: (v: T) => Patch, names?: Record<T, string>) {
    return (
      <div className="field field--compact" key={id}>
        {label(id, text)}
        <select
          id={`training-${id}`}
          data-testid={`training-${id}`}
          className={`field__input${errors[id] ? ' field__input--invalid' : ''}`}
          value={value}
          disabled={disabled}
          onChange={(e) => apply(id, text, toPatch(e.target.value as T))}
        >
          {options.map((o) => (
            <option key={o} value={o}>
              {names?.[o] ?? o}
            </option>
          ))}
        </select>
        {errorOf(id)}
      </div>
    );
  }

  const group = (title: string, children: ReactNode) => (
    <fieldset className="training-options__group">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );

  const opt = cfg.optimizer;
  return (
    <details className="training-options" data-testid="training-advanced">
      <summary>Advanced options</summary>
      {(opt === 'sgd' || opt === 'rmsprop' || opt === 'adamw') &&
        group(
          `Optimizer (${opt})`,
          <>
            {(opt === 'sgd' || opt === 'rmsprop') &&
              numberField('momentum', 'Momentum', cfg.momentum ?? 0, (n) => ({ momentum: n }), { min: 0, max: 0.999, step: 0.01 })}
            {opt === 'sgd' && checkbox('nesterov', 'Nesterov momentum', cfg.nesterov ?? false, (v) => ({ nesterov: v }))}
            {opt === 'adamw' &&
              numberField('weightDecay', 'Weight decay', cfg.weightDecay ?? 0, (n) => ({ weightDecay: n }), { min: 0, max: 1, step: 0.001 })}
          </>,
        )}
      {group(
        'Learning-rate schedule',
        <>
          {select('schedule-type', 'Schedule', schedule.type, LR_SCHEDULES, (v) => ({ schedule: { ...schedule, type: v } }), SCHEDULE_LABELS)}
          {schedule.type === 'step' &&
            numberField('schedule-stepEpochs', 'Every (epochs)', schedule.stepEpochs, (n) => ({ schedule: { ...schedule, stepEpochs: n } }), { min: 1, step: 1 })}
          {(schedule.type === 'step' || schedule.type === 'exponential') &&
            numberField('schedule-gamma', 'Multiply by (gamma)', schedule.gamma, (n) => ({ schedule: { ...schedule, gamma: n } }), { min: 0, max: 1, step: 0.05 })}
          {schedule.type === 'cosine' &&
            numberField('schedule-minLearningRate', 'Minimum learning rate', schedule.minLearningRate, (n) => ({ schedule: { ...schedule, minLearningRate: n } }), { min: 0 })}
          {numberField('schedule-warmupEpochs', 'Warm-up epochs', schedule.warmupEpochs, (n) => ({ schedule: { ...schedule, warmupEpochs: n } }), { min: 0, step: 1 })}
        </>,
      )}
      {group(
        'Early stopping',
        <>
          {checkbox('early-enabled', 'Stop when it stops improving', early.enabled, (v) => ({ earlyStopping: { ...early, enabled: v } }))}
          {early.enabled && (
            <>
              {select('early-monitor', 'Watch', early.monitor, MONITORED_METRICS, (v) => ({ earlyStopping: { ...early, monitor: v } }), MONITOR_LABELS)}
              {numberField('early-patience', 'Patience (epochs)', early.patience, (n) => ({ earlyStopping: { ...early, patience: n } }), { min: 1, step: 1 })}
              {numberField('early-minDelta', 'Minimum change', early.minDelta, (n) => ({ earlyStopping: { ...early, minDelta: n } }), { min: 0 })}
              {checkbox('early-restoreBest', 'Keep the best epoch’s weights', early.restoreBest, (v) => ({ earlyStopping: { ...early, restoreBest: v } }))}
            </>
          )}
        </>,
      )}
      {group(
        'Regularization',
        <>
          {numberField('l1', 'L1 penalty', cfg.l1 ?? 0, (n) => ({ l1: n }), { min: 0, max: 1 })}
          {numberField('l2', 'L2 penalty', cfg.l2 ?? 0, (n) => ({ l2: n }), { min: 0, max: 1 })}
          {select('clip-type', 'Gradient clipping', clip.type, ['none', 'norm', 'value'] as const, (v) => ({ gradientClip: { ...clip, type: v } }), {
            none: 'None',
            norm: 'By norm',
            value: 'By value',
          })}
          {clip.type !== 'none' &&
            numberField('clip-value', clip.type === 'norm' ? 'Maximum norm' : 'Maximum value', clip.value, (n) => ({ gradientClip: { ...clip, value: n } }), { min: 0 })}
          {select('classWeights', 'Class weights', cfg.classWeights ?? 'none', ['none', 'balanced'] as const, (v) => ({ classWeights: v }), {
            none: 'None',
            balanced: 'Balanced',
          })}
        </>,
      )}
      {group(
        'Run',
        <>
          {checkbox('checkpointEveryEpoch', 'Keep a checkpoint every epoch', cfg.checkpointEveryEpoch ?? true, (v) => ({ checkpointEveryEpoch: v }))}
          {numberField('seed', 'Random seed', cfg.seed, (n) => ({ seed: n }), { min: 0, step: 1 }, 'The same seed gives the same initial weights and batch order.')}
        </>,
      )}
    </details>
  );
}
