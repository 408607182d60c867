/**
 * The app's own source modules that a generated project ships (see SHIPPED_ENTRIES in core/codegen/typescript.ts):
 * the entry modules and everything they import, found by following their relative imports, copied byte for byte
 * under code/src/neurowire/ with main/'s layout, so the generated train.ts trains with the code the app runs.
 *
 * Where the files come from: run from TypeScript (tsx, vitest), the repository's main/; run from the build
 * (dist/main/node/projectSources.js, the desktop app), dist/project-sources/, the copy scripts/build-node.mjs
 * makes with copyProjectSources.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SHIPPED_DIR, SHIPPED_ENTRIES, generateTypeScriptProject, type ShippedSources } from '../core/codegen/typescript';
import type { Project } from '../core/project';

/** Folder under dist/ that holds the build's copy of the shipped modules. */
export const PROJECT_SOURCES_DIR = 'project-sources';

/** main/ (or the build's copy of it) and the app's package.json, whose versions the generated package.json uses. */
export function sourceLocations(): { main: string; packageJson: string } {
  if (path.extname(__filename) === '.ts') return { main: path.resolve(__dirname, '..'), packageJson: path.resolve(__dirname, '../../package.json') };
  return { main: path.resolve(__dirname, '../..', PROJECT_SOURCES_DIR), packageJson: path.resolve(__dirname, '../../../package.json') };
}

// Statements that name another module: import/export … from '…', import '…', import('…'). Type-only imports
// count too: the generated project type-checks the shipped modules.
const MODULE_SPECIFIERS = [/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
// Packages found at run time by name: require('pkg'), require.resolve('pkg/package.json').
const RUNTIME_PACKAGES = /\b(?:[rR]equire|resolve)\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g;

/** A bare specifier's package ('@scope/name/sub' → '@scope/name'); undefined for Node's built-ins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The file a relative import names: `x` as x.ts or x/index.ts. */
function resolveRelative(fromFile: string, specifier: string): string {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base + '.ts', path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${fromFile} imports ${specifier}, which is not a file of the app.`);
}

export interface ModuleClosure {
  /** Paths relative to `root`, with / separators, sorted. */
  modules: string[];
  /** npm packages the modules import or require, sorted. */
  packages: string[];
}

/** The entry modules under `root` and every module they import, and the packages they need. */
export function moduleClosure(root: string, entries: readonly string[] = SHIPPED_ENTRIES): ModuleClosure {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of MODULE_SPECIFIERS) {
      for (const [, specifier] of text.matchAll(pattern)) {
        if (specifier.startsWith('.')) visit(resolveRelative(file, specifier));
        else {
          const pkg = packageOf(specifier);
          if (pkg) packages.add(pkg);
        }
      }
    }
    for (const [, specifier] of text.matchAll(RUNTIME_PACKAGES)) {
      const pkg = packageOf(specifier);
      if (pkg) packages.add(pkg);
    }
  };
  for (const entry of entries) visit(path.join(root, entry));
  const modules = [...seen].map((f) => path.relative(root, f).split(path.sep).join('/'));
  for (const m of modules) if (m.startsWith('..')) throw new Error(`A shipped module lies outside ${root}: ${m}`);
  return { modules: modules.sort(), packages: [...packages].sort() };
}

/** Every version range the app's package.json declares, by package. */
function appVersions(packageJson: string): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as Record<string, Record<string, string> | undefined>;
  return { ...pkg.devDependencies, ...pkg.optionalDependencies, ...pkg.dependencies };
}

let cached: ShippedSources | undefined;

/** What the generator needs to know of the shipped modules (read once per process: the files do not change). */
export function shippedSources(): ShippedSources {
  if (!cached) {
    const where = sourceLocations();
    cached = { ...moduleClosure(where.main), versions: appVersions(where.packageJson) };
  }
  return cached;
}

/**
 * The whole generated project: the generated files (model.ts, train.ts, package.json…) and the shipped modules
 * under SHIPPED_DIR, each the app's file as it is.
 */
export function generateProjectFiles(project: Project): Record<string, string> {
  const shipped = shippedSources();
  const files = generateTypeScriptProject(project, shipped);
  const main = sourceLocations().main;
  for (const module of shipped.modules) files[`${SHIPPED_DIR}/${module}`] = fs.readFileSync(path.join(main, ...module.split('/')), 'utf8');
  return files;
}

/** Copies the shipped modules from `mainDir` (the repository's main/) to `targetDir`, keeping their layout. For the build. */
export function copyProjectSources(mainDir: string, targetDir: string): string[] {
  const { modules } = moduleClosure(mainDir);
  fs.rmSync(targetDir, { recursive: true, force: true });
  for (const module of modules) {
    const target = path.join(targetDir, ...module.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(mainDir, ...module.split('/')), target);
  }
  // The Python modules exported Python projects ship unchanged (main/python/, see pytorchExport.ts).
  const python = path.join(mainDir, 'python');
  if (fs.existsSync(python)) fs.cpSync(python, path.join(targetDir, 'python'), { recursive: true, filter: (f) => !f.includes('__pycache__') });
  return modules;
}

/** The app's Python module `name` that exported Python projects ship unchanged (main/python/<name>, or the build's copy). */
export function shippedPythonModule(name: string): string {
  return fs.readFileSync(path.join(sourceLocations().main, 'python', name), 'utf8');
}
