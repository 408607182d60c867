import type { Project } from '../core/project';
import { PYTORCH_SHIPPED, generatePytorchProject } from '../core/codegen/pytorch';
import { shippedPythonModule } from './projectSources';

/** Folder of an export that holds the PyTorch project. */
export const PYTORCH_DIR = 'pytorch';

/**
 * The files of an export's pytorch/ folder, relative to it: the generated model.py, train.py, export_onnx.py and
 * README.md with the app's Python modules they import, or only a README naming each layer without a PyTorch mapping.
 */
export async function pytorchFiles(project: Project): Promise<Record<string, string>> {
  let generated: Record<string, string>;
  try {
    generated = generatePytorchProject(project);
  } catch (e) {
    // The rest of the export does not depend on this folder: say why it is empty instead of failing it.
    return { 'README.md': `# ${project.name} — PyTorch\n\nNo PyTorch project could be generated: ${(e as Error).message}\n` };
  }
  if (!generated['model.py']) return generated;
  const shipped: Record<string, string> = {};
  for (const name of PYTORCH_SHIPPED) shipped[name] = shippedPythonModule(name);
  return { ...generated, ...shipped };
}
