import { memo } from "react";
import { BaseEdge, getSmoothStepPath, type Edge, type EdgeProps } from "@xyflow/react";

export interface LabelledEdgeData extends Record<string, unknown> {
  text: string | null;
}

export type LabelledFlowEdge = Edge<LabelledEdgeData, "labelled">;

const LABEL_BOX_WIDTH = 180;
const LABEL_BOX_HEIGHT = 24;

/**
 * A smoothstep edge whose label is HTML inside a foreignObject of the edge's own SVG group, so a
 * click on the label selects the edge, long labels get CSS ellipsis and a title, and the text is
 * isolated with <bdi>.
 */
function LabelledEdgeInner(props: EdgeProps<LabelledFlowEdge>) {
  const [path, labelX, labelY] = getSmoothStepPath({
    sourceX: props.sourceX,
    sourceY: props.sourceY,
    sourcePosition: props.sourcePosition,
    targetX: props.targetX,
    targetY: props.targetY,
    targetPosition: props.targetPosition,
  });
  const text = props.data?.text ?? null;
  return (
    <>
      <BaseEdge
        path={path}
        markerEnd={props.markerEnd}
        style={props.style}
        interactionWidth={props.interactionWidth ?? 20}
      />
      {text ? (
        <foreignObject
          x={labelX - LABEL_BOX_WIDTH / 2}
          y={labelY - LABEL_BOX_HEIGHT / 2}
          width={LABEL_BOX_WIDTH}
          height={LABEL_BOX_HEIGHT}
          className="edge-label-box"
        >
          <div className="edge-label-wrap">
            <span className={`edge-label${props.selected ? " selected" : ""}`} title={text}>
              <bdi>{text}</bdi>
            </span>
          </div>
        </foreignObject>
      ) : null}
    </>
  );
}

export const LabelledEdge = memo(LabelledEdgeInner);
