/**
 * Bugs the fuzz suite (tests/fuzz) found, each pinned by the smallest input that showed it: a crash where a clear
 * refusal was due, or a message that pasted the input back (control characters, thousands of characters).
 */
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importKerasModel, KerasImportError } from '../../main/core/import/keras';
import { Engine } from '../../main/node/engine';
import { checkRunId } from '../../main/node/runs';
import { inspectCsv, type CsvSource } from '../../main/node/datasets/csv';
import { readCsv } from '../../main/node/datasets/csvRows';
import { unclearReason } from '../fuzz/clearError';

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('the Keras importer on damaged models', () => {
  it('refuses a model whose config is null with its own error, not a TypeError', () => {
    // before: TypeError "Cannot read properties of null (reading 'layers')"
    expect(() => importKerasModel({ class_name: 'Model', config: null })).toThrow(KerasImportError);
    expect(() => importKerasModel({ class_name: 'Sequential', config: null })).toThrow('the model has no outputs');
  });

  it('lists a layer entry without a class_name (or not an object) as a layer it cannot import, with a class that is a string', () => {
    const model = { class_name: 'Sequential', config: { layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], name: 'in' } }, { config: { name: 'gru_1' } }, null, { class_name: { x: 1 }, config: 7 }] } };
    const result = importKerasModel(model);
    expect('unknown' in result && result.unknown).toEqual([
      { name: 'gru_1', className: '(no class_name)' },
      { name: '(no class_name)', className: '(no class_name)' },
      { name: '(no class_name)', className: '(no class_name)' },
    ]);
  });

  it('quotes a long class_name briefly', () => {
    const e = (() => {
      try {
        importKerasModel({ class_name: 'x'.repeat(5000), config: {} });
      } catch (err) {
        return err as Error;
      }
      throw new Error('not refused');
    })();
    expect(e.message).toBe(`the file holds a "${'x'.repeat(40)}…", not a Sequential or functional model`);
  });
});

describe('engine messages name a run id briefly', () => {
  it('quotes an unknown or invalid run id in at most 40 printable characters', async () => {
    const engine = new Engine({ host: 'browser', dataDir: path.join(os.tmpdir(), `neurowire-fuzz-regressions-${process.pid}`) });
    try {
      // before: the whole id, 300 characters and a newline, pasted into the message
      const long = `a\n${'b'.repeat(300)}`;
      for (const method of ['training.stop', 'training.pause', 'training.resume']) {
        const e = await rejection(engine.dispatch(method, { runId: long }));
        expect(e.message).toBe(`No training run "a\ufffd${'b'.repeat(38)}…".`);
      }
      // before: `Invalid request to datasets.columns: delimiter — Invalid option: expected one of "auto"|","|";"|"<tab>"|"|"`
      const e = await rejection(engine.dispatch('datasets.columns', { path: 'x.csv', delimiter: null }));
      expect(e.message).toBe('Invalid request to datasets.columns: delimiter — The delimiter must be auto, a comma, a semicolon, a tab or |');
    } finally {
      await engine.dispose();
    }
    // before: 60 characters, control characters included
    expect(() => checkRunId(`run\u0007${'x'.repeat(100)}`)).toThrow(`"run\ufffd${'x'.repeat(36)}…" is not a run id`);
  });
});

describe('CSV messages quote what the file holds briefly', () => {
  const file = async (name: string, text: string) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-fuzz-csv-'));
    const f = path.join(dir, name);
    await fs.writeFile(f, text);
    return f;
  };
  const source = (p: string, labelColumn: string): CsvSource => ({
    type: 'csv', path: p, delimiter: 'auto', labelColumn, featureColumns: [], task: 'auto', categorical: 'onehot', missing: 'drop-row', badRows: 'skip', inputs: [], targets: [],
  });

  it('lists at most 8 columns of a header, each short and printable, when the label column is not there', async () => {
    // before: every column in full, a control character and a 2,000-character name included
    const header = ['a\u0000b', 'x'.repeat(2000), ...Array.from({ length: 10 }, (_, i) => `c${i}`)];
    const f = await file('t.csv', `${header.join(',')}\n${header.map(() => '1').join(',')}\n`);
    const e = await rejection(inspectCsv(source(f, 'label')));
    expect(e.message).toBe(`t.csv has no column "label" (label). Its columns: "a\ufffdb", "${'x'.repeat(40)}…", "c0", "c1", "c2", "c3", "c4", "c5" and 4 more.`);
    expect(unclearReason(e, [header.join(',')])).toBeNull();
  });

  it('names the column of a broken quote briefly', async () => {
    // before: the column's whole name, tabs included
    const f = await file('q.tsv', `${'h'.repeat(100)}\tb\n"x\t2\n`);
    const e = await rejection(readCsv(f, () => {}));
    expect(e.message).toContain(`q.tsv, line 2, column 1 ("${'h'.repeat(40)}…"): a quoted field is never closed`);
    expect(CONTROL.test(e.message)).toBe(false);
  });
});
