// Which handler answers each RPC. Methods not listed answer UNIMPLEMENTED on every transport. AuthMetadataService
// and IdentityService have no handlers because Aloft runs without authentication, and flyteadmin with auth off
// does not serve them either (clients treat UNIMPLEMENTED as "no auth").
import { create, type Message } from "@bufbuild/protobuf";
import { admin, service } from "@aloft/idl";
import type { AdminContext } from "../context.ts";
import type { ServiceBinding, UnaryHandler } from "../transport/binding.ts";
import * as projects from "../admin/projects.ts";
import * as tasks from "../admin/tasks.ts";
import * as workflows from "../admin/workflows.ts";
import * as launchPlans from "../admin/launch-plans.ts";
import * as create_ from "../admin/executions/create.ts";
import * as executions from "../admin/executions/queries.ts";
import * as relaunch from "../admin/executions/relaunch.ts";
import * as nodes from "../admin/node-executions.ts";
import * as named from "../admin/named-entities.ts";
import * as attributes from "../admin/attributes.ts";
import { createWorkflowEvent, type PhaseListener } from "../admin/events/workflow-event.ts";
import { createNodeEvent } from "../admin/events/node-event.ts";
import { createTaskEvent } from "../admin/events/task-event.ts";
import * as dataproxy from "../dataproxy/upload.ts";
import * as signals from "../admin/signals.ts";
import * as descriptions from "../admin/description-entities.ts";
import type { ActivationListener } from "../admin/launch-plans.ts";

// Each handler takes the context and its own request type; the table erases the request type once, here.
type Handler<Req> = (ctx: AdminContext, req: Req) => Promise<Message>;
// The context may still be starting (a promise): calls wait for it rather than fail.
function bind(ctx: AdminContext | Promise<AdminContext>, table: Record<string, Handler<never>>): Record<string, UnaryHandler> {
  const out: Record<string, UnaryHandler> = {};
  for (const [name, h] of Object.entries(table)) out[name] = async (req) => (h as Handler<Message>)(await ctx, req);
  return out;
}

export interface BindingHooks {
  onExecutionPhase?: PhaseListener;
  onLaunchPlanActivation?: ActivationListener;
}

export function serviceBindings(ctx: AdminContext | Promise<AdminContext>, hooks: BindingHooks = {}, version?: AdminContext["version"]): ServiceBinding[] {
  const adminHandlers = bind(ctx, {
    registerProject: projects.registerProject,
    updateProject: projects.updateProject,
    getProject: projects.getProject,
    listProjects: projects.listProjects,
    getDomains: projects.getDomains,
    createTask: tasks.createTask,
    getTask: tasks.getTask,
    listTasks: tasks.listTasks,
    listTaskIds: tasks.listTaskIds,
    createWorkflow: workflows.createWorkflow,
    getWorkflow: workflows.getWorkflow,
    listWorkflows: workflows.listWorkflows,
    listWorkflowIds: workflows.listWorkflowIds,
    createLaunchPlan: launchPlans.createLaunchPlan,
    getLaunchPlan: launchPlans.getLaunchPlan,
    getActiveLaunchPlan: launchPlans.getActiveLaunchPlan,
    listActiveLaunchPlans: launchPlans.listActiveLaunchPlans,
    listLaunchPlans: launchPlans.listLaunchPlans,
    listLaunchPlanIds: launchPlans.listLaunchPlanIds,
    updateLaunchPlan: (c: AdminContext, r: admin.LaunchPlanUpdateRequest) => launchPlans.updateLaunchPlan(c, r, hooks.onLaunchPlanActivation),
    createExecution: create_.createExecution,
    relaunchExecution: relaunch.relaunchExecution,
    recoverExecution: relaunch.recoverExecution,
    getExecution: executions.getExecution,
    updateExecution: executions.updateExecution,
    getExecutionData: executions.getExecutionData,
    listExecutions: executions.listExecutions,
    terminateExecution: executions.terminateExecution,
    getNodeExecution: nodes.getNodeExecution,
    getDynamicNodeWorkflow: nodes.getDynamicNodeWorkflow,
    listNodeExecutions: nodes.listNodeExecutions,
    listNodeExecutionsForTask: nodes.listNodeExecutionsForTask,
    getNodeExecutionData: nodes.getNodeExecutionData,
    getTaskExecution: nodes.getTaskExecution,
    listTaskExecutions: nodes.listTaskExecutions,
    getTaskExecutionData: nodes.getTaskExecutionData,
    createWorkflowEvent: (c: AdminContext, r: admin.WorkflowExecutionEventRequest) => createWorkflowEvent(c, r, hooks.onExecutionPhase),
    createNodeEvent,
    createTaskEvent,
    listNamedEntities: named.listNamedEntities,
    getNamedEntity: named.getNamedEntity,
    updateNamedEntity: named.updateNamedEntity,
    updateProjectDomainAttributes: attributes.updateProjectDomainAttributes,
    getProjectDomainAttributes: attributes.getProjectDomainAttributes,
    deleteProjectDomainAttributes: attributes.deleteProjectDomainAttributes,
    updateProjectAttributes: attributes.updateProjectAttributes,
    getProjectAttributes: attributes.getProjectAttributes,
    deleteProjectAttributes: attributes.deleteProjectAttributes,
    updateWorkflowAttributes: attributes.updateWorkflowAttributes,
    getWorkflowAttributes: attributes.getWorkflowAttributes,
    deleteWorkflowAttributes: attributes.deleteWorkflowAttributes,
    listMatchableAttributes: attributes.listMatchableAttributes,
    getDescriptionEntity: descriptions.getDescriptionEntity,
    listDescriptionEntities: descriptions.listDescriptionEntities,
  });
  // GetVersion needs no database, so it answers even while the database is still starting (clients probe it first).
  adminHandlers.getVersion = async () => {
    const v = version ?? (await ctx).version;
    return create(admin.GetVersionResponseSchema, { controlPlaneVersion: { Version: v.version, Build: v.build, BuildTime: v.buildTime } });
  };
  const dataProxyHandlers = bind(ctx, {
    createUploadLocation: dataproxy.createUploadLocation,
    createDownloadLocation: dataproxy.createDownloadLocation,
    createDownloadLink: dataproxy.createDownloadLink,
  });
  return [
    { service: service.AdminService, handlers: adminHandlers },
    { service: service.DataProxyService, handlers: dataProxyHandlers },
    { service: service.SignalService, handlers: bind(ctx, { listSignals: signals.listSignals, getOrCreateSignal: signals.getOrCreateSignal, setSignal: signals.setSignal }) },
    { service: service.AuthMetadataService, handlers: {} },
    { service: service.IdentityService, handlers: {} },
  ];
}
