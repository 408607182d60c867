import type { DatasetChoice } from '../../../../main/core/project';
import { useActions } from '../../store/context';
import { CheckField, NumberField } from './controls';

/** Percent with at most one decimal, from a fraction. */
const pct = (f: number) => Math.round(f * 1000) / 10;

/** How the samples are split into training, validation and test sets. */
export function SplitFields({ choice, classification }: { choice: DatasetChoice; classification: boolean }) {
  const actions = useActions();
  const trainPct = Math.round((100 - pct(choice.validationFraction) - pct(choice.testFraction)) * 10) / 10;
  return (
    <div className="data-split">
      <div className="data-form__row">
        <NumberField
          id="data-val-pct"
          label="Validation %"
          value={pct(choice.validationFraction)}
          min={0}
          max={50}
          step="any"
          onCommit={(v) => actions.setDatasetSplit({ validationFraction: Math.round(v * 10) / 1000 })}
        />
        <NumberField
          id="data-test-pct"
          label="Test %"
          value={pct(choice.testFraction)}
          min={0}
          max={50}
          step="any"
          onCommit={(v) => actions.setDatasetSplit({ testFraction: Math.round(v * 10) / 1000 })}
        />
      </div>
      <div className="field__help data-split__train">{trainPct}% of the samples train the model.</div>
      <NumberField id="data-split-seed" label="Split seed" value={choice.splitSeed} min={0} max={2 ** 31 - 1} onCommit={(splitSeed) => actions.setDatasetSplit({ splitSeed })} />
      {classification && (
        <CheckField
          id="data-stratify"
          label="Stratify"
          checked={choice.stratify}
          onChange={(stratify) => actions.setDatasetSplit({ stratify })}
          help="Keep each class's share the same in every split."
        />
      )}
    </div>
  );
}
