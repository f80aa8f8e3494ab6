// The execution's nodes as a tree: parent nodes (map tasks, dynamic workflows, subworkflows) open in place to show
// their children, loaded when opened and refreshed while the execution runs. Rows are reachable by keyboard.
import { useState } from "react";
import type { admin } from "@aloft/idl";
import { listNodeExecutions, type Scope } from "../api/client.ts";
import { useLoad } from "../api/use-load.ts";
import { cacheStatusName } from "./node-panel.tsx";
import { PhaseBadge, durationSeconds, formatDuration, nodePhaseName } from "./phase.tsx";

const LIST_LIMIT = 500;

interface TreeProps {
  scope: Scope;
  execution: string;
  selected: string | undefined;
  onSelect: (nodeId: string) => void;
  live: boolean;
}

function Rows({ nodes, depth, ...props }: TreeProps & { nodes: admin.NodeExecution[]; depth: number }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) => setOpen((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  return (
    <>
      {nodes.slice(0, LIST_LIMIT).map((n) => {
        const id = n.id!.nodeId;
        const parent = n.metadata?.isParentNode === true;
        return [
          <tr key={id} aria-selected={id === props.selected} data-depth={depth} tabIndex={0} onClick={() => props.onSelect(id)} onKeyDown={(e) => e.key === "Enter" && props.onSelect(id)}>
            <td className="mono" style={{ paddingLeft: `${0.5 + depth * 1.2}rem` }}>
              {parent && (
                <button
                  type="button"
                  aria-expanded={open.has(id)}
                  aria-label={`${open.has(id) ? "Close" : "Open"} ${id}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(id);
                  }}
                >
                  {open.has(id) ? "▾" : "▸"}
                </button>
              )}{" "}
              {n.metadata?.specNodeId && n.metadata.specNodeId !== id ? `${id} (${n.metadata.specNodeId})` : id}
            </td>
            <td>
              <PhaseBadge name={nodePhaseName(n.closure?.phase ?? 0)} />
            </td>
            <td>{cacheStatusName(n)}</td>
            <td>{formatDuration(durationSeconds(n.closure?.duration))}</td>
          </tr>,
          parent && open.has(id) ? <Children key={`${id}/children`} {...props} parent={id} depth={depth + 1} /> : null,
        ];
      })}
      {nodes.length > LIST_LIMIT && (
        <tr>
          <td colSpan={4} className="muted">
            First {LIST_LIMIT} of {nodes.length} nodes.
          </td>
        </tr>
      )}
    </>
  );
}

function Children({ parent, depth, ...props }: TreeProps & { parent: string; depth: number }) {
  const children = useLoad(() => listNodeExecutions(props.scope, props.execution, parent), [props.execution, parent], props.live ? 2000 : undefined);
  if (children.error)
    return (
      <tr>
        <td colSpan={4} role="alert">
          Could not load the children of {parent}: {children.error}
        </td>
      </tr>
    );
  return <Rows {...props} nodes={children.data ?? []} depth={depth} />;
}

export function NodeTree({ nodes, ...props }: TreeProps & { nodes: admin.NodeExecution[] }) {
  return (
    <div className="node-list">
      <table aria-label="Nodes">
        <thead>
          <tr>
            <th>Node</th>
            <th>Phase</th>
            <th>Cache</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          <Rows {...props} nodes={nodes} depth={0} />
        </tbody>
      </table>
    </div>
  );
}
