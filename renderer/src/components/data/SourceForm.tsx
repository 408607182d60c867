import { useState } from 'react';
import type { DatasetInfo } from '../../../../main/core/datasets';
import { DatasetSourceSchema, type BuiltinDatasetName, type DatasetSource } from '../../../../main/core/project';
import { isBuiltinId } from '../../store/analysis';
import { useActions } from '../../store/context';
import type { OwnDataType } from '../../store/dataSource';
import type { TableColumn } from '../../../../main/core/datasetColumns';
import { BindingFields } from './BindingFields';
import { formatCount } from '../../format';
import { PathField } from './PathField';
import { CheckField, ColumnChecklist, ColumnSelect, NumberField, SelectField } from './controls';

export const SOURCE_TYPES: readonly (readonly [DatasetSource['type'], string])[] = [
  ['builtin', 'Built-in'],
  ['csv', 'CSV table'],
  ['images', 'Image folder'],
  ['text', 'Text (CSV)'],
  ['timeseries', 'Time series (CSV)'],
];

/** Built-ins read from a folder a person may point at (the others are bundled or generated). */
const FOLDER_BUILTINS = new Set<string>(['fashion-mnist', 'cifar10']);
/** Generated sets with a size and noise level. */
const SYNTHETIC_BUILTINS = new Set<string>(['spirals', 'xor', 'circles', 'sine', 'reviews']);

type Builtin = Extract<DatasetSource, { type: 'builtin' }>;
type Csv = Extract<DatasetSource, { type: 'csv' }>;
type Images = Extract<DatasetSource, { type: 'images' }>;
type Text = Extract<DatasetSource, { type: 'text' }>;
type Series = Extract<DatasetSource, { type: 'timeseries' }>;

const PATH_HELP: Record<OwnDataType, { label: string; placeholder: string; help: string }> = {
  csv: { label: 'CSV file', placeholder: '/path/to/table.csv', help: 'Comma, semicolon or tab separated, with a header row.' },
  images: { label: 'Image folder', placeholder: '/path/to/images', help: 'One subfolder per class with PNG or JPEG files inside.' },
  text: { label: 'CSV file with texts', placeholder: '/path/to/texts.csv', help: 'One text and its label per row, with a header row.' },
  timeseries: { label: 'CSV file with a series', placeholder: '/path/to/series.csv', help: 'One time step per row, oldest first, with a header row.' },
};

/** The form for the dataset source: built-in choice or a person's own file/folder and its options. */
export function SourceForm({
  source,
  shownType,
  columns,
  builtins,
  onPickType,
}: {
  source: DatasetSource;
  /** The type chosen in the picker; differs from source.type while a new source's path is still to be given. */
  shownType: DatasetSource['type'];
  columns: readonly TableColumn[] | undefined;
  builtins: readonly DatasetInfo[];
  onPickType: (type: DatasetSource['type']) => void;
}) {
  const actions = useActions();
  const update = (patch: Partial<Record<string, unknown>>) => {
    const r = DatasetSourceSchema.safeParse({ ...source, ...patch });
    if (r.success) actions.setDatasetSource(r.data);
    else actions.notify('error', r.error.issues[0]?.message ?? 'That dataset option is not valid.', 'data');
  };
  const pending = shownType !== source.type;

  return (
    <div className="data-form">
      <SelectField id="data-source-type" label="Source" value={shownType} options={SOURCE_TYPES} onChange={onPickType} />
      {shownType === 'builtin' && source.type === 'builtin' && <BuiltinFields source={source} builtins={builtins} update={update} />}
      {shownType !== 'builtin' && pending && <PendingFields type={shownType} />}
      {!pending && source.type === 'csv' && <CsvFields source={source} columns={columns} update={update} />}
      {!pending && source.type === 'images' && <ImageFields source={source} update={update} />}
      {!pending && source.type === 'text' && <TextFields source={source} columns={columns} update={update} />}
      {!pending && source.type === 'timeseries' && <SeriesFields source={source} columns={columns} update={update} />}
    </div>
  );
}

type Update = (patch: Partial<Record<string, unknown>>) => void;

