import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseProject } from '../../core/project';
import { PROJECT_FILE } from '../export';
import { PYTORCH_DIR } from '../pytorchExport';
import { writePytorchData } from '../pytorchData';

const USAGE = `Usage: npm run pytorch-data -- <export folder> [--max-samples N]

Writes the training samples of an exported model's project into <export folder>/pytorch/data/ (one .npy per input and
target, and meta.json with each target's loss), read exactly as the app reads them, for pytorch/train.py.`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { 'max-samples': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    console.error(`neurowire pytorch-data: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return;
  }
  const [folder] = parsed.positionals;
  const max = parsed.values['max-samples'];
  const maxSamples = max === undefined ? undefined : Number(max);
  if (!folder || (maxSamples !== undefined && !(Number.isInteger(maxSamples) && maxSamples > 0))) {
    console.error(`neurowire pytorch-data: ${folder ? `--max-samples must be a whole number above 0, not "${max}"` : 'name the export folder'}\n\n${USAGE}`);
    process.exit(2);
  }
  try {
    const project = parseProject(await fs.readFile(path.join(folder, PROJECT_FILE), 'utf8'));
    const dir = path.join(folder, PYTORCH_DIR, 'data');
    const files = await writePytorchData(project, dir, { maxSamples });
    console.log(`Wrote ${files.length} files into ${dir}: ${files.join(', ')}`);
  } catch (e) {
    console.error(`neurowire pytorch-data: ${(e as Error).message}`);
    process.exit(1);
  }
}

void main();
