// The control plane's tables, contributed to the shared database through the engine's migration runner.
import { sql, type Kysely } from "kysely";
import type { Migration } from "@aloft/engine";

const PACKAGE = "@aloft/server";

async function run(db: Kysely<any>, statements: string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

const ts = "timestamptz not null default now()";

export const serverMigrations: Migration[] = [
  {
    package: PACKAGE,
    version: 1,
    name: "admin entities",
    up: (db) =>
      run(db, [
        `create table admin_projects (identifier text primary key, name text not null, description text not null,
          labels bytea, state int not null default 0, org text not null default '', created_at ${ts}, updated_at ${ts})`,
        `create table admin_tasks (project text not null, domain text not null, name text not null, version text not null,
          closure bytea not null, digest text not null, type text not null, short_description text not null default '',
          created_at ${ts}, updated_at ${ts}, primary key (project, domain, name, version))`,
        `create index admin_tasks_created on admin_tasks (project, domain, created_at)`,
        `create table admin_workflows (project text not null, domain text not null, name text not null, version text not null,
          closure bytea not null, digest text not null, short_description text not null default '',
          created_at ${ts}, updated_at ${ts}, primary key (project, domain, name, version))`,
        `create index admin_workflows_created on admin_workflows (project, domain, created_at)`,
        `create table admin_launch_plans (project text not null, domain text not null, name text not null, version text not null,
          spec bytea not null, closure bytea not null, digest text not null, state int not null default 0,
          schedule_type text not null default 'NONE', workflow_name text not null, workflow_version text not null,
          created_at ${ts}, updated_at ${ts}, primary key (project, domain, name, version))`,
        `create index admin_launch_plans_active on admin_launch_plans (state, project, domain)`,
        `create table admin_named_entities (resource_type int not null, project text not null, domain text not null, name text not null,
          description text not null default '', state int not null default 0, created_at ${ts}, updated_at ${ts},
          primary key (resource_type, project, domain, name))`,
        `create table admin_executions (project text not null, domain text not null, name text not null, phase text not null,
          spec bytea not null, closure bytea not null,
          launch_plan_project text not null default '', launch_plan_domain text not null default '',
          launch_plan_name text not null default '', launch_plan_version text not null default '',
          workflow_project text not null default '', workflow_domain text not null default '',
          workflow_name text not null default '', workflow_version text not null default '',
          task_name text not null default '', task_version text not null default '',
          mode int not null default 0, state int not null default 0, principal text not null default '',
          cluster text not null default '', error_kind text, error_code text,
          inputs_uri text not null default '', user_inputs_uri text not null default '',
          source_execution text, parent_node_execution text, started_at timestamptz, duration_ms bigint not null default 0,
          created_at ${ts}, updated_at ${ts}, primary key (project, domain, name))`,
        `create index admin_executions_created on admin_executions (project, domain, created_at desc)`,
        `create index admin_executions_phase on admin_executions (project, domain, phase, created_at desc)`,
        `create index admin_executions_lp on admin_executions (launch_plan_project, launch_plan_domain, launch_plan_name, phase)`,
        `create table admin_node_executions (project text not null, domain text not null, name text not null, node_id text not null,
          phase text not null, closure bytea not null, metadata bytea not null, input_uri text not null default '',
          parent_node_id text, dynamic_workflow bytea, error_kind text, error_code text, cache_status text,
          started_at timestamptz, duration_ms bigint not null default 0, event_time_ms bigint not null default 0,
          created_at ${ts}, updated_at ${ts}, primary key (project, domain, name, node_id))`,
        `create table admin_task_executions (project text not null, domain text not null, name text not null, node_id text not null,
          task_project text not null, task_domain text not null, task_name text not null, task_version text not null,
          retry_attempt int not null, phase text not null, phase_version int not null default 0, closure bytea not null,
          input_uri text not null default '', started_at timestamptz, duration_ms bigint not null default 0,
          event_time_ms bigint not null default 0, created_at ${ts}, updated_at ${ts},
          primary key (project, domain, name, node_id, task_project, task_domain, task_name, task_version, retry_attempt))`,
        `create table admin_signals (project text not null, domain text not null, name text not null, signal_id text not null,
          type bytea not null, value bytea, created_at ${ts}, updated_at ${ts}, primary key (project, domain, name, signal_id))`,
        `create table admin_resource_attributes (project text not null, domain text not null, workflow text not null,
          launch_plan text not null, resource_type int not null, attributes bytea not null, updated_at ${ts},
          primary key (project, domain, workflow, launch_plan, resource_type))`,
        `create table admin_schedules (project text not null, domain text not null, name text not null, version text not null,
          last_fired_ms bigint not null, primary key (project, domain, name, version))`,
      ]),
  },
  {
    package: PACKAGE,
    version: 2,
    name: "description entities",
    up: (db) =>
      run(db, [
        `create table admin_description_entities (resource_type int not null, project text not null, domain text not null,
          name text not null, version text not null, short_description text not null default '', entity bytea not null,
          created_at ${ts}, primary key (resource_type, project, domain, name, version))`,
      ]),
  },
  {
    package: PACKAGE,
    version: 3,
    name: "inline node and task inputs",
    // Events may carry a node's inputs inline (input_data) instead of naming an inputs.pb.
    up: (db) =>
      run(db, [
        `alter table admin_node_executions add column input_data bytea`,
        `alter table admin_task_executions add column input_data bytea`,
      ]),
  },
  {
    package: PACKAGE,
    version: 4,
    name: "inline execution inputs",
    // Small execution inputs live in the record (the engine's record keeps its own copy): no inputs.pb per execution.
    up: (db) =>
      run(db, [
        `alter table admin_executions add column inputs bytea`,
        `alter table admin_executions add column user_inputs bytea`,
      ]),
  },
];
