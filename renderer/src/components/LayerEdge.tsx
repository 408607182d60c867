import { memo } from 'react';
import { BaseEdge, getBezierPath, StraightEdge, type Edge, type EdgeProps } from '@xyflow/react';
import { portShape } from '../../../main/core/graph/analyze';
import { useNodeAnalysis } from '../analysis/context';
import { formatShape } from '../../../main/core/shapes';

export interface LayerEdgeData extends Record<string, unknown> {
  /** The output it leaves from and the input it enters, where either has a name ("state h → initial state h"). */
  what?: string;
  /** The source layer's output it carries. */
  port: number;
  /** Seen from far: a straight line without a label. */
  overview: boolean;
}

export type LayerFlowEdge = Edge<LayerEdgeData, 'layer'>;

/**
 * A connection, labelled with what it carries ("query · [10, 64]"). It reads the shape from the analysis itself, so a
 * new analysis re-renders the connections drawn whose shape changed, and hands xyflow no new list of edges.
 */
function LayerEdgeView(props: EdgeProps<LayerFlowEdge>) {
  const { source, data } = props;
  const port = data?.port ?? 0;
  const overview = data?.overview ?? false;
  const shape = useNodeAnalysis(source, (info) => {
    const s = overview ? undefined : portShape(info, port);
    return s ? formatShape(s) : undefined;
  });
  if (overview) return <StraightEdge {...props} />;
  const label = [data?.what, shape].filter(Boolean).join(' · ');
  const [path, labelX, labelY] = getBezierPath(props);
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} markerStart={props.markerStart} style={props.style} interactionWidth={props.interactionWidth} />
      {/* Centred on the curve with a halo of the canvas's colour: nothing to measure (xyflow's label measures its
          text on every change, a forced layout), and as readable over a crossing line. */}
      {label && (
        <text className="react-flow__edge-text flow-edge__label" x={labelX} y={labelY}>
          {label}
        </text>
      )}
    </>
  );
}

export const LayerEdge = memo(LayerEdgeView);