function BuiltinFields({ source, builtins, update }: { source: Builtin; builtins: readonly DatasetInfo[]; update: Update }) {
  const listed = builtins.filter((d) => isBuiltinId(d.id));
  const current = listed.find((d) => d.id === source.name);
  return (
    <>
      <div className="field field--compact">
        <label className="field__label" htmlFor="data-builtin">
          Dataset
        </label>
        <select
          id="data-builtin"
          data-testid="data-builtin"
          className="field__input"
          value={source.name}
          onChange={(e) => update({ name: e.target.value as BuiltinDatasetName, dir: undefined })}
        >
          {!current && <option value={source.name}>{source.name} (not available)</option>}
          {listed.map((d) => {
            // Without its files a built-in cannot be used, except where a folder can still be given here.
            const needsFolder = !d.available && FOLDER_BUILTINS.has(d.id);
            return (
              <option key={d.id} value={d.id} disabled={!d.available && !needsFolder} title={d.available ? d.description : d.unavailableReason}>
                {d.name}
                {d.available ? '' : needsFolder ? ' — choose its folder' : ` — not available: ${d.unavailableReason ?? 'files missing'}`}
              </option>
            );
          })}
        </select>
        {current && !current.available && (
          <div className="field__help warn-text" data-testid="data-builtin-unavailable">
            {current.unavailableReason ?? 'Its files were not found.'}
          </div>
        )}
      </div>
      {FOLDER_BUILTINS.has(source.name) && (
        <PathField
          id="data-builtin-dir"
          testId="data-builtin-dir"
          label="Folder with its files"
          purpose="dataFolder"
          value={source.dir ?? ''}
          placeholder="found automatically where possible"
          onChoose={(dir) => update({ dir })}
        />
      )}
      {SYNTHETIC_BUILTINS.has(source.name) && (
        <div className="data-form__row">
          <NumberField id="data-samples" label="Samples" value={source.samples} min={10} max={1_000_000} onCommit={(samples) => update({ samples })} />
          <NumberField id="data-noise" label="Noise" value={source.noise} min={0} max={5} step="any" onCommit={(noise) => update({ noise })} />
        </div>
      )}
      {current && (current.totalSamples !== null || current.description) && (
        <div className="field__help">
          {current.description}
          {current.totalSamples !== null && ` (${formatCount(current.totalSamples)} samples)`}
        </div>
      )}
    </>
  );
}

/** A new own-data source before its path is known: the path, and the image size that can be set up front. */
function PendingFields({ type }: { type: OwnDataType }) {
  const actions = useActions();
  const [images, setImages] = useState<Images>(() => DatasetSourceSchema.parse({ type: 'images', path: '-' }) as Images);
  const h = PATH_HELP[type];
  return (
    <>
      <PathField
        id="data-path"
        label={h.label}
        purpose={type === 'images' ? 'dataFolder' : 'dataFile'}
        value=""
        placeholder={h.placeholder}
        help={h.help}
        onChoose={(path) => void actions.chooseDataPath(type, path, type === 'images' ? images : undefined)}
      />
      {type === 'images' && <ImageSizeFields source={images} update={(p) => setImages({ ...images, ...p } as Images)} />}
      <div className="field__help">The project keeps its current dataset until this one has been read.</div>
    </>
  );
}

function OwnPathField({ source }: { source: Csv | Images | Text | Series }) {
  const actions = useActions();
  const h = PATH_HELP[source.type];
  return (
    <PathField
      id="data-path"
      label={h.label}
      purpose={source.type === 'images' ? 'dataFolder' : 'dataFile'}
      value={source.path}
      placeholder={h.placeholder}
      onChoose={(path) => void actions.chooseDataPath(source.type, path, source)}
    />
  );
}

function CsvFields({ source, columns, update }: { source: Csv; columns: readonly TableColumn[] | undefined; update: Update }) {
  const features = (columns ?? []).filter((c) => c.name !== source.labelColumn);
  return (
    <>
      <OwnPathField source={source} />
      <ColumnSelect
        id="data-label-column"
        label="Label column"
        value={source.labelColumn}
        columns={columns}
        onChange={(labelColumn) => update({ labelColumn, featureColumns: source.featureColumns.filter((c) => c !== labelColumn) })}
      />
      <ColumnChecklist
        id="data-feature-columns"
        label="Feature columns"
        columns={features}
        selected={source.featureColumns}
        onChange={(featureColumns) => update({ featureColumns })}
      />
      <div className="data-form__row">
        <SelectField
          id="data-task"
          label="Task"
          value={source.task}
          options={[
            ['auto', 'Auto'],
            ['classification', 'Classification'],
            ['regression', 'Regression'],
          ]}
          onChange={(task) => update({ task })}
        />
        <SelectField
          id="data-delimiter"
          label="Delimiter"
          value={source.delimiter}
          options={[
            ['auto', 'Auto'],
            [',', 'Comma'],
            [';', 'Semicolon'],
            ['\t', 'Tab'],
            ['|', 'Pipe'],
          ]}
          onChange={(delimiter) => update({ delimiter })}
        />
      </div>
      <div className="data-form__row">
        <SelectField
          id="data-categorical"
          label="Categories"
          value={source.categorical}
          options={[
            ['onehot', 'One-hot'],
            ['index', 'Index'],
          ]}
          onChange={(categorical) => update({ categorical })}
        />
        <SelectField
          id="data-missing"
          label="Missing values"
          value={source.missing}
          options={[
            ['drop-row', 'Drop the row'],
            ['mean', 'Column mean'],
            ['zero', 'Zero'],
          ]}
          onChange={(missing) => update({ missing })}
        />
      </div>
      <BindingFields source={source} columns={columns} commit={(next) => update(next)} />
      <SelectField
        id="data-bad-rows"
        label="Bad rows"
        value={source.badRows}
        options={[
          ['skip', 'Skip them (and list them)'],
          ['stop', 'Stop training at the first'],
        ]}
        onChange={(badRows) => update({ badRows })}
      />
    </>
  );
}

