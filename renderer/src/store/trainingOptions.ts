import { TrainingConfigSchema, type TrainingConfig } from '../../../main/core/project';

export type TrainingPatchCheck = { ok: true; patch: Partial<TrainingConfig> } | { ok: false; error: string };

interface IssueLike {
  code: string;
  message: string;
  path: PropertyKey[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
}

function issueText(label: string, issue: IssueLike): string {
  switch (issue.code) {
    case 'too_small':
      if (typeof issue.minimum === 'number') return `${label} must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${issue.minimum}`;
      break;
    case 'too_big':
      if (typeof issue.maximum === 'number') return `${label} must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
      break;
    case 'invalid_type':
      if (issue.expected === 'int') return `${label} must be a whole number`;
      if (issue.expected === 'number') return `${label} must be a number`;
      break;
  }
  return `${label}: ${issue.message}`;
}

/**
 * Checks a change of training options against TrainingConfigSchema, as part of the whole config.
 * Returns the parsed values of the changed keys (defaults filled in), or a message naming `label`.
 */
export function checkTrainingPatch(cfg: TrainingConfig, patch: Partial<TrainingConfig>, label: string): TrainingPatchCheck {
  const r = TrainingConfigSchema.safeParse({ ...cfg, ...patch });
  const keys = Object.keys(patch) as (keyof TrainingConfig)[];
  if (!r.success) {
    const issues = r.error.issues as unknown as IssueLike[];
    const mine = issues.find((i) => keys.includes(i.path[0] as keyof TrainingConfig)) ?? issues[0];
    return { ok: false, error: mine ? issueText(label, mine) : `${label} is not valid` };
  }
  const out: Partial<TrainingConfig> = {};
  for (const k of keys) (out as Record<string, unknown>)[k] = r.data[k];
  return { ok: true, patch: out };
}
