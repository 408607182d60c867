import { useEffect, useState, type ReactNode } from 'react';
import { DatasetPanel } from './DatasetPanel';
import { TrainingPanel } from './TrainingPanel';
import { EvaluationPanel } from './EvaluationPanel';
import { RunsPanel } from './RunsPanel';
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
];

/** Shown first: training, where a new project goes next (and where the first end-to-end test starts). */
const DEFAULT_TAB = 'training';

export function BottomPanel() {
  const [active, setActive] = useState(DEFAULT_TAB);
  // "Evaluation" on a row of the Runs tab opens the Evaluation tab.
  const evaluationRequest = useApp((s) => s.runs.evaluationRequest);
  useEffect(() => {
    if (evaluationRequest > 0) setActive('evaluation');
  }, [evaluationRequest]);
  const current = TABS.find((t) => t.id === active) ?? TABS[0];
  return (
    <div className="bottom-panel">
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
