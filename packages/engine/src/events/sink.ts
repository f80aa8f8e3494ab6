// Where execution events go: the control plane consumes them flyteadmin-style (it dedupes a phase
// it already has, so redelivery after a restart is harmless).
import type { event } from "@aloft/idl";

export type SinkEvent = { kind: "workflow"; e: event.WorkflowExecutionEvent } | { kind: "node"; e: event.NodeExecutionEvent } | { kind: "task"; e: event.TaskExecutionEvent };

export interface EventSink {
  workflow(e: event.WorkflowExecutionEvent): Promise<void> | void;
  node(e: event.NodeExecutionEvent): Promise<void> | void;
  task(e: event.TaskExecutionEvent): Promise<void> | void;
  /** When present, the events of a commit arrive in one call, in order (a sink can then record them together). */
  batch?(events: SinkEvent[]): Promise<void>;
}
