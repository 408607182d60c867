import { getLayerSpec } from '../../../main/core/layers/registry';
import { formatShape } from '../../../main/core/shapes';
import { OutputLossSchema, datasetKey, outputLossOf, withOutputLoss, type ProjectNode } from '../../../main/core/project';
import type { GraphAnalysis } from '../../../main/core/graph/analyze';
import type { ProblemFix } from '../../../main/core/graph/edits';
import type { ParamDef } from '../../../main/core/layers/params';
import { useActions, useApp } from '../store/context';
import { findDataset } from '../store/analysis';
import { useAnalysis } from '../analysis/context';
import { formatCount } from '../format';
import { CommitField, ParamField, parseNumber } from './fields';
import { LayerLinks } from '../editing/LayerLinks';

/** The fixes analysis offers for one message, as buttons; each applies in one undo step. */
function FixButtons({ problem, fixes }: { problem: string; fixes: readonly ProblemFix[] }) {
  const actions = useActions();
  const mine = fixes.filter((f) => f.problem === problem);
  if (!mine.length) return null;
  return (
    <span className="problem__fixes">
      {mine.map((f, i) => (
        <button key={i} type="button" className="btn btn--small problem__fix" data-testid="fix-button" title="Apply this fix (undo with Ctrl+Z)" onClick={() => actions.applyFix(f)}>
          {f.label}
        </button>
      ))}
    </span>
  );
}

function Problems({ errors, warnings, fixes }: { errors: string[]; warnings: string[]; fixes: readonly ProblemFix[] }) {
  if (!errors.length && !warnings.length) return null;
  return (
    <ul className="problems">
      {errors.map((m, i) => (
        <li key={`e${i}`} className="problem problem--error" data-testid="inspector-error">
          <LayerLinks text={m} />
          <FixButtons problem={m} fixes={fixes} />
        </li>
      ))}
      {warnings.map((m, i) => (
        <li key={`w${i}`} className="problem problem--warning" data-testid="inspector-warning">
          <LayerLinks text={m} />
          <FixButtons problem={m} fixes={fixes} />
        </li>
      ))}
    </ul>
  );
}

/** The loss options of an output layer (project.training.outputs): From logits and, for several outputs, its loss weight. */
function OutputLossFields({ node }: { node: ProjectNode }) {
  const actions = useActions();
  const training = useApp((s) => s.project.training);
  const options = outputLossOf(training, node.id);
  return (
    <fieldset className="output-loss" data-testid="output-loss">
      <legend className="field__label">Loss of this output</legend>
      <label className="field field--check" title="The layer gives raw scores (linear); the loss applies softmax or sigmoid itself, which is numerically steadier.">
        <input
          type="checkbox"
          data-testid="output-from-logits"
          checked={options.fromLogits}
          onChange={(e) => actions.setTraining({ outputs: withOutputLoss(training, node.id, { fromLogits: e.target.checked }) })}
        />{' '}
        From logits
      </label>
      <div className="field field--compact">
        <label htmlFor="output-loss-weight" className="field__label">
          Loss weight
        </label>
        <CommitField
          id="output-loss-weight"
          testId="output-loss-weight"
          value={String(options.lossWeight)}
          inputProps={{ type: 'number', min: 0, step: 'any' }}
          commit={(text) => {
            const r = OutputLossSchema.shape.lossWeight.safeParse(parseNumber(text));
            if (!r.success) return 'The loss weight is a number of 0 or more (several outputs add their weighted losses).';
            actions.setTraining({ outputs: withOutputLoss(training, node.id, { lossWeight: r.data }) });
            return null;
          }}
        />
      </div>
    </fieldset>
  );
}

