import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { api } from '../../main/core/api/contract';
import { Engine, type EngineHandlers } from '../../main/node/engine';

// Type-level checks: `npm run typecheck` fails if the handler map accepts what the contract does not declare.
export const wrongResult: Pick<EngineHandlers, 'runs.delete'> = {
  // @ts-expect-error a result shape the contract does not declare
  'runs.delete': () => ({ removed: 'x' }),
};
export const wrongParams: Pick<EngineHandlers, 'templates.get'> = {
  // @ts-expect-error a param the contract does not declare
  'templates.get': (p) => ({ ...({} as never), id: p.templateName }),
};

describe('the engine: one handler per contract method', () => {
  it('answers every contract method and validates params before any handler runs', async () => {
    const engine = new Engine({ host: 'browser', dataDir: path.join(os.tmpdir(), `neurowire-handlers-${process.pid}`) });
    try {
      const bad = { runId: 42, path: 7, project: 'no', id: 'UPPER', source: null, purpose: 'x' };
      let refused = 0;
      for (const [method, spec] of Object.entries(api)) {
        if (spec.params.safeParse(bad).success) continue; // methods without params ignore extra fields
        refused++;
        await expect(engine.dispatch(method, bad)).rejects.toMatchObject({ code: 'invalid_params', message: expect.stringContaining(method) });
      }
      expect(refused).toBeGreaterThan(10);
      await expect(engine.dispatch('no.such', {})).rejects.toMatchObject({ code: 'unknown_method' });
      await expect(engine.dispatch('templates.get', { id: 'mnist-mlp' })).resolves.toMatchObject({ name: expect.any(String) });
    } finally {
      await engine.dispose();
    }
  });
});
