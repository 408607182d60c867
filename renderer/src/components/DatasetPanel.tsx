import { useEffect, useState } from 'react';
import { datasetKey, type DatasetChoice, type DatasetSource, type DatasetTargetChoice } from '../../../main/core/project';
import { reconstructionProblem } from '../../../main/core/datasets';
import { isBuiltinId, withChoiceTarget } from '../store/analysis';
import { useActions, useApp } from '../store/context';
import type { OwnDataType } from '../store/dataSource';
import { DataPreviewView, DataProblems, DataSummary } from './data/DataPreview';
import { SourceForm } from './data/SourceForm';
import { SplitFields } from './data/SplitFields';
import { SelectField } from './data/controls';

/** What the network learns to output: the data's labels, or each sample's own input (an autoencoder). */
function TargetField({ choice, problem }: { choice: DatasetChoice; problem: string | null }) {
  const actions = useActions();
  return (
    <>
      <SelectField<DatasetTargetChoice>
        id="data-target"
        label="The network outputs"
        value={choice.target}
        options={[
          ['labels', 'the labels (classes or values)'],
          ['input', 'the input itself (autoencoder)'],
        ]}
        onChange={(target) => actions.setDatasetSplit({ target })}
        help={choice.target === 'input' ? 'Each sample is its own target: the output must have the input’s shape, the test error is the reconstruction MSE.' : undefined}
      />
      {problem && (
        <div className="training__error" role="alert" data-testid="data-target-problem">
          {problem}
        </div>
      )}
    </>
  );
}

/**
 * The Data tab: where the samples come from (built-in or a person's own files), how they are split,
 * what they look like, and a button that shapes the model's ends to fit them.
 */
export function DatasetPanel() {
  const actions = useActions();
  const choice = useApp((s) => s.project.dataset);
  const datasets = useApp((s) => s.data.datasets);
  const data = useApp((s) => s.data);
  const source = choice.source;
  const key = datasetKey(source);

  // A type picked in the selector before its path is given; the project keeps its source until then.
  const [pendingType, setPendingType] = useState<OwnDataType | null>(null);
  useEffect(() => {
    if (pendingType && source.type === pendingType) setPendingType(null);
  }, [pendingType, source.type]);
  const shownType = pendingType ?? source.type;

  const onPickType = (type: DatasetSource['type']) => {
    if (type === source.type) return setPendingType(null);
    if (type === 'builtin') {
      setPendingType(null);
      const first = datasets.find((d) => isBuiltinId(d.id) && d.available)?.id ?? 'mnist';
      actions.setDatasetSource({ type: 'builtin', name: first as Extract<DatasetSource, { type: 'builtin' }>['name'], samples: 2000, noise: 0.1 });
      return;
    }
    setPendingType(type);
  };

  // The preview shown is the last inspection of this file (its options may be a step behind while loading).
  const preview = data.preview && data.previewSource && datasetKey(data.previewSource) === key && !pendingType ? data.preview : null;
  const read = datasets.find((d) => d.id === key) ?? preview?.info;
  // What the network learns from it: its labels, or (an autoencoder) the input itself.
  const info = read && withChoiceTarget(choice, read);
  const targetProblem = read && choice.target === 'input' ? reconstructionProblem(read) : null;
  const columns = preview?.table?.columns;

  return (
    <section className="data-panel" aria-label="Data" data-testid="data-panel">
      <div className="data-panel__form">
        <h2 className="panel-title">Data</h2>
        <SourceForm source={source} shownType={shownType} columns={columns} builtins={datasets} onPickType={onPickType} />
      </div>

      <div className="data-panel__middle">
        <h2 className="panel-title">Summary</h2>
        {info && !pendingType ? <DataSummary info={info} /> : <div className="field__help">Choose a dataset to see its summary.</div>}
        <button
          type="button"
          className="btn btn--primary data-panel__fit"
          data-testid="fit-to-data"
          disabled={!info || !!pendingType}
          title={info ? `Set the Input shape and the output layer to fit ${info.name}` : 'The data has not been read yet'}
          onClick={() => actions.fitModelToData()}
        >
          Fit the model to this data
        </button>
        <h2 className="panel-title data-panel__split-title">Target</h2>
        <TargetField choice={choice} problem={targetProblem} />
        <h2 className="panel-title data-panel__split-title">Split</h2>
        <SplitFields choice={choice} classification={read?.task !== 'regression'} />
      </div>

      <div className="data-preview" data-testid="data-preview" aria-busy={data.loading}>
        <div className="data-preview__head">
          <h2 className="panel-title">Preview</h2>
          {data.loading && (
            <span className="data-spinner" data-testid="data-loading" role="status">
              <span className="data-spinner__dot" aria-hidden="true" /> Reading the data…
            </span>
          )}
          {!data.loading && !pendingType && (
            <button type="button" className="btn btn--small" data-testid="data-refresh" title="Read the data again" onClick={() => void actions.inspectDataset({ force: true })}>
              Refresh
            </button>
          )}
        </div>
        {data.error && (
          <div className="training__error" role="alert" data-testid="data-error">
            {data.error}
          </div>
        )}
        {preview && <DataProblems problems={preview.problems} count={preview.problemCount} />}
        {preview ? (
          <DataPreviewView preview={preview} />
        ) : (
          !data.loading && !data.error && <div className="chart__empty">{pendingType ? 'Give the path of the data to see a preview.' : 'No preview yet.'}</div>
        )}
      </div>
    </section>
  );
}
