// Lint for Neurowire, and the layering it enforces (the VS Code model):
//   main/core  pure logic: no Node built-ins, no main/node, electron or renderer (its tsconfig has neither DOM nor Node types)
//   main/node  the engine: Node and main/core, never renderer or electron
//   electron/  a thin shell: Electron, main/node and main/core, never renderer
//   renderer/  the UI: only main/core (and browser packages); it reaches the engine through the contract in main/core/api
// typescript-eslint's recommended rules without type information: type-aware linting would repeat the type check
// that `npm run typecheck` already does, and is too slow for the shared 2-core machines.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';

// Every Node built-in, bare and with the `node:` prefix (some, e.g. `node:test`, exist only prefixed).
const nodeBuiltins = [...new Set(builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])))];
// Packages that only run in Node or in Electron's main process.
const nodeOnlyPackages = ['electron', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'sharp', 'ws', 'mnist'];

// Relative specifiers that land in a layer, matched on the text (the rule does not resolve paths): a path out of a
// folder climbs (`../`) and then names a top-level folder, or, from main/core, its sibling `node`.
const climb = (folders) => `^(\\.\\./)+(${folders})(/|$)`;
const INTO = {
  mainNode: climb('main/node'),
  coreToNode: climb('node|main/node'),
  renderer: climb('renderer'),
  electron: climb('electron'),
  tooling: climb('tests|scripts|bench'),
};

/**
 * The import rules of one layer. `no-restricted-imports` sees static imports, `import type` and re-exports; the same
 * restrictions are applied to dynamic `import('…')` and to `import('…').Type` through `no-restricted-syntax`.
 */
function layer(name, { builtins = false, packages = [], into = [] }) {
  const paths = [
    ...(builtins ? nodeBuiltins.map((p) => ({ name: p, message: `${name} runs without Node: no Node built-ins.` })) : []),
    ...packages.map((p) => ({ name: p, message: `${name} must not depend on ${p}, which runs only in Node or Electron.` })),
  ];
  const patterns = into.map(([key, message]) => ({ regex: INTO[key], message }));
  // One alternation per message keeps the selectors few; esquery regexes cannot hold a literal `/`, hence `\x2F`.
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const byMessage = new Map();
  for (const p of paths) byMessage.set(p.message, [...(byMessage.get(p.message) ?? []), `^(${escape(p.name)})(/|$)`]);
  for (const p of patterns) byMessage.set(p.message, [...(byMessage.get(p.message) ?? []), p.regex]);
  const dynamic = [...byMessage].flatMap(([message, regexes]) => {
    const source = regexes.join('|').replaceAll('/', '\\x2F');
    return [
      { selector: `ImportExpression > Literal.source[value=/${source}/]`, message },
      { selector: `TSImportType Literal[value=/${source}/]`, message },
    ];
  });
  return {
    'no-restricted-imports': ['error', { paths, patterns }],
    'no-restricted-syntax': ['error', ...dynamic],
  };
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'test-results/**', 'playwright-report/**', 'tests/fixtures/generated/**', '.neurowire-tmp/**'],
  },
  {
    files: ['**/*.{ts,tsx,mts,mjs}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, comments.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Every disable says why, on the same line: `// eslint-disable-next-line rule -- reason`.
      '@eslint-community/eslint-comments/require-description': 'error',
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
      // A whole-file disable (e.g. `no-var` in an ambient .d.ts) needs no closing `eslint-enable`.
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  // Tooling in plain JS (scripts/*.mjs, root configs) runs in Node.
  { files: ['scripts/**/*.mjs', '*.mjs', '*.mts'], languageOptions: { globals: globals.node } },
  {
    files: ['main/core/**/*.ts'],
    rules: layer('main/core', {
      builtins: true,
      packages: nodeOnlyPackages,
      into: [
        ['coreToNode', 'main/core must not import main/node.'],
        ['renderer', 'main/core must not import the renderer.'],
        ['electron', 'main/core must not import the Electron shell.'],
        ['tooling', 'main/core must not import tests, scripts or benchmarks.'],
      ],
    }),
  },
  {
    files: ['main/node/**/*.ts'],
    rules: layer('main/node', {
      packages: ['electron'],
      into: [
        ['renderer', 'main/node must not import the renderer.'],
        ['electron', 'main/node must not import the Electron shell: the engine also runs without it (npm run serve, the CLI).'],
        ['tooling', 'main/node must not import tests, scripts or benchmarks.'],
      ],
    }),
  },
  {
    files: ['electron/**/*.ts'],
    rules: layer('electron/', {
      into: [
        ['renderer', 'electron/ must not import the renderer: it loads the built page.'],
        ['tooling', 'electron/ must not import tests, scripts or benchmarks.'],
      ],
    }),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    rules: layer('The renderer', {
      builtins: true,
      packages: nodeOnlyPackages,
      into: [
        ['mainNode', 'The renderer must not import main/node: types it shares with the engine belong in main/core.'],
        ['electron', 'The renderer must not import the Electron shell: it talks to it through window.neurowire (renderer/src/api/electron.d.ts).'],
        ['tooling', 'The renderer must not import tests, scripts or benchmarks.'],
      ],
    }),
  },
  // Tests and benchmarks may import any layer; their rules stay light (test doubles may use `any`).
  {
    files: ['tests/**/*.{ts,tsx}', 'bench/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
