// Loading a user's workflow file for `aloft run`: import it, and find the named workflow (or launch plan) among
// its exports, with messages that say what went wrong and what is available.
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { OutputDecl } from "../entity.ts";
import { isLaunchPlan, type LaunchPlanDef } from "../launch-plan.ts";
import { isTaskEntity } from "../task-entity.ts";
import type { SchemaMap } from "../types/schema.ts";
import { isWorkflow, type WorkflowDef } from "../workflow.ts";
import { InputError } from "./cli-inputs.ts";

export interface LoadedModule {
  file: string;
  exports: Record<string, unknown>;
  workflows: string[];
}

export async function loadWorkflowModule(path: string, cwd = process.cwd()): Promise<LoadedModule> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new InputError(`file not found: ${path}`);
  if (!statSync(file).isFile()) throw new InputError(`${path} is not a file`);
  if (!/\.[cm]?[jt]sx?$/.test(file)) throw new InputError(`${path} is not a TypeScript or JavaScript module (expected .ts, .mts, .js or .mjs)`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error;
    throw new InputError(`cannot load ${path}: ${err.message.split("\n")[0]}`, { cause: err });
  }
  const workflows = Object.keys(exports).filter((k) => isWorkflow(exports[k]) || isLaunchPlan(exports[k]));
  return { file, exports, workflows };
}

export function pickWorkflow(m: LoadedModule, path: string, name: string): WorkflowDef<SchemaMap, OutputDecl> | LaunchPlanDef<SchemaMap, OutputDecl> {
  const x = m.exports[name];
  if (isWorkflow(x) || isLaunchPlan(x)) return x;
  const available = m.workflows.length ? `workflows in ${path}: ${m.workflows.join(", ")}` : `${path} exports no workflows`;
  if (isTaskEntity(x)) throw new InputError(`"${name}" in ${path} is a task, not a workflow; wrap it in a workflow to run it (${available})`);
  throw new InputError(`no workflow named "${name}" in ${path} (${available})`);
}
