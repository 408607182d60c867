import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseProject } from '../../main/core/project';
import { importKerasModel } from '../../main/core/import/keras';

const root = path.resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli');

function runImport(args: string[]) {
  const r = spawnSync(process.execPath, [tsxCli, 'main/node/cli/import.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('npm run import', () => {
  it('writes a project that opens, and prints the summary with the analysis total and the dropped settings', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-import-'));
    const out = path.join(dir, 'mlp.neurowire.json');
    const fixture = 'tests/fixtures/import/sequential-mlp.json';
    const r = runImport([fixture, '--out', out]);
    expect(r.code, r.out).toBe(0);
    const project = parseProject(await fs.readFile(out, 'utf8'), out);
    const expected = importKerasModel(JSON.parse(readFileSync(path.join(root, fixture), 'utf8')));
    if ('unknown' in expected) throw new Error('fixture not imported');
    expect(project.graph).toEqual(expected.project.graph);
    expect(r.out).toContain(`Total parameters: ${expected.summary.totalParams.toLocaleString('en-US')}`);
    expect(r.out).toMatch(/hidden: kernel_regularizer=L1L2/);
    await fs.rm(dir, { recursive: true });
  }, 120_000);

  it('refuses a model with unknown layers: exit 1, each listed, nothing written', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-import-'));
    const out = path.join(dir, 'exotic.neurowire.json');
    const r = runImport(['tests/fixtures/import/unknown-layer.json', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/scale \(Lambda\)/);
    expect(r.out).toMatch(/my_block \(MyAttentionBlock\)/);
    expect(r.out).toMatch(/causal \(Conv1D\): padding "causal"/);
    await expect(fs.access(out)).rejects.toThrow();
    await fs.rm(dir, { recursive: true });
  }, 120_000);
});
