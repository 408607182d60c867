import type { FuzzTarget } from '../target';
import { projectFile, projectParse } from './project';
import { graphAnalysis } from './graph';
import { graphCompile } from './compile';
import { engineCalls } from './engine';
import { kerasImport } from './keras';
import { cifarFolders, csvFiles, idxFiles } from './data';

/** Every fuzz target, in the order `npm run fuzz` runs them. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [projectParse, projectFile, graphAnalysis, graphCompile, engineCalls, kerasImport, csvFiles, idxFiles, cifarFolders];
