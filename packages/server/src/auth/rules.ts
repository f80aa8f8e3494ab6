// What every RPC needs, method by method, and where its project and domain are in the request. A method of a
// served service without a rule here fails rules.test.ts, so a new RPC cannot ship unguarded.
//   scope: dotted path (field local names) to the message holding `project` and `domain`; "" is the request
//          itself. `projectField` names the project field when it is not `project` (Project.id).
//   reads: further paths the caller must be able to read (the launch plan an execution runs, …).
//   filter: a list answer trimmed to the projects the caller may see.
import type { Need } from "./roles.ts";

export interface Rule {
  need: Need;
  scope?: string;
  projectField?: string;
  reads?: string[];
  filter?: "projects" | "configurations";
}

const read = (scope: string, extra: Partial<Rule> = {}): Rule => ({ need: "read", scope, ...extra });
const write = (scope: string, extra: Partial<Rule> = {}): Rule => ({ need: "write", scope, ...extra });
const admin = (scope: string, extra: Partial<Rule> = {}): Rule => ({ need: "admin", scope, ...extra });
const orgAdmin: Rule = { need: "org-admin" };
const signedIn: Rule = { need: "authenticated" };

export const rules: Record<string, Rule> = {
  // Discovery of how to log in: anonymous, as flyteadmin serves it.
  "AuthMetadataService.getOAuth2Metadata": { need: "anonymous" },
  "AuthMetadataService.getPublicClientConfig": { need: "anonymous" },
  "IdentityService.userInfo": signedIn,

  "AdminService.getVersion": signedIn,
  "AdminService.getDomains": signedIn,
  "AdminService.listProjects": { need: "authenticated", filter: "projects" },
  "AdminService.registerProject": orgAdmin,
  "AdminService.getProject": read("", { projectField: "id" }),
  "AdminService.updateProject": admin("", { projectField: "id" }),

  "AdminService.createTask": write("id"),
  "AdminService.getTask": read("id"),
  "AdminService.listTaskIds": read(""),
  "AdminService.listTasks": read("id"),
  "AdminService.createWorkflow": write("id"),
  "AdminService.getWorkflow": read("id"),
  "AdminService.listWorkflowIds": read(""),
  "AdminService.listWorkflows": read("id"),
  "AdminService.createLaunchPlan": write("id", { reads: ["spec.workflowId"] }),
  "AdminService.getLaunchPlan": read("id"),
  "AdminService.getActiveLaunchPlan": read("id"),
  "AdminService.listActiveLaunchPlans": read(""),
  "AdminService.listLaunchPlanIds": read(""),
  "AdminService.listLaunchPlans": read("id"),
  "AdminService.updateLaunchPlan": write("id"),

  "AdminService.createExecution": write("", { reads: ["spec.launchPlan"] }),
  "AdminService.relaunchExecution": write("id"),
  "AdminService.recoverExecution": write("id"),
  "AdminService.getExecution": read("id"),
  "AdminService.updateExecution": write("id"),
  "AdminService.getExecutionData": read("id"),
  "AdminService.listExecutions": read("id"),
  "AdminService.terminateExecution": write("id"),
  "AdminService.getExecutionMetrics": read("id"),

  "AdminService.getNodeExecution": read("id.executionId"),
  "AdminService.getDynamicNodeWorkflow": read("id.executionId"),
  "AdminService.listNodeExecutions": read("workflowExecutionId"),
  "AdminService.listNodeExecutionsForTask": read("taskExecutionId.nodeExecutionId.executionId"),
  "AdminService.getNodeExecutionData": read("id.executionId"),
  "AdminService.getTaskExecution": read("id.nodeExecutionId.executionId"),
  "AdminService.listTaskExecutions": read("nodeExecutionId.executionId"),
  "AdminService.getTaskExecutionData": read("id.nodeExecutionId.executionId"),

  // Events report an execution's progress; only the engine (or a project admin's propeller) may send them.
  "AdminService.createWorkflowEvent": admin("event.executionId"),
  "AdminService.createNodeEvent": admin("event.id.executionId"),
  "AdminService.createTaskEvent": admin("event.parentNodeExecutionId.executionId"),

  "AdminService.listNamedEntities": read(""),
  "AdminService.getNamedEntity": read("id"),
  "AdminService.updateNamedEntity": write("id"),
  "AdminService.getDescriptionEntity": read("id"),
  "AdminService.listDescriptionEntities": read("id"),

  "AdminService.updateProjectDomainAttributes": admin("attributes"),
  "AdminService.getProjectDomainAttributes": read(""),
  "AdminService.deleteProjectDomainAttributes": admin(""),
  "AdminService.updateProjectAttributes": admin("attributes"),
  "AdminService.getProjectAttributes": read(""),
  "AdminService.deleteProjectAttributes": admin(""),
  "AdminService.updateWorkflowAttributes": admin("attributes"),
  "AdminService.getWorkflowAttributes": read(""),
  "AdminService.deleteWorkflowAttributes": admin(""),
  "AdminService.listMatchableAttributes": { need: "authenticated", filter: "configurations" },

  "DataProxyService.createUploadLocation": write(""),
  // A raw store URL names no project the caller could be checked against.
  "DataProxyService.createDownloadLocation": orgAdmin,
  "DataProxyService.createDownloadLink": read("nodeExecutionId.executionId"),
  "DataProxyService.getData": orgAdmin,

  "SignalService.getOrCreateSignal": write("id.executionId"),
  "SignalService.listSignals": read("workflowExecutionId"),
  "SignalService.setSignal": write("id.executionId"),
};
