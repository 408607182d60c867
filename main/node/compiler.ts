// The compiler lives in main/core/compile.ts (pure, no Node APIs) so the renderer's compute page can use it too.
export { compileGraph, GraphCompileError } from '../core/compile';
