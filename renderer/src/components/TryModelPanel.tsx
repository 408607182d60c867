import { useEffect, useRef, useState, type DragEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { mnistDigit } from '../../../main/core/preprocess';
import { MAX_IMAGE_FILE_BYTES, type ModelInputs, type OutputPrediction } from '../../../main/core/prediction';
import type { RunSummary } from '../../../main/core/api/contract';
import { useActions, useApp, useAppStore } from '../store/context';
import { formatPercent } from '../format';
import './try/try-model.css';

/** The drawing canvas's size in pixels: ten times MNIST's, downscaled to 28×28 as MNIST digits were made. */
const DRAW_SIZE = 280;
const STROKE_WIDTH = 22;

/** Give a trained model one sample (a drawing, an image file, a table row, a sentence) and see what it predicts. */
export function TryModelPanel() {
  const actions = useActions();
  const t = useApp((s) => s.tryModel);
  const runs = useApp((s) => s.runs.list);
  const store = useAppStore();
  useEffect(() => {
    // Once per showing of the tab (keeping the run picked before); a run finishing meanwhile moves the tab by itself.
    if (store.getState().runs.status === 'idle') void actions.refreshRuns();
    void actions.chooseTryRun(store.getState().tryModel.chosenRunId);
  }, [actions, store]);
  const trained = runs.filter((r) => r.hasModel && r.status !== 'running');

  return (
    <div className="try-panel" data-testid="try-panel">
      <div className="try-panel__bar">
        <label className="field__label" htmlFor="try-run">
          Model
        </label>
        <select id="try-run" className="field__input" data-testid="try-run" value={t.chosenRunId ?? ''} onChange={(e) => void actions.chooseTryRun(e.target.value || null)}>
          <option value="">Latest of this project{t.chosenRunId === null && t.runId ? ` (${runLabel(runs.find((r) => r.runId === t.runId)) ?? t.runId})` : ''}</option>
          {trained.map((r) => (
            <option key={r.runId} value={r.runId}>
              {r.projectName} — {runLabel(r)}
            </option>
          ))}
        </select>
        {t.busy && <span className="try-panel__busy">Working…</span>}
      </div>
      {!t.runId && !t.busy && !t.error && <div className="try-panel__empty">No trained model yet — train the network, then try it here on a sample of your own.</div>}
      {t.inputs && (
        <div className="try-panel__body">
          <div className="try-panel__input">
            <SampleInput inputs={t.inputs} />
          </div>
          <div className="try-panel__output">
            {t.error && (
              <div className="try-panel__error" role="alert" data-testid="try-error">
                {t.error}
              </div>
            )}
            {t.prediction?.outputs.map((o) => <OutputView key={o.name} output={o} several={t.prediction!.outputs.length > 1} />)}
            {!t.prediction && !t.error && <div className="try-panel__empty">Give a sample to see the prediction.</div>}
          </div>
        </div>
      )}
      {!t.inputs && t.error && (
        <div className="try-panel__error" role="alert" data-testid="try-error">
          {t.error}
        </div>
      )}
    </div>
  );
}

/** A run as the picker names it: when it started, its data and its test score. */
function runLabel(r: RunSummary | undefined): string | undefined {
  if (!r) return undefined;
  return `${new Date(r.startedMs).toLocaleString()} — ${r.datasetName}${r.test ? ` — test ${formatPercent(r.test.acc)}` : ''}`;
}

function SampleInput({ inputs }: { inputs: ModelInputs }) {
  switch (inputs.kind) {
    case 'image':
      return (
        <>
          {inputs.image && inputs.image.width <= 64 && inputs.image.height <= 64 && <DrawingPad />}
          <ImageFileInput />
        </>
      );
    case 'table':
      return <RowInput columns={inputs.columns ?? []} />;
    case 'text':
      return <TextInput />;
    case 'unsupported':
      return <div className="try-panel__empty">{inputs.reason}</div>;
  }
}

/** Draw with the mouse or a finger: white ink on black, like MNIST; each stroke asks for a prediction. */
function DrawingPad() {
  const actions = useActions();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const [hasInk, setHasInk] = useState(false);

  const clear = () => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, DRAW_SIZE, DRAW_SIZE);
    setHasInk(false);
  };
  useEffect(clear, []);

  const point = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * DRAW_SIZE) / r.width, y: ((e.clientY - r.top) * DRAW_SIZE) / r.height };
  };
  const down = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const ctx = e.currentTarget.getContext('2d');
    if (!ctx) return;
    e.currentTarget.setPointerCapture?.(e.pointerId);
    drawing.current = true;
    const p = point(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = STROKE_WIDTH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
  };
  const move = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const ctx = e.currentTarget.getContext('2d');
    const p = point(e);
    ctx?.lineTo(p.x, p.y);
    ctx?.stroke();
  };
  const up = () => {
    if (!drawing.current) return;
    drawing.current = false;
    setHasInk(true);
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const rgba = ctx.getImageData(0, 0, DRAW_SIZE, DRAW_SIZE).data;
    const ink = new Uint8Array(DRAW_SIZE * DRAW_SIZE);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4];
    const digit = mnistDigit(ink, DRAW_SIZE, DRAW_SIZE);
    void actions.predictSample({ type: 'pixels', width: 28, height: 28, channels: 1, pixels: Array.from(digit) });
  };

  return (
    <div className="try-draw">
      <canvas
        ref={canvas}
        width={DRAW_SIZE}
        height={DRAW_SIZE}
        className="try-draw__canvas"
        data-testid="try-canvas"
        aria-label="Drawing area: draw a digit"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerLeave={up}
      />
      <button type="button" className="btn" data-testid="try-clear" disabled={!hasInk} onClick={clear}>
        Clear
      </button>
    </div>
  );
}