function NodeInspector({ node, analysis }: { node: ProjectNode; analysis: GraphAnalysis }) {
  const actions = useActions();
  const spec = getLayerSpec(node.kind);
  const info = analysis.nodes[node.id];
  return (
    <div className="inspector__body">
      <div className="inspector__kind">
        {spec?.label ?? node.kind}
        {spec && <span className="inspector__category">{spec.category}</span>}
      </div>
      {spec && <p className="inspector__desc">{spec.description}</p>}
      <div className="field">
        <label htmlFor="layer-name" className="field__label">
          Name
        </label>
        <CommitField
          id="layer-name"
          testId="layer-name"
          value={node.name}
          inputProps={{ type: 'text', spellCheck: false, autoComplete: 'off' }}
          commit={(text) => actions.renameNode(node.id, text)}
        />
      </div>
      {spec ? (
        (Object.entries(spec.params) as [string, ParamDef][]).map(([key, def]) => (
          <ParamField key={key} paramKey={key} def={def} value={node.params[key]} onCommit={(v) => actions.setNodeParam(node.id, key, v)} />
        ))
      ) : (
        <p className="problem problem--error">Unknown layer kind “{node.kind}”: this version of Neurowire cannot edit it.</p>
      )}
      {spec && spec.role !== 'input' && (info?.params ?? 0) > 0 && (
        <label className="field field--check" title="Unchecked: the layer is frozen — training leaves its weights as they are (e.g. a pretrained part of an imported model).">
          <input type="checkbox" data-testid="layer-trainable" checked={node.trainable !== false} onChange={(e) => actions.setNodeTrainable(node.id, e.target.checked)} /> Trainable
        </label>
      )}
      <dl className="facts">
        <dt>Output shape</dt>
        <dd data-testid="inspector-shape">{info?.outputShape ? formatShape(info.outputShape) : 'unknown'}</dd>
        <dt>Parameters</dt>
        <dd data-testid="inspector-params">{formatCount(info?.params ?? 0)}</dd>
      </dl>
      {analysis.outputIds.includes(node.id) && <OutputLossFields node={node} />}
      <Problems errors={info?.errors ?? []} warnings={info?.warnings ?? []} fixes={info?.fixes ?? []} />
      <button type="button" className="btn btn--danger btn--small" onClick={() => actions.deleteElements([node.id], [])}>
        Delete layer
      </button>
    </div>
  );
}

function ProjectSummary({ analysis }: { analysis: GraphAnalysis }) {
  const actions = useActions();
  const project = useApp((s) => s.project);
  const datasets = useApp((s) => s.data.datasets);
  const dataset = findDataset(project, datasets);
  const nodeErrors = project.graph.nodes.flatMap((n) => analysis.nodes[n.id]?.errors ?? []);
  const nodeWarnings = project.graph.nodes.flatMap((n) => analysis.nodes[n.id]?.warnings ?? []);
  const nodeFixes = project.graph.nodes.flatMap((n) => analysis.nodes[n.id]?.fixes ?? []);
  return (
    <div className="inspector__body">
      <div className="field">
        <label htmlFor="project-name" className="field__label">
          Project name
        </label>
        <CommitField
          id="project-name"
          testId="project-name"
          value={project.name}
          inputProps={{ type: 'text' }}
          commit={(text) => {
            if (!text.trim()) return 'The project needs a name.';
            actions.setProjectName(text);
            return null;
          }}
        />
      </div>
      <dl className="facts">
        <dt>Layers</dt>
        <dd>{project.graph.nodes.length}</dd>
        <dt>Total parameters</dt>
        <dd data-testid="summary-total-params">{formatCount(analysis.totalParams)}</dd>
        <dt>Dataset</dt>
        <dd>
          {dataset ? (
            <>
              {dataset.name} — samples {formatShape(dataset.inputShape)},{' '}
              {dataset.task === 'classification'
                ? `${dataset.numClasses} classes`
                : dataset.task === 'reconstruction'
                  ? 'the input itself as the target'
                  : `${dataset.outputSize} value${dataset.outputSize === 1 ? '' : 's'} to predict`}
              , {formatCount(dataset.totalSamples ?? 0)} samples
            </>
          ) : (
            `${datasetKey(project.dataset.source)} (not available)`
          )}
        </dd>
        <dt>Status</dt>
        <dd className={analysis.valid ? 'ok-text' : 'error-text'}>{analysis.valid ? 'Ready to train' : 'Fix the problems below to train'}</dd>
      </dl>
      <Problems errors={[...analysis.errors, ...nodeErrors]} warnings={[...analysis.warnings, ...nodeWarnings]} fixes={[...analysis.fixes, ...nodeFixes]} />
      <p className="inspector__hint">Select a layer to edit it. Drag from a layer’s right handle to another layer’s left handle to connect them.</p>
    </div>
  );
}

export function Inspector() {
  const project = useApp((s) => s.project);
  const selection = useApp((s) => s.ui.selection);
  const analysis = useAnalysis();
  const selectedNodes = project.graph.nodes.filter((n) => selection.nodeIds.includes(n.id));
  const node = selectedNodes.length === 1 ? selectedNodes[0] : null;
  return (
    <aside className="inspector" aria-label="Inspector" data-testid="inspector">
      <h2 className="panel-title">{node ? node.name : selectedNodes.length > 1 ? `${selectedNodes.length} layers selected` : 'Project'}</h2>
      {node ? <NodeInspector key={node.id} node={node} analysis={analysis} /> : <ProjectSummary analysis={analysis} />}
    </aside>
  );
}
