/** Project files: parseProject (with its migrations) on any text, and the file loader on any bytes. */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseProject, ProjectFileError, ProjectSchema, serializeProject, type Project } from '../../../main/core/project';
import { openProjectFile } from '../../../main/node/projectFiles';
import { anyJson, downgrade, mutate, mutation, projectDoc, textDamage } from '../arbitraries';
import { expectClearError, stringsIn } from '../clearError';
import { defineTarget } from '../target';

/** The text of a project file: a project (of any version) with random changes and damage, random JSON, or any text. */
export const projectText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(projectDoc, fc.constantFrom(3, 3, 2, 1), fc.oneof(fc.constant([]), fc.array(mutation, { minLength: 1, maxLength: 3 })), textDamage)
      .map(([doc, version, changes, damage]) => damage(JSON.stringify(mutate(version === 3 ? doc : downgrade(doc, version as 1 | 2), changes), null, 2))),
  },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** -0 and 0 are one number in a JSON file. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value), (_k, v) => (Object.is(v, -0) ? 0 : v));

function parsedStrings(text: string): string[] {
  try {
    return stringsIn(JSON.parse(text));
  } catch {
    return [];
  }
}

/** An accepted project is a valid one, and saving and reopening it gives the same project. */
export function checkAccepted(project: Project): void {
  const valid = ProjectSchema.safeParse(project);
  assert.ok(valid.success, `an accepted project fails the schema: ${valid.error?.message.slice(0, 300)}`);
  let again: Project;
  try {
    again = parseProject(serializeProject(project), 'saved copy');
  } catch (e) {
    throw new Error(`an accepted project does not reopen once saved: ${(e as Error).message}`);
  }
  assert.deepStrictEqual(plain(again), plain(project), 'a saved and reopened project differs from the one saved');
  assert.deepStrictEqual(again, JSON.parse(JSON.stringify(project)), 'the project holds values that JSON cannot keep');
}

function judge(run: () => Project, raw: string[]): void {
  let project: Project;
  try {
    project = run();
  } catch (e) {
    if (!(e instanceof ProjectFileError)) throw new Error(`threw ${(e as Error)?.name ?? typeof e}, not a ProjectFileError: ${(e as Error)?.message?.slice(0, 200)}`, { cause: e });
    expectClearError(e, raw);
    return;
  }
  checkAccepted(project);
}

export const projectParse = defineTarget({
  name: 'project text (parseProject)',
  runs: 2500,
  sampleRuns: 60,
  arbitrary: projectText,
  check(text) {
    judge(() => parseProject(text, 'fuzz.neurowire.json'), [text, ...parsedStrings(text)]);
  },
});

let dir = '';
let count = 0;
export const projectFile = defineTarget({
  name: 'project file (openProjectFile)',
  runs: 500,
  sampleRuns: 20,
  arbitrary: fc.oneof(
    { weight: 3, arbitrary: projectText.map((t) => new TextEncoder().encode(t)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  ),
  async setup() {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-fuzz-project-'));
  },
  async teardown() {
    await fs.rm(dir, { recursive: true, force: true });
  },
  async check(bytes) {
    const file = path.join(dir, `case-${count++}.neurowire.json`);
    await fs.writeFile(file, bytes);
    const text = Buffer.from(bytes).toString('utf8');
    let project: Project | undefined;
    let error: unknown;
    try {
      project = await openProjectFile(file);
    } catch (e) {
      error = e;
    } finally {
      await fs.rm(file, { force: true });
    }
    judge(() => {
      if (error !== undefined) throw error;
      return project!;
    }, [text, Buffer.from(bytes).toString('latin1'), ...parsedStrings(text)]);
  },
});
