// `launchPlan(...)`: a workflow with chosen default and fixed inputs, an optional schedule, labels and
// annotations. Calling one inside a workflow starts it as a child execution (a launch-plan node).
import { addCall } from "./call.ts";
import { callerFile } from "./defined-in.ts";
import type { CallOptions, CallResult, Entity, OutputDecl, Bindable } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import { checkOptionKeys } from "./options.ts";
import type { Infer, SchemaMap, ValuesOf } from "./types/schema.ts";
import type { WorkflowDef } from "./workflow.ts";

export type Schedule =
  /** Cron expression (five fields, or Flyte's @hourly/@daily…); `kickoffInput` receives the scheduled time. */
  | { cron: string; kickoffInput?: string }
  | { rate: { value: number; unit: "minute" | "hour" | "day" }; kickoffInput?: string };

export interface LaunchPlanOptions<I extends SchemaMap, O extends OutputDecl> {
  name?: string;
  workflow: WorkflowDef<I, O>;
  /** Defaults that a launch may override. */
  defaults?: Partial<ValuesOf<I>>;
  /** Inputs a launch cannot change. */
  fixed?: Partial<ValuesOf<I>>;
  schedule?: Schedule;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Most nodes of one execution running at once. */
  maxParallelism?: number;
}

/** Inputs of a launch-plan call: every input may be given except fixed ones; required ones are checked when bound. */
export type LaunchPlanCallInputs<I extends SchemaMap> = { [K in keyof I]?: Bindable<Infer<I[K]>> };

export interface LaunchPlanDef<I extends SchemaMap, O extends OutputDecl> extends Entity {
  (inputs: LaunchPlanCallInputs<I>, options?: CallOptions): CallResult<O>;
  readonly entityKind: "launchPlan";
  readonly options: LaunchPlanOptions<I, O>;
  readonly workflow: WorkflowDef<I, O>;
}

export function isLaunchPlan(x: unknown): x is LaunchPlanDef<SchemaMap, OutputDecl> {
  return typeof x === "function" && (x as { entityKind?: unknown }).entityKind === "launchPlan";
}

export function launchPlan<I extends SchemaMap, O extends OutputDecl>(options: LaunchPlanOptions<I, O>): LaunchPlanDef<I, O> {
  const definedIn = callerFile();
  const wf = options.workflow;
  const label = options.name ? `launch plan "${options.name}"` : `launch plan defined in ${definedIn}`;
  checkOptionKeys(options, ["name", "workflow", "defaults", "fixed", "schedule", "labels", "annotations", "maxParallelism"], label);
  if (typeof wf !== "function" || wf.entityKind !== "workflow") throw new DefinitionError(`${label}: "workflow" must be a workflow`);
  const inputs = wf.inputs;
  for (const [what, values] of [["default", options.defaults], ["fixed input", options.fixed]] as const) {
    for (const [k, v] of Object.entries(values ?? {})) {
      const s = inputs[k];
      if (!s) throw new DefinitionError(`${label}: ${what} "${k}" is not an input of the workflow`);
      const why = s.check(v, k);
      if (why !== undefined) throw new DefinitionError(`${label}: ${what} "${k}": ${why}`);
    }
  }
  const fixed = new Set(Object.keys(options.fixed ?? {}));
  const optional = new Set([...Object.keys(options.defaults ?? {}), ...Object.keys(wf.options.defaults ?? {})]);
  const callable = Object.fromEntries(Object.entries(inputs).filter(([k]) => !fixed.has(k)));
  const call = (values: Record<string, unknown>, callOptions?: CallOptions) => {
    for (const k of Object.keys(values)) if (fixed.has(k)) throw new DefinitionError(`${label}: input "${k}" is fixed and cannot be given`);
    return addCall(
      { label, target: { kind: "launchPlan", launchPlan: def }, inputs: callable, outputs: wf.outputs, single: wf.singleOutput, optionalInputs: optional },
      values,
      callOptions,
    );
  };
  const def = Object.assign(call, {
    entityKind: "launchPlan" as const,
    inputs,
    outputs: wf.outputs,
    explicitName: options.name,
    definedIn,
    options,
    workflow: wf,
  }) as unknown as LaunchPlanDef<I, O>;
  return def;
}
