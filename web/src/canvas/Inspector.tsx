import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Action, ActionsReply, BlueprintNode } from "../api";

const TYPE_SUGGESTIONS = ["trigger", "action", "condition"];

function propsText(p: BlueprintNode["properties"]): string {
  return JSON.stringify(p ?? {}, null, 2);
}

/** Key-order-insensitive JSON form, so reformatting the textarea is not a change. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false };

function parseProps(text: string): Parsed {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return { ok: true, value: v as Record<string, unknown> };
  } catch {
    // fall through
  }
  return { ok: false };
}

function sameProps(text: string, props: BlueprintNode["properties"]): boolean {
  const parsed = parseProps(text);
  return parsed.ok && canonical(parsed.value) === canonical(props ?? {});
}

interface Base {
  label: string;
  type: string;
  description: string;
  properties: string;
}

function baseOf(node: BlueprintNode): Base {
  return {
    label: node.label,
    type: node.type,
    description: node.description ?? "",
    properties: propsText(node.properties),
  };
}

/** The changed fields of the form as one batch (one undo step); empty when nothing changed. */
export function inspectorActions(node: BlueprintNode, form: Base): Action[] | "bad-properties" {
  const out: Action[] = [];
  if (form.label !== node.label) out.push({ intent: "rename", nodeId: node.id, label: form.label });
  if (form.type !== node.type) out.push({ action: "setNodeType", nodeId: node.id, type: form.type });
  const desc = form.description;
  if (desc !== (node.description ?? "")) {
    out.push({ action: "setNodeDescription", nodeId: node.id, description: desc === "" ? null : desc });
  }
  const parsed = parseProps(form.properties);
  if (!parsed.ok) return "bad-properties";
  if (canonical(parsed.value) !== canonical(node.properties ?? {})) {
    const empty = Object.keys(parsed.value).length === 0;
    out.push({ action: "replaceProperties", nodeId: node.id, properties: empty ? null : parsed.value });
  }
  return out;
}

interface Props {
  node: BlueprintNode;
  apply: (actions: Action | Action[]) => Promise<ActionsReply | null>;
}

/** Edits one node. Inputs carry `nokey` so no canvas shortcut fires while typing. */
export function Inspector({ node, apply }: Props) {
  const [form, setForm] = useState<Base>(() => baseOf(node));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const baseRef = useRef<Base>(baseOf(node));

  // When the server's node changes (an edit elsewhere, or our own apply), follow it in every field
  // the user has not edited.
  useEffect(() => {
    const nb = baseOf(node);
    const ob = baseRef.current;
    baseRef.current = nb;
    setForm((f) => ({
      label: f.label === ob.label ? nb.label : f.label,
      type: f.type === ob.type ? nb.type : f.type,
      description: f.description === ob.description ? nb.description : f.description,
      properties: f.properties === ob.properties || sameProps(f.properties, node.properties) ? nb.properties : f.properties,
    }));
  }, [node]);

  const propsOk = parseProps(form.properties).ok;

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    const batch = inspectorActions(node, form);
    if (batch === "bad-properties") {
      setError("Properties must be a JSON object.");
      return;
    }
    if (batch.length === 0 || busy) return;
    setBusy(true);
    setError(null);
    const reply = await apply(batch);
    setBusy(false);
    if (reply?.report && Array.isArray(reply.report.failed) && reply.report.failed.length > 0) setError(reply.report.message);
  };

  const set = (k: keyof Base) => (ev: { target: { value: string } }) => {
    const value = ev.target.value;
    setForm((f) => ({ ...f, [k]: value }));
    if (k === "properties") setError(null);
  };

  return (
    <form className="inspector nowheel nodrag" data-testid="inspector" aria-label={`Inspector of step ${node.id}`} onSubmit={(e) => void onSubmit(e)}>
      <div className="inspector-title">
        Step <code title={node.id}>{node.id}</code>
      </div>
      <label>
        Label
        <input className="nokey" data-testid="inspector-label" aria-label="Label" value={form.label} onChange={set("label")} />
      </label>
      <label>
        Type
        <input
          className="nokey"
          data-testid="inspector-type"
          aria-label="Type"
          list="inspector-type-options"
          value={form.type}
          onChange={set("type")}
        />
        <datalist id="inspector-type-options">
          {TYPE_SUGGESTIONS.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </label>
      <label>
        Description
        <textarea
          className="nokey"
          data-testid="inspector-description"
          aria-label="Description"
          rows={3}
          value={form.description}
          onChange={set("description")}
        />
      </label>
      <label>
        Properties (JSON object)
        <textarea
          className={`nokey mono${propsOk ? "" : " invalid"}`}
          data-testid="inspector-properties"
          aria-label="Properties as JSON"
          aria-invalid={!propsOk}
          rows={6}
          spellCheck={false}
          value={form.properties}
          onChange={set("properties")}
        />
      </label>
      {!propsOk ? (
        <div className="inline-error" role="alert">
          Properties must be a JSON object.
        </div>
      ) : null}
      {error && error !== "Properties must be a JSON object." ? (
        <div className="inline-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="inspector-actions">
        <button type="submit" data-testid="inspector-apply" aria-label="Apply changes to the step" disabled={busy}>
          Apply
        </button>
        <button
          type="button"
          aria-label="Reset the form"
          disabled={busy}
          onClick={() => {
            setForm(baseOf(node));
            setError(null);
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}
