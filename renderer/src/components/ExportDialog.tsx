import { useEffect, useState } from 'react';
import type { QuantizationChoice } from '../../../main/core/api/contract';
import { formatBytes } from '../../../main/core/format';
import type { Quantization } from '../../../main/core/quantize';
import { useActions, useApp } from '../store/context';
import { Modal } from './Dialogs';

const LABELS: Record<Quantization, string> = { none: 'None (float32)', float16: 'float16', uint8: 'uint8' };

/** A file size as people read it: KB below a megabyte. */
export function fileSizeText(bytes: number): string {
  return bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : formatBytes(bytes);
}

/** "+0.2 points", "−1.4 points", "no change" for an accuracy difference on the 0..1 scale. */
export function accuracyChangeText(change: number | null): string {
  if (change === null) return '—';
  const points = Math.round(change * 1000) / 10;
  if (points === 0) return 'no change';
  return `${points > 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} points`;
}

/**
 * Export: the TensorFlow.js weights as they are, or quantized to float16 or uint8, each choice with the weight file's
 * size and the test-accuracy change the engine measured on the run's test split. The export writes the Keras and
 * TypeScript projects and the pictures of the network too.
 */
export function ExportDialog() {
  const request = useApp((s) => s.runs.exportDialog);
  const actions = useActions();
  const [choices, setChoices] = useState<QuantizationChoice[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [picked, setPicked] = useState<Quantization>('none');
  const [busy, setBusy] = useState(false);
  const runId = request?.runId ?? null;

  useEffect(() => {
    setChoices(null);
    setProblem(null);
    setPicked('none');
    if (!runId) return;
    let live = true;
    actions
      .previewQuantization(runId)
      .then((c) => live && setChoices(c))
      .catch((e: Error) => live && setProblem(e.message));
    return () => {
      live = false;
    };
  }, [runId, actions]);

  if (!request) return null;
  const close = () => actions.askExport(null);
  const confirm = async () => {
    setBusy(true);
    const quantize = picked === 'none' ? undefined : picked;
    if (request.from === 'training') await actions.exportModel(quantize);
    else await actions.exportRun(request.runId, quantize);
    setBusy(false);
    close();
  };
  const shown: QuantizationChoice[] = choices ?? (['none', 'float16', 'uint8'] as const).map((quantization) => ({ quantization, weightBytes: 0, testSamples: 0, testLoss: null, testAccuracy: null, accuracyChange: null }));

  return (
    <Modal title="Export model" onClose={close} testId="export-dialog">
      <p className="modal__text">
        Writes the TensorFlow.js model, the TypeScript and Keras projects, a picture of the network and its summary. Quantizing
        the weights makes the TensorFlow.js files smaller; stock TensorFlow.js loads them as they are.
      </p>
      <fieldset className="export-choices" aria-label="Weight quantization">
        <legend className="field__label">Weight quantization</legend>
        {shown.map((c) => (
          <label key={c.quantization} className="export-choice" data-testid={`export-quantize-${c.quantization}`}>
            <input type="radio" name="quantize" value={c.quantization} checked={picked === c.quantization} disabled={busy} onChange={() => setPicked(c.quantization)} />{' '}
            <strong>{LABELS[c.quantization]}</strong>{' '}
            {choices ? (
              <span className="muted" data-testid={`export-quantize-${c.quantization}-info`}>
                weights {fileSizeText(c.weightBytes)}
                {c.quantization !== 'none' && `, test accuracy ${accuracyChangeText(c.accuracyChange)}`}
                {c.quantization === 'none' && c.testAccuracy !== null && `, test accuracy ${(c.testAccuracy * 100).toFixed(1)} % on ${c.testSamples} samples`}
              </span>
            ) : (
              !problem && <span className="muted">measuring…</span>
            )}
          </label>
        ))}
      </fieldset>
      {problem && <div className="error-text">Could not measure the quantized models: {problem}</div>}
      <div className="modal__buttons">
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" data-testid="export-confirm" disabled={busy} onClick={() => void confirm()}>
          {busy ? 'Exporting…' : 'Export'}
        </button>
      </div>
    </Modal>
  );
}
