import { spawnSync } from 'node:child_process';

let found: string | null | undefined;

/**
 * A Python that can `import torch`: $PYTHON, then the `python3` on PATH, then Debian's /usr/bin/python3 (where
 * python3-torch installs), or null when none can. Looked up once per process.
 */
export function findTorchPython(): string | null {
  if (found !== undefined) return found;
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  found = candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) ?? null;
  return found;
}