function ImageSizeFields({ source, update }: { source: Images; update: Update }) {
  return (
    <div className="data-form__row data-form__row--3">
      <NumberField id="data-width" label="Width" value={source.width} min={4} max={1024} onCommit={(width) => update({ width })} />
      <NumberField id="data-height" label="Height" value={source.height} min={4} max={1024} onCommit={(height) => update({ height })} />
      <SelectField
        id="data-channels"
        label="Channels"
        value={String(source.channels) as '1' | '3'}
        options={[
          ['1', '1 (gray)'],
          ['3', '3 (RGB)'],
        ]}
        onChange={(c) => update({ channels: Number(c) })}
      />
    </div>
  );
}

function ImageFields({ source, update }: { source: Images; update: Update }) {
  return (
    <>
      <OwnPathField source={source} />
      <ImageSizeFields source={source} update={update} />
      <div className="field__help">Every image is resized to this size.</div>
    </>
  );
}

function TextFields({ source, columns, update }: { source: Text; columns: readonly TableColumn[] | undefined; update: Update }) {
  return (
    <>
      <OwnPathField source={source} />
      <div className="data-form__row">
        <ColumnSelect id="data-text-column" label="Text column" value={source.textColumn} columns={columns} onChange={(textColumn) => update({ textColumn })} />
        <ColumnSelect id="data-label-column" label="Label column" value={source.labelColumn} columns={columns} onChange={(labelColumn) => update({ labelColumn })} />
      </div>
      <div className="data-form__row">
        <NumberField id="data-vocab-size" label="Vocabulary size" value={source.vocabSize} min={10} max={200_000} onCommit={(vocabSize) => update({ vocabSize })} />
        <NumberField
          id="data-sequence-length"
          label="Sequence length"
          value={source.sequenceLength}
          min={2}
          max={10_000}
          onCommit={(sequenceLength) => update({ sequenceLength })}
        />
      </div>
      <CheckField id="data-lowercase" label="Lowercase the texts" checked={source.lowercase} onChange={(lowercase) => update({ lowercase })} />
      <div className="field__help" data-testid="data-vocabulary">
        {source.vocabulary
          ? `Vocabulary stored in the project: ${formatCount(source.vocabulary.length)} words.`
          : 'The vocabulary is stored in the project when you train or fit the model, so trained models keep working.'}
      </div>
    </>
  );
}

function SeriesFields({ source, columns, update }: { source: Series; columns: readonly TableColumn[] | undefined; update: Update }) {
  const numeric = (columns ?? []).filter((c) => c.type === 'number');
  return (
    <>
      <OwnPathField source={source} />
      <ColumnSelect
        id="data-target-column"
        label="Column to predict"
        value={source.targetColumn}
        columns={numeric.length ? numeric : columns}
        onChange={(targetColumn) => update({ targetColumn })}
      />
      <ColumnChecklist
        id="data-feature-columns"
        label="Input columns"
        columns={numeric}
        selected={source.featureColumns}
        onChange={(featureColumns) => update({ featureColumns })}
        help="Unchecked columns are not fed to the model; all checked means every numeric column."
      />
      <div className="data-form__row data-form__row--3">
        <NumberField id="data-window" label="Window" value={source.window} min={2} max={100_000} onCommit={(window) => update({ window })} />
        <NumberField id="data-horizon" label="Horizon" value={source.horizon} min={1} max={10_000} onCommit={(horizon) => update({ horizon })} />
        <NumberField id="data-stride" label="Stride" value={source.stride} min={1} max={10_000} onCommit={(stride) => update({ stride })} />
      </div>
      <div className="field__help">Each sample is {source.window} steps; the model predicts the value {source.horizon} step(s) after them.</div>
    </>
  );
}
