import { memo } from 'react';
import { Handle, Position, type Node, type NodeHandle, type NodeProps } from '@xyflow/react';
import { handleOfPort } from '../store/graphOps';
import { useNodeAnalysis } from '../analysis/context';
import { formatCount, paramSummary, shapeText } from '../format';
import { getLayerSpec } from '../../../main/core/layers/registry';
import type { ProjectNode } from '../../../main/core/project';
import { useApp } from '../store/context';
import type { NodeAnalysis } from '../../../main/core/graph/analyze';
import { InsideThumbnail } from './inside/InsideThumbnail';

/**
 * What a layer node shows of the project's layer. What the analysis says of it (shape, params, problems) the node
 * reads itself (useNodeAnalysis), as it reads its params line from the project (LayerNodeSummary), so that a new
 * analysis or a param's edit redraws only what changed, without handing xyflow a new array of nodes.
 */
export interface LayerNodeData extends Record<string, unknown> {
  name: string;
  kind: string;
  label: string;
  hasInput: boolean;
  /** Names of the layer's outputs, main first; a layer with several (an LSTM returning its state) shows a handle each. */
  outputs: string[];
}

export type LayerFlowNode = Node<LayerNodeData, 'layer'>;

/** The size of a typical layer on the canvas (170 to 210 px wide, one line of summary). */
export const TYPICAL_LAYER_SIZE = { width: 190, height: 62 };
const HANDLE_SIZE = 10;

/**
 * Where the view below puts a layer's handles on a node of `size`: the input mid-left, the outputs spread down the
 * right edge. The canvas uses it to place the edges of layers not drawn yet (a big graph draws only what is on screen).
 */
export function layerHandles(data: Pick<LayerNodeData, 'hasInput' | 'outputs'>, size: { width: number; height: number }): NodeHandle[] {
  const half = HANDLE_SIZE / 2;
  const handles: NodeHandle[] = data.outputs.map((_, port) => ({
    id: handleOfPort(port),
    type: 'source',
    position: Position.Right,
    x: size.width - half,
    y: (size.height * (port + 1)) / (data.outputs.length + 1) - half,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  }));
  if (data.hasInput) handles.push({ id: null, type: 'target', position: Position.Left, x: -half, y: size.height / 2 - half, width: HANDLE_SIZE, height: HANDLE_SIZE });
  return handles;
}

type Problems = Pick<NodeAnalysis, 'errors' | 'warnings'> | undefined;
/** How a layer's box is coloured: its worst problem. */
export const stateOf = (info: Problems) => (info?.errors.length ? 'error' : info?.warnings.length ? 'warning' : 'ok');
const titleOf = (info: Problems) => (info && info.errors.length + info.warnings.length ? [...info.errors, ...info.warnings].join('\n') : undefined);
/** The first problem, and how many more there are. */
function problemOf(info: Problems): string | undefined {
  const first = info?.errors[0] ?? info?.warnings[0];
  const more = info ? info.errors.length + info.warnings.length - 1 : 0;
  return first && (more > 0 ? `${first} (+${more} more)` : first);
}
export const shapeOf = (info: NodeAnalysis | undefined) => shapeText(info?.outputShape);
const paramsOf = (info: NodeAnalysis | undefined) => info?.params ?? 0;

const summaries = new WeakMap<ProjectNode, string>();
const layersById = new WeakMap<readonly ProjectNode[], Map<string, ProjectNode>>();

/** A layer's params in one line ("32 units, relu"), worked out once per version of the layer. */
function summaryOf(layers: readonly ProjectNode[], id: string): string {
  let byId = layersById.get(layers);
  if (!byId) {
    byId = new Map(layers.map((n) => [n.id, n]));
    layersById.set(layers, byId);
  }
  const node = byId.get(id);
  if (!node) return '';
  let summary = summaries.get(node);
  if (summary === undefined) {
    const spec = getLayerSpec(node.kind);
    summary = spec ? paramSummary(spec.params, node.params) : '';
    summaries.set(node, summary);
  }
  return summary;
}

/**
 * The layer's params in one line, read from the project by the node itself: an edit of a param then redraws this
 * line and hands xyflow no new node (which would make it go over all of a big graph's layers again).
 */
const LayerNodeSummary = memo(function LayerNodeSummary({ id }: { id: string }) {
  const summary = useApp((s) => summaryOf(s.project.graph.nodes, id));
  return summary ? <div className="layer-node__summary">{summary}</div> : null;
});

/** The layer's output shape and parameter count: what an edit upstream changes most, drawn on its own. */
const LayerNodeFoot = memo(function LayerNodeFoot({ id, name }: { id: string; name: string }) {
  const shape = useNodeAnalysis(id, shapeOf);
  const params = useNodeAnalysis(id, paramsOf);
  return (
    <div className="layer-node__foot">
      <span className="layer-node__shape" data-testid={`shape-${name}`}>
        → {shape}
      </span>
      <span className="layer-node__params">{params ? `${formatCount(params)} params` : ''}</span>
    </div>
  );
});

function LayerNodeView({ id, data, selected }: NodeProps<LayerFlowNode>) {
  const state = useNodeAnalysis(id, stateOf);
  const title = useNodeAnalysis(id, titleOf);
  const problem = useNodeAnalysis(id, problemOf);
  return (
    <div
      className={`layer-node layer-node--${state}${selected ? ' layer-node--selected' : ''}`}
      data-testid={`node-${data.name}`}
      data-kind={data.kind}
      title={title}
    >
      {data.hasInput && <Handle type="target" position={Position.Left} data-testid={`handle-in-${data.name}`} className="layer-handle" />}
      <div className="layer-node__head">
        <span className="layer-node__name">{data.name}</span>
        <span className="layer-node__kind">{data.label}</span>
      </div>
      <LayerNodeSummary id={id} />
      <LayerNodeFoot id={id} name={data.name} />
      <InsideThumbnail layer={data.name} />
      {problem && <div className={`layer-node__problem layer-node__problem--${state}`}>{problem}</div>}
      {data.outputs.map((output, port) => (
        <Handle
          key={port}
          id={handleOfPort(port)}
          type="source"
          position={Position.Right}
          data-testid={port === 0 ? `handle-out-${data.name}` : `handle-out-${data.name}-${port}`}
          className="layer-handle"
          title={data.outputs.length > 1 ? output : undefined}
          // Spread down the right edge, main output on top.
          style={data.outputs.length > 1 ? { top: `${((port + 1) * 100) / (data.outputs.length + 1)}%` } : undefined}
        >
          {data.outputs.length > 1 && <span className="layer-handle__label">{output}</span>}
        </Handle>
      ))}
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
