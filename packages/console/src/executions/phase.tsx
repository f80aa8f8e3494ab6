// Phase names and badges for workflow, node and task executions (colours in app.css by name).
import { core } from "@aloft/idl";

export const workflowPhaseName = (p: core.WorkflowExecution_Phase) => core.WorkflowExecution_Phase[p] ?? `PHASE_${p}`;
export const nodePhaseName = (p: core.NodeExecution_Phase) => core.NodeExecution_Phase[p] ?? `PHASE_${p}`;

const terminalWorkflow = new Set([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.FAILED, core.WorkflowExecution_Phase.ABORTED, core.WorkflowExecution_Phase.TIMED_OUT]);
export const isTerminal = (p: core.WorkflowExecution_Phase) => terminalWorkflow.has(p);

export function PhaseBadge({ name }: { name: string }) {
  return <span className={`phase phase-${name}`}>{name}</span>;
}

/** Phase colours for the graph, where a CSS class per node would cost a style recalculation per update. */
export const phaseColours: Record<string, string> = {
  SUCCEEDED: "#1a7a43",
  FAILED: "#c8372d",
  FAILING: "#c8372d",
  TIMED_OUT: "#c8372d",
  ABORTED: "#c8372d",
  RUNNING: "#2f6fdc",
  QUEUED: "#2f6fdc",
  DYNAMIC_RUNNING: "#2f6fdc",
  SUCCEEDING: "#2f6fdc",
  SKIPPED: "#67707b",
  UNDEFINED: "#67707b",
  PAUSED: "#806200",
  RECOVERED: "#806200",
};

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m ${Math.round(seconds % 60)}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function timestampDate(t: { seconds: bigint; nanos: number } | undefined): Date | undefined {
  return t ? new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)) : undefined;
}

export function durationSeconds(d: { seconds: bigint; nanos: number } | undefined): number | undefined {
  return d ? Number(d.seconds) + d.nanos / 1e9 : undefined;
}
