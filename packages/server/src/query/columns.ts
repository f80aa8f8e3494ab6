// Which fields each list endpoint may filter and sort on, and the SQL column behind each. A filter naming any
// other field is rejected before any SQL is built, so user text never becomes an identifier in a query.
// Field names are flyteadmin's (its gorm model columns); `launch_plan.name` style prefixes name fields of a
// related entity, which Aloft keeps on the same row.

export type ColumnType = "text" | "int" | "timestamp" | "duration" | "phase";

export interface Column {
  sql: string;
  type: ColumnType;
}

export type EntityColumns = Record<string, Column>;

const text = (sql: string): Column => ({ sql, type: "text" });
const int = (sql: string): Column => ({ sql, type: "int" });
const ts = (sql: string): Column => ({ sql, type: "timestamp" });

const identity = (prefix = ""): EntityColumns => ({
  [`${prefix}project`]: text("project"),
  [`${prefix}domain`]: text("domain"),
  [`${prefix}name`]: text("name"),
});

const versioned = (prefix = ""): EntityColumns => ({
  ...identity(prefix),
  [`${prefix}version`]: text("version"),
  [`${prefix}created_at`]: ts("created_at"),
  [`${prefix}updated_at`]: ts("updated_at"),
});

export const taskColumns: EntityColumns = { ...versioned(), ...versioned("task."), type: text("type"), short_description: text("short_description") };

export const workflowColumns: EntityColumns = { ...versioned(), ...versioned("workflow."), short_description: text("short_description") };

export const launchPlanColumns: EntityColumns = {
  ...versioned(),
  ...versioned("launch_plan."),
  state: int("state"),
  "launch_plan.state": int("state"),
  schedule_type: text("schedule_type"),
  "workflow.name": text("workflow_name"),
  "workflow.version": text("workflow_version"),
};

export const executionColumns: EntityColumns = {
  ...identity(),
  ...identity("execution."),
  phase: { sql: "phase", type: "phase" },
  "execution.phase": { sql: "phase", type: "phase" },
  created_at: ts("created_at"),
  updated_at: ts("updated_at"),
  execution_created_at: ts("created_at"),
  execution_updated_at: ts("updated_at"),
  started_at: ts("started_at"),
  duration: { sql: "duration_ms", type: "duration" },
  mode: int("mode"),
  state: int("state"),
  user: text("principal"),
  error_kind: text("error_kind"),
  error_code: text("error_code"),
  cluster: text("cluster"),
  "launch_plan.project": text("launch_plan_project"),
  "launch_plan.domain": text("launch_plan_domain"),
  "launch_plan.name": text("launch_plan_name"),
  "launch_plan.version": text("launch_plan_version"),
  "workflow.project": text("workflow_project"),
  "workflow.domain": text("workflow_domain"),
  "workflow.name": text("workflow_name"),
  "workflow.version": text("workflow_version"),
  "task.name": text("task_name"),
  "task.version": text("task_version"),
};

export const nodeExecutionColumns: EntityColumns = {
  node_id: text("node_id"),
  "node_execution.node_id": text("node_id"),
  phase: { sql: "phase", type: "phase" },
  "node_execution.phase": { sql: "phase", type: "phase" },
  created_at: ts("created_at"),
  updated_at: ts("updated_at"),
  node_execution_created_at: ts("created_at"),
  node_execution_updated_at: ts("updated_at"),
  started_at: ts("started_at"),
  duration: { sql: "duration_ms", type: "duration" },
  error_kind: text("error_kind"),
  error_code: text("error_code"),
  cache_status: text("cache_status"),
  parent_id: text("parent_node_id"),
  "execution.project": text("project"),
  "execution.domain": text("domain"),
  "execution.name": text("name"),
};

export const taskExecutionColumns: EntityColumns = {
  phase: { sql: "phase", type: "phase" },
  "task_execution.phase": { sql: "phase", type: "phase" },
  retry_attempt: int("retry_attempt"),
  created_at: ts("created_at"),
  updated_at: ts("updated_at"),
  started_at: ts("started_at"),
  duration: { sql: "duration_ms", type: "duration" },
  "task.project": text("task_project"),
  "task.domain": text("task_domain"),
  "task.name": text("task_name"),
  "task.version": text("task_version"),
  node_id: text("node_id"),
  "node_execution.node_id": text("node_id"),
};

export const projectColumns: EntityColumns = {
  identifier: text("identifier"),
  name: text("name"),
  description: text("description"),
  state: int("state"),
  created_at: ts("created_at"),
  updated_at: ts("updated_at"),
};

export const namedEntityColumns: EntityColumns = {
  ...identity(),
  state: int("state"),
  "named_entity_metadata.state": int("state"),
  description: text("description"),
};

export const signalColumns: EntityColumns = {
  signal_id: text("signal_id"),
  created_at: ts("created_at"),
  updated_at: ts("updated_at"),
};
