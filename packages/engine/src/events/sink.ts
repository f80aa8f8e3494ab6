// Where execution events go: the control plane consumes them flyteadmin-style (it dedupes a phase
// it already has, so redelivery after a restart is harmless).
import type { event } from "@aloft/idl";

export interface EventSink {
  workflow(e: event.WorkflowExecutionEvent): Promise<void> | void;
  node(e: event.NodeExecutionEvent): Promise<void> | void;
  task(e: event.TaskExecutionEvent): Promise<void> | void;
}
