import { memo } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";

export interface BlueprintNodeData extends Record<string, unknown> {
  label: string;
  type: string;
  description: string | null;
  problems: string[];
}

export type BlueprintFlowNode = Node<BlueprintNodeData, "blueprint">;

function typeClass(type: string): string {
  if (type === "trigger" || type === "action" || type === "condition") return `type-${type}`;
  return "type-other";
}

/** One step of the draft: label, type badge, a 2-line description and its problems. Text only. */
function BlueprintNodeViewInner({ id, data }: NodeProps<BlueprintFlowNode>) {
  const problemsTitle = data.problems.join("\n");
  return (
    <div className="bp-node">
      <Handle type="target" position={Position.Top} aria-label="Incoming connection" />
      <div className="bp-node-head">
        <span className="bp-node-label" title={data.label}>
          <bdi>{data.label || "(no label)"}</bdi>
        </span>
        <span className={`bp-badge ${typeClass(data.type)}`} title={data.type}>
          <bdi>{data.type}</bdi>
        </span>
      </div>
      {data.description ? (
        <div className="bp-node-desc" title={data.description}>
          <bdi>{data.description}</bdi>
        </div>
      ) : null}
      {data.problems.length > 0 ? (
        <ul className="bp-problems" data-testid={`problem-${id}`} title={problemsTitle} aria-label={`${data.problems.length} problem(s)`}>
          {data.problems.map((p, i) => (
            <li key={i}>
              <span aria-hidden="true">⚠ </span>
              <bdi>{p}</bdi>
            </li>
          ))}
        </ul>
      ) : null}
      <Handle type="source" position={Position.Bottom} aria-label="Outgoing connection" />
    </div>
  );
}

export const BlueprintNodeView = memo(BlueprintNodeViewInner);
