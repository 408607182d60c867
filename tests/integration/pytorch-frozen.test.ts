/**
 * Frozen layers in the PyTorch export, run with Debian's PyTorch (python3-torch): a frozen BatchNormalization stays
 * in eval mode when the model trains (its running statistics used and never updated, its output as at prediction
 * time) and takes no gradients, while the layers around it still do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pytorchFiles } from '../../main/node/pytorchExport';
import { findTorchPython } from '../../main/node/torchPython';
import { emptyProject, type Project } from '../../main/core/project';

const CHECK = `
import torch
import model as m

torch.manual_seed(0)
net = m.Model()
with torch.no_grad():
    net.norm.running_mean.fill_(2.0)
    net.norm.running_var.fill_(3.0)
    net.norm.weight.fill_(1.5)
before = {k: v.clone() for k, v in net.norm.state_dict().items()}
net.train()
assert net.hidden.training and not net.norm.training, "the frozen BatchNorm left eval mode"
assert all(not p.requires_grad for p in net.norm.parameters()), "the frozen BatchNorm takes gradients"
assert all(p.requires_grad for p in net.hidden.parameters()), "the trainable Dense is frozen"
x = torch.randn(16, 4)
training = net(x)
training.sum().backward()
for k, v in net.norm.state_dict().items():
    assert torch.equal(before[k], v), f"{k} changed"
net.eval()
assert torch.equal(training.detach(), net(x)), "the output while training differs from the output in eval mode"
print("frozen ok")
`;

function project(): Project {
  const nodes: [string, string, Record<string, unknown>][] = [
    ['in', 'Input', { shape: [4] }],
    ['hidden', 'Dense', { units: 6, activation: 'relu' }],
    ['norm', 'BatchNormalization', {}],
    ['out', 'Dense', { units: 3, activation: 'softmax' }],
  ];
  return {
    ...emptyProject('Frozen BN'),
    graph: {
      nodes: nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params, position: { x: i * 200, y: 0 }, ...(id === 'norm' ? { trainable: false } : {}) })),
      edges: nodes.slice(1).map(([id], i) => ({ id: `e${i}`, source: nodes[i][0], target: id })),
    },
  };
}

describe('a frozen BatchNormalization in the PyTorch export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nw-torch-frozen-'));
    for (const [name, text] of Object.entries(await pytorchFiles(project()))) writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, 'check.py'), CHECK);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stays in eval mode and unchanged while the model trains', () => {
    const python = findTorchPython();
    expect(python, 'a Python with torch (Debian: apt-get install python3-torch)').not.toBeNull();
    const r = spawnSync(python!, ['check.py'], { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(`${r.stdout}\n${r.stderr}`).toContain('frozen ok');
  }, 300_000);
});
