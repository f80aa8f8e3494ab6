// Row types of the control plane's tables. Specs and closures are stored as binary FlyteIDL messages; the
// columns beside them are the fields list endpoints filter and sort on.

export interface ProjectRow {
  identifier: string;
  name: string;
  description: string;
  labels: Uint8Array | null;
  state: number;
  org: string;
  created_at: Date;
  updated_at: Date;
}

interface VersionedKey {
  project: string;
  domain: string;
  name: string;
  version: string;
}

export interface TaskRow extends VersionedKey {
  /** admin.TaskClosure */
  closure: Uint8Array;
  digest: string;
  type: string;
  short_description: string;
  created_at: Date;
  updated_at: Date;
}

export interface WorkflowRow extends VersionedKey {
  /** admin.WorkflowClosure (the compiled workflow) */
  closure: Uint8Array;
  digest: string;
  short_description: string;
  created_at: Date;
  updated_at: Date;
}

export interface LaunchPlanRow extends VersionedKey {
  /** admin.LaunchPlanSpec */
  spec: Uint8Array;
  /** admin.LaunchPlanClosure */
  closure: Uint8Array;
  digest: string;
  state: number;
  schedule_type: string;
  workflow_name: string;
  workflow_version: string;
  created_at: Date;
  updated_at: Date;
}

export interface NamedEntityRow {
  resource_type: number;
  project: string;
  domain: string;
  name: string;
  description: string;
  state: number;
  created_at: Date;
  updated_at: Date;
}

export interface ExecutionRow {
  project: string;
  domain: string;
  name: string;
  phase: string;
  /** admin.ExecutionSpec */
  spec: Uint8Array;
  /** admin.ExecutionClosure */
  closure: Uint8Array;
  launch_plan_project: string;
  launch_plan_domain: string;
  launch_plan_name: string;
  launch_plan_version: string;
  workflow_project: string;
  workflow_domain: string;
  workflow_name: string;
  workflow_version: string;
  task_name: string;
  task_version: string;
  mode: number;
  state: number;
  principal: string;
  cluster: string;
  error_kind: string | null;
  error_code: string | null;
  /** Where the execution's inputs (core.LiteralMap) are stored; empty when they are kept in `inputs`. */
  inputs_uri: string;
  /** The inputs as the request gave them (before defaults and fixed inputs); empty when kept inline. */
  user_inputs_uri: string;
  /** core.LiteralMap of small inputs kept in the record. */
  inputs: Uint8Array | null;
  /** core.LiteralMap of the request's own inputs, when kept inline and different from `inputs`. */
  user_inputs: Uint8Array | null;
  source_execution: string | null;
  parent_node_execution: string | null;
  started_at: Date | null;
  duration_ms: number;
  created_at: Date;
  updated_at: Date;
}

export interface NodeExecutionRow {
  project: string;
  domain: string;
  name: string;
  node_id: string;
  phase: string;
  /** admin.NodeExecutionClosure */
  closure: Uint8Array;
  /** admin.NodeExecutionMetaData */
  metadata: Uint8Array;
  input_uri: string;
  /** core.LiteralMap of the node's inputs when an event carried them inline (input_data) */
  input_data: Uint8Array | null;
  parent_node_id: string | null;
  /** core.CompiledWorkflowClosure of a dynamic node, when it produced one */
  dynamic_workflow: Uint8Array | null;
  error_kind: string | null;
  error_code: string | null;
  cache_status: string | null;
  started_at: Date | null;
  duration_ms: number;
  /** Last event's occurred_at in ms, so late or repeated events never move a record backwards. */
  event_time_ms: number;
  created_at: Date;
  updated_at: Date;
}

export interface TaskExecutionRow {
  project: string;
  domain: string;
  name: string;
  node_id: string;
  task_project: string;
  task_domain: string;
  task_name: string;
  task_version: string;
  retry_attempt: number;
  phase: string;
  phase_version: number;
  /** admin.TaskExecutionClosure */
  closure: Uint8Array;
  input_uri: string;
  /** core.LiteralMap of the task's inputs when an event carried them inline (input_data) */
  input_data: Uint8Array | null;
  started_at: Date | null;
  duration_ms: number;
  event_time_ms: number;
  created_at: Date;
  updated_at: Date;
}

export interface SignalRow {
  project: string;
  domain: string;
  name: string;
  signal_id: string;
  /** core.LiteralType */
  type: Uint8Array;
  /** core.Literal, once set */
  value: Uint8Array | null;
  created_at: Date;
  updated_at: Date;
}

export interface ResourceAttributesRow {
  project: string;
  domain: string;
  workflow: string;
  launch_plan: string;
  resource_type: number;
  /** admin.MatchingAttributes */
  attributes: Uint8Array;
  updated_at: Date;
}

export interface ScheduleRow {
  project: string;
  domain: string;
  name: string;
  version: string;
  /** Epoch ms of the last kickoff time handled; the next fire is computed from it, so restarts neither skip nor repeat. */
  last_fired_ms: number;
}

export interface DescriptionEntityRow {
  resource_type: number;
  project: string;
  domain: string;
  name: string;
  version: string;
  short_description: string;
  /** admin.DescriptionEntity */
  entity: Uint8Array;
  created_at: Date;
}

export interface AdminTables {
  admin_description_entities: DescriptionEntityRow;
  admin_projects: ProjectRow;
  admin_tasks: TaskRow;
  admin_workflows: WorkflowRow;
  admin_launch_plans: LaunchPlanRow;
  admin_named_entities: NamedEntityRow;
  admin_executions: ExecutionRow;
  admin_node_executions: NodeExecutionRow;
  admin_task_executions: TaskExecutionRow;
  admin_signals: SignalRow;
  admin_resource_attributes: ResourceAttributesRow;
  admin_schedules: ScheduleRow;
}
