import { useEffect, useState, type CSSProperties, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import { DatasetPanel } from './DatasetPanel';
import { TrainingPanel } from './TrainingPanel';
import { EvaluationPanel } from './EvaluationPanel';
import { RunsPanel } from './RunsPanel';
import { SummaryPanel } from './SummaryPanel';
import { TryModelPanel } from './TryModelPanel';
import { InsidePanel } from './inside/InsidePanel';
import { useApp } from '../store/context';
import './data/data.css';

interface BottomTab {
  id: string;
  label: string;
  element: ReactNode;
}

/** The tabs under the canvas, in order. Add a tab by adding an entry; its button gets data-testid `tab-<id>`. */
const TABS: readonly BottomTab[] = [
  { id: 'data', label: 'Data', element: <DatasetPanel /> },
  { id: 'training', label: 'Training', element: <TrainingPanel /> },
  { id: 'evaluation', label: 'Evaluation', element: <EvaluationPanel /> },
  { id: 'runs', label: 'Runs', element: <RunsPanel /> },
  { id: 'summary', label: 'Summary', element: <SummaryPanel /> },
  { id: 'try', label: 'Try', element: <TryModelPanel /> },
  { id: 'inside', label: 'Inside', element: <InsidePanel /> },
];

/** Shown first: training, where a new project goes next (and where the first end-to-end test starts). */
const DEFAULT_TAB = 'training';

const DEFAULT_HEIGHT = 280;
const MIN_HEIGHT = 160;
const HEIGHT_KEY = 'neurowire.bottomPanelHeight';

function savedHeight(): number {
  const v = Number(globalThis.localStorage?.getItem(HEIGHT_KEY));
  return Number.isFinite(v) && v >= MIN_HEIGHT ? v : DEFAULT_HEIGHT;
}

/** The panel's height, changed by dragging its top edge and remembered across launches (a view preference, not part of the project). */
function useResizableHeight() {
  const [height, setHeight] = useState(savedHeight);
  const [dragging, setDragging] = useState(false);
  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const startY = e.clientY;
    const startHeight = height;
    const max = Math.max(MIN_HEIGHT, window.innerHeight * 0.75);
    let latest = startHeight;
    setDragging(true);
    const move = (ev: PointerEvent) => {
      latest = Math.round(Math.min(max, Math.max(MIN_HEIGHT, startHeight + startY - ev.clientY)));
      setHeight(latest);
    };
    const up = () => {
      setDragging(false);
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      globalThis.localStorage?.setItem(HEIGHT_KEY, String(latest));
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return { height, dragging, onPointerDown };
}

export function BottomPanel() {
  const [active, setActive] = useState(DEFAULT_TAB);
  // "Evaluation" on a row of the Runs tab opens the Evaluation tab.
  const evaluationRequest = useApp((s) => s.runs.evaluationRequest);
  useEffect(() => {
    if (evaluationRequest > 0) setActive('evaluation');
  }, [evaluationRequest]);
  // "Inside" on a row of the Runs tab opens the Inside tab.
  const insideRequest = useApp((s) => s.inside.request);
  useEffect(() => {
    if (insideRequest > 0) setActive('inside');
  }, [insideRequest]);
  const current = TABS.find((t) => t.id === active) ?? TABS[0];
  const resize = useResizableHeight();
  return (
    <div className="bottom-panel" style={{ '--bottom-panel-height': `${resize.height}px` } as CSSProperties}>
      <div
        className={`bottom-panel__resizer${resize.dragging ? ' bottom-panel__resizer--dragging' : ''}`}
        role="separator"
        aria-orientation="horizontal"
        aria-label="Resize the panel"
        data-testid="bottom-panel-resizer"
        onPointerDown={resize.onPointerDown}
      />
      <div className="bottom-panel__tabs" role="tablist" aria-label="Panels">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`bottom-tab-${t.id}`}
            aria-selected={t.id === current.id}
            aria-controls="bottom-panel-content"
            className={`bottom-panel__tab${t.id === current.id ? ' bottom-panel__tab--active' : ''}`}
            data-testid={`tab-${t.id}`}
            onClick={() => setActive(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="bottom-panel__content" role="tabpanel" id="bottom-panel-content" aria-labelledby={`bottom-tab-${current.id}`}>
        {current.element}
      </div>
    </div>
  );
}
