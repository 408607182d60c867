import { test } from '@playwright/test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type EngineOptions } from '../../main/node/engine';
import { startServer, type RunningServer } from '../../main/node/server/server';

/** The built page (`npm run test:e2e` builds it first); NEUROWIRE_RENDERER_DIR points at another build. */
export const RENDERER_DIR = process.env.NEUROWIRE_RENDERER_DIR ?? path.resolve(__dirname, '../../dist/renderer');

export interface EngineServer {
  /** The page's address, with its per-launch token. */
  readonly url: string;
  /** The engine's own data folder (projects, runs, exports), fresh for this file. */
  readonly dataDir: string;
  readonly engine: Engine;
}

/**
 * The engine in browser mode and its local server, for the tests of one spec file: started before them in a fresh
 * data folder, stopped and removed after them; the autosave slot is emptied before each test. Call it at the top
 * level of the spec file.
 */
export function engineServer(name: string, options: Omit<Partial<EngineOptions>, 'host' | 'dataDir'> = {}): EngineServer {
  let server: RunningServer | undefined;
  let engine: Engine | undefined;
  let dataDir: string | undefined;
  test.beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `neurowire-e2e-${name}-`));
    engine = new Engine({ ...options, host: 'browser', dataDir });
    server = await startServer({ engine, staticDir: RENDERER_DIR });
  });
  // Each test starts like a first launch: work a previous test's page left unsaved is not offered back to it.
  test.beforeEach(async () => {
    if (engine) await fs.rm(engine.autosavePath, { force: true });
  });
  test.afterAll(async () => {
    await engine?.dispose();
    await server?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} has not started: use engineServer() at the top level of a spec file`);
    return value;
  };
  return {
    get url() {
      return started(server, 'The server').url;
    },
    get dataDir() {
      return started(dataDir, 'The data folder');
    },
    get engine() {
      return started(engine, 'The engine');
    },
  };
}
