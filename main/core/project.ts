import { z } from 'zod';

/** The project file format. Bump CURRENT_VERSION and add a migration whenever the shape changes. */
export const PROJECT_FORMAT = 'neurowire-project';
export const CURRENT_PROJECT_VERSION = 1;

export const NodeSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1),
  /** Display name, also the tfjs layer name; unique within a project. */
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Layer names start with a letter and use letters, digits and _'),
  params: z.record(z.string(), z.unknown()),
  position: z.object({ x: z.number(), y: z.number() }),
});
export type ProjectNode = z.infer<typeof NodeSchema>;

export const EdgeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  target: z.string().min(1),
});
/** Edge order matters: a node's inputs are its incoming edges in the order they appear. */
export type ProjectEdge = z.infer<typeof EdgeSchema>;

export const GraphSchema = z.object({
  nodes: z.array(NodeSchema),
  edges: z.array(EdgeSchema),
});
export type Graph = z.infer<typeof GraphSchema>;

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const TrainingConfigSchema = z.object({
  epochs: z.number().int().min(1, 'Epochs must be at least 1').max(10000),
  batchSize: z.number().int().min(1, 'Batch size must be at least 1').max(65536),
  learningRate: z.number().positive('Learning rate must be positive').max(10),
  optimizer: z.enum(OPTIMIZERS),
  seed: z.number().int().min(0),
});
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;

export const DEFAULT_TRAINING: TrainingConfig = { epochs: 5, batchSize: 32, learningRate: 0.001, optimizer: 'adam', seed: 42 };

export const DatasetChoiceSchema = z.object({
  /** Id of a built-in or user dataset, e.g. "mnist". */
  id: z.string().min(1),
  /** Fractions of the data held out for validation and test (the rest trains). */
  validationFraction: z.number().min(0).max(0.5),
  testFraction: z.number().min(0).max(0.5),
  /** Seed of the split, stored so a reopened project splits the same way. */
  splitSeed: z.number().int().min(0),
});
export type DatasetChoice = z.infer<typeof DatasetChoiceSchema>;

export const DEFAULT_DATASET: DatasetChoice = { id: 'mnist', validationFraction: 0.1, testFraction: 0.1, splitSeed: 1234 };

export const ProjectSchema = z.object({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(CURRENT_PROJECT_VERSION),
  name: z.string().min(1).max(200),
  graph: GraphSchema,
  dataset: DatasetChoiceSchema,
  training: TrainingConfigSchema,
});
export type Project = z.infer<typeof ProjectSchema>;

export class ProjectFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectFileError';
  }
}

/** Migrations from version N to N+1, keyed by N. Each takes and returns plain JSON. */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {};

function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Turns the text of a project file into a Project, migrating older versions.
 * Throws ProjectFileError with a message that says what is wrong and where.
 */
export function parseProject(text: string, source = 'project file'): Project {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProjectFileError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  return upgradeProject(doc, source);
}

export function upgradeProject(doc: unknown, source = 'project file'): Project {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ProjectFileError(`${source} is not a Neurowire project (expected a JSON object).`);
  }
  let obj = doc as Record<string, unknown>;
  if (obj.format !== PROJECT_FORMAT) {
    throw new ProjectFileError(`${source} is not a Neurowire project (its "format" field is ${JSON.stringify(obj.format)}, expected "${PROJECT_FORMAT}").`);
  }
  const version = obj.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ProjectFileError(`${source} has an invalid "version" field: ${JSON.stringify(version)}.`);
  }
  if (version > CURRENT_PROJECT_VERSION) {
    throw new ProjectFileError(
      `${source} was saved by a newer Neurowire (format version ${version}; this version reads up to ${CURRENT_PROJECT_VERSION}). Update Neurowire to open it.`,
    );
  }
  for (let v = version; v < CURRENT_PROJECT_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    if (!migrate) throw new ProjectFileError(`No migration from project format version ${v}.`);
    obj = { ...migrate(obj), version: v + 1 };
  }
  const parsed = ProjectSchema.safeParse(obj);
  if (!parsed.success) throw new ProjectFileError(`${source} is damaged or incomplete — ${formatZodIssues(parsed.error)}.`);
  checkGraphReferences(parsed.data, source);
  return parsed.data;
}

function checkGraphReferences(project: Project, source: string): void {
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const n of project.graph.nodes) {
    if (ids.has(n.id)) throw new ProjectFileError(`${source}: two layers share the id "${n.id}".`);
    if (names.has(n.name)) throw new ProjectFileError(`${source}: two layers share the name "${n.name}".`);
    ids.add(n.id);
    names.add(n.name);
  }
  for (const e of project.graph.edges) {
    if (!ids.has(e.source) || !ids.has(e.target)) {
      throw new ProjectFileError(`${source}: connection "${e.id}" refers to a layer that does not exist (${!ids.has(e.source) ? e.source : e.target}).`);
    }
  }
}

export function serializeProject(project: Project): string {
  return JSON.stringify(project, null, 2) + '\n';
}

export function emptyProject(name = 'Untitled'): Project {
  return {
    format: PROJECT_FORMAT,
    version: CURRENT_PROJECT_VERSION,
    name,
    graph: { nodes: [], edges: [] },
    dataset: { ...DEFAULT_DATASET },
    training: { ...DEFAULT_TRAINING },
  };
}