/** Drop an image on the area or pick one; the engine decodes and resizes it as it does training images. */
function ImageFileInput() {
  const actions = useActions();
  const [preview, setPreview] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const use = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_IMAGE_FILE_BYTES) {
      setProblem(`${file.name} is ${(file.size / 1024 / 1024).toFixed(0)} MB; pick an image under ${MAX_IMAGE_FILE_BYTES / 1024 / 1024} MB.`);
      return;
    }
    setProblem(null);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    setPreview((old) => {
      if (old) URL.revokeObjectURL(old);
      return URL.createObjectURL(file);
    });
    void actions.predictSample({ type: 'image', name: file.name, dataBase64: btoa(binary) });
  };
  const drop = (e: DragEvent<HTMLLabelElement>) => {
    e.preventDefault();
    e.stopPropagation(); // not a project dropped on the app
    void use(e.dataTransfer.files[0]);
  };
  return (
    <label className="try-file" data-testid="try-file-drop" onDragOver={(e) => e.preventDefault()} onDrop={drop}>
      {preview ? <img src={preview} alt="The image given" className="try-file__preview" /> : null}
      <span>Drop an image here, or pick one</span>
      <input
        type="file"
        accept="image/png,image/jpeg"
        data-testid="try-file"
        onChange={(e) => {
          void use(e.target.files?.[0]);
          e.target.value = ''; // the same file picked again is tried again
        }}
      />
      {problem && <span className="try-panel__error">{problem}</span>}
    </label>
  );
}

function RowInput({ columns }: { columns: string[] }) {
  const actions = useActions();
  const [row, setRow] = useState('');
  const submit = () => void actions.predictSample({ type: 'row', text: row });
  return (
    <form
      className="try-typed"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="field__label" htmlFor="try-row">
        One row: {columns.join(', ')}
      </label>
      <input id="try-row" className="field__input" data-testid="try-row" value={row} placeholder={columns.join(',')} onChange={(e) => setRow(e.target.value)} />
      <button type="submit" className="btn" data-testid="try-predict">
        Predict
      </button>
    </form>
  );
}

function TextInput() {
  const actions = useActions();
  const [text, setText] = useState('');
  return (
    <form
      className="try-typed"
      onSubmit={(e) => {
        e.preventDefault();
        void actions.predictSample({ type: 'text', text });
      }}
    >
      <label className="field__label" htmlFor="try-text">
        A sentence
      </label>
      <textarea id="try-text" className="field__input" data-testid="try-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" className="btn" data-testid="try-predict">
        Predict
      </button>
    </form>
  );
}

const MAX_VALUES_SHOWN = 20;

function OutputView({ output, several }: { output: OutputPrediction; several: boolean }) {
  if (output.probabilities && output.classNames) {
    const data = output.classNames.map((name, i) => ({ name, p: output.probabilities![i] }));
    return (
      <figure className="try-output" data-testid="try-output" data-output={output.name}>
        <figcaption className="try-output__title">
          {several ? `${output.name}: ` : 'Prediction: '}
          <strong data-testid="try-predicted">{output.predicted}</strong> ({formatPercent(Math.max(...output.probabilities))})
        </figcaption>
        <BarChart responsive style={{ width: '100%', height: 180 }} data={data} margin={{ top: 4, right: 12, bottom: 0, left: -8 }} data-testid="try-bars">
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6eb" vertical={false} />
          <XAxis dataKey="name" fontSize={11} interval={0} />
          <YAxis domain={[0, 1]} fontSize={11} width={44} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? formatPercent(v) : String(v))} />
          <Bar dataKey="p" name="probability" fill="#2456a6" minPointSize={1} isAnimationActive={false} />
        </BarChart>
        <ol className="try-output__list" aria-label="Class probabilities">
          {data.map((d) => (
            <li key={d.name} data-testid="try-probability" data-class={d.name} data-value={d.p.toFixed(6)}>
              {d.name}: {formatPercent(d.p)}
            </li>
          ))}
        </ol>
      </figure>
    );
  }
  const values = output.values ?? [];
  return (
    <div className="try-output" data-testid="try-output" data-output={output.name}>
      <div className="try-output__title">{several || values.length > 1 ? `${output.name}:` : 'Predicted value:'}</div>
      <div className="try-output__values" data-testid="try-values">
        {values.slice(0, MAX_VALUES_SHOWN).map((v, i) => (
          <span key={i} className="try-output__value">
            {+v.toPrecision(5)}
          </span>
        ))}
        {values.length > MAX_VALUES_SHOWN && <span> … {values.length - MAX_VALUES_SHOWN} more</span>}
      </div>
    </div>
  );
}
