import type { TemplateInfo } from '../../../main/core/api/contract';
import { useActions, useApp } from '../store/context';
import { formatCount } from '../format';
import { Modal } from './Dialogs';
import { BOX_HEIGHT, BOX_WIDTH, LABEL_SIZE, graphThumbnail } from './graphThumbnail';

/** One fill per palette category (CATEGORY_ORDER), light enough for dark labels. */
const CATEGORY_FILLS = ['#e3e8ef', '#dbe7fb', '#efe1fa', '#dcf2e4', '#fbe8d5', '#e0f1f5', '#f8e0e6', '#ecebdc', '#f1f1f1', '#fdf3c9'];

/** The template's graph as small labelled boxes at the layers' canvas positions. */
export function GraphThumbnail({ template }: { template: TemplateInfo }) {
  const t = graphThumbnail(template.graph);
  const layers = template.graph.nodes.map((n) => n.kind).join(', ');
  return (
    <svg className="template-card__graph" data-testid="template-thumbnail" viewBox={t.viewBox} preserveAspectRatio="xMidYMid meet" role="img" aria-label={`Graph of ${template.name}: ${layers}`}>
      {t.edges.map((e) => (
        <path key={e.key} d={e.d} className="template-card__edge" />
      ))}
      {t.boxes.map((b) => (
        <g key={b.id} data-testid="template-thumbnail-node">
          <title>{b.title}</title>
          <rect x={b.x} y={b.y} width={BOX_WIDTH} height={BOX_HEIGHT} rx={10} fill={CATEGORY_FILLS[b.category % CATEGORY_FILLS.length]} className="template-card__box" />
          <text
            x={b.x + BOX_WIDTH / 2}
            y={b.y + BOX_HEIGHT / 2}
            fontSize={LABEL_SIZE}
            textAnchor="middle"
            dominantBaseline="central"
            className="template-card__label"
            {...(b.textLength !== undefined && { textLength: b.textLength, lengthAdjust: 'spacingAndGlyphs' })}
          >
            {b.label}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** Every template as a card: its graph, dataset, parameter count and description (which states its accuracy). */
export function TemplateGallery({ onClose }: { onClose: () => void }) {
  const actions = useActions();
  const templates = useApp((s) => s.engine.templates);
  const choose = (id: string) => {
    onClose();
    void actions.newFromTemplate(id);
  };
  return (
    <Modal title="New from a template" onClose={onClose} testId="template-gallery" wide>
      {templates.length === 0 && <div className="muted">No templates were found.</div>}
      <ul className="template-gallery" aria-label="Templates">
        {templates.map((t) => (
          <li key={t.id}>
            <button type="button" className="template-card" data-testid="template-card" data-template-id={t.id} onClick={() => choose(t.id)} aria-label={`Open the ${t.name} template`}>
              <GraphThumbnail template={t} />
              <span className="template-card__name">{t.name}</span>
              <span className="template-card__facts">
                <span data-testid="template-dataset">{t.dataset.name}</span>
                <span data-testid="template-params">{formatCount(t.parameters)} parameters</span>
              </span>
              <span className="template-card__description" data-testid="template-description">
                {t.description}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="modal__buttons">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
