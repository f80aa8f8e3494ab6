// Registration of a TypeScript project (Aloft's `pyflyte register`): serialize every exported task, workflow and
// launch plan with the SDK under one version, point TypeScript tasks at the uploaded code bundle, and register it
// all. The version defaults to the bundle's digest, so unchanged code is the same version: when the server has
// all its launch plans (registered last) already, nothing is uploaded or registered again.
import { Code, ConnectError } from "@connectrpc/connect";
import { admin, core } from "@aloft/idl";
import { isFlyte2Task, isLaunchPlan, isTaskEntity, isWorkflow, loadWorkflowModule, reachableTasks, Serializer, taskWorkflow } from "@aloft/sdk";
import type { Remote } from "./connection.ts";
import { bundleLocation, bundleModule, uploadBundle } from "./code-bundle.ts";
import { checkReferences } from "./references.ts";
import { subWorkflowsOf } from "./sub-workflows.ts";

export interface RegisterResult {
  version: string;
  codeBundle: string;
  tasks: string[];
  workflows: string[];
  launchPlans: string[];
  /** The same version was registered already (same code): nothing was uploaded or registered. */
  reused: boolean;
}

/** Whether every launch plan is registered at its version (only asked for a content-derived version). */
async function registered(remote: Remote, lps: readonly admin.LaunchPlan[]): Promise<boolean> {
  if (lps.length === 0) return false;
  for (const lp of lps) {
    try {
      await remote.admin.getLaunchPlan({ id: lp.id });
    } catch (e) {
      if (e instanceof ConnectError && e.code === Code.NotFound) return false;
      throw e;
    }
  }
  return true;
}

export async function registerModule(remote: Remote, file: string, options: { version?: string; root?: string } = {}): Promise<RegisterResult> {
  const root = options.root ?? process.cwd();
  const bundle = await bundleModule(file, root);
  const version = options.version ?? `v-${bundle.md5.slice(0, 12)}`;
  const location = await bundleLocation(remote, bundle);
  const codeBundle = location.nativeUrl;
  const mod = await loadWorkflowModule(file, root);
  const s = new Serializer({ project: remote.project, domain: remote.domain, version, root, codeBundle });
  const lps: admin.LaunchPlan[] = [];
  for (const value of Object.values(mod.exports)) {
    if (isWorkflow(value)) {
      await s.workflow(value);
      lps.push(await s.defaultLaunchPlan(value));
    } else if (isLaunchPlan(value)) await s.launchPlan(value);
    else if (isFlyte2Task(value)) {
      // A Flyte 2 task runs as the one node of a generated workflow with a launch plan of the task's name; the
      // tasks it may call are registered with it.
      const wf = taskWorkflow(value);
      await s.workflow(wf);
      lps.push(await s.defaultLaunchPlan(wf));
      for (const t of reachableTasks(value)) await s.task(t);
    }
    else if (isTaskEntity(value)) await s.task(value);
  }
  for (const lp of s.launchPlans.values()) if (!lps.includes(lp)) lps.push(lp);
  await checkReferences(remote, s);
  const names = {
    version,
    codeBundle,
    tasks: [...s.tasks.values()].map((t) => t.id!.name),
    workflows: [...s.workflows.values()].map((w) => w.id!.name),
    launchPlans: lps.map((l) => l.id!.name),
  };
  // An explicit version may name different code: it is registered, and the server refuses a conflicting one.
  if (options.version === undefined && (await registered(remote, lps))) return { ...names, reused: true };
  await uploadBundle(location, bundle);

  const tasks = [...s.tasks.values()];
  for (const t of tasks) await remote.admin.createTask({ id: t.id, spec: { template: t } });
  // Workflows may call launch plans and launch plans name workflows: register in passes until nothing is left.
  let pending: ({ kind: "wf"; t: core.WorkflowTemplate } | { kind: "lp"; lp: admin.LaunchPlan })[] = [
    ...[...s.workflows.values()].map((t) => ({ kind: "wf" as const, t })),
    ...lps.map((lp) => ({ kind: "lp" as const, lp })),
  ];
  while (pending.length > 0) {
    const failed: typeof pending = [];
    let lastError: unknown;
    // A launch plan fails when its workflow did: the workflow's error is the one that says why.
    let workflowError: unknown;
    for (const p of pending) {
      try {
        if (p.kind === "wf") {
          const subWorkflows = subWorkflowsOf(p.t, s.workflows.values());
          await remote.admin.createWorkflow({ id: p.t.id, spec: { template: p.t, subWorkflows } });
        }
        else await remote.admin.createLaunchPlan({ id: p.lp.id, spec: p.lp.spec });
      } catch (e) {
        failed.push(p);
        lastError = e;
        if (p.kind === "wf") workflowError ??= e;
      }
    }
    if (failed.length === pending.length) throw workflowError ?? lastError;
    pending = failed;
  }
  return { ...names, reused: false };
}
