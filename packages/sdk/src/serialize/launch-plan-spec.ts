// Launch plans → admin.LaunchPlan: the spec the control plane stores, plus the closure's expected inputs and
// outputs, which the compiler needs to check launch-plan nodes.
import { create } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { DefinitionError } from "../errors.ts";
import type { Schedule } from "../launch-plan.ts";
import type { Schema, SchemaMap } from "../types/schema.ts";
import { variableMap } from "./task-parts.ts";

export type ConstantFn = (value: unknown, schema: Schema<unknown>, path: string) => Promise<core.Literal>;

/** Inputs as Flyte parameters: required unless they have a default (or are optional, i.e. admit null). */
export async function parameterMap(inputs: SchemaMap, defaults: Record<string, unknown>, constant: ConstantFn, where: string): Promise<core.ParameterMap> {
  const parameters: Record<string, core.Parameter> = {};
  for (const [name, schema] of Object.entries(inputs)) {
    const v = create(core.VariableSchema, { type: schema.literalType(), description: name });
    if (name in defaults && defaults[name] !== undefined) {
      const literal = await constant(defaults[name], schema as Schema<unknown>, `${where} default ${name}`);
      parameters[name] = create(core.ParameterSchema, { var: v, behavior: { case: "default", value: literal } });
    } else if (schema.check(null, name) === undefined) {
      parameters[name] = create(core.ParameterSchema, { var: v, behavior: { case: "default", value: await constant(null, schema as Schema<unknown>, name) } });
    } else {
      parameters[name] = create(core.ParameterSchema, { var: v, behavior: { case: "required", value: true } });
    }
  }
  return create(core.ParameterMapSchema, { parameters });
}

const units = { minute: admin.FixedRateUnit.MINUTE, hour: admin.FixedRateUnit.HOUR, day: admin.FixedRateUnit.DAY };

function schedule(s: Schedule, inputs: SchemaMap, where: string): admin.Schedule {
  if (s.kickoffInput !== undefined) {
    const t = inputs[s.kickoffInput]?.literalType();
    if (!t || t.type.case !== "simple" || t.type.value !== core.SimpleType.DATETIME) {
      throw new DefinitionError(`${where}: schedule.kickoffInput "${s.kickoffInput}" must name a datetime input`);
    }
  }
  const kickoffTimeInputArg = s.kickoffInput ?? "";
  if ("cron" in s) {
    const fields = s.cron.trim().split(/\s+/);
    if (!s.cron.startsWith("@") && fields.length !== 5) throw new DefinitionError(`${where}: cron "${s.cron}" must have five fields (or be @hourly, @daily…)`);
    return create(admin.ScheduleSchema, { kickoffTimeInputArg, ScheduleExpression: { case: "cronSchedule", value: create(admin.CronScheduleSchema, { schedule: s.cron }) } });
  }
  if (!Number.isInteger(s.rate.value) || s.rate.value <= 0) throw new DefinitionError(`${where}: schedule rate must be a positive integer`);
  return create(admin.ScheduleSchema, {
    kickoffTimeInputArg,
    ScheduleExpression: { case: "rate", value: create(admin.FixedRateSchema, { value: s.rate.value, unit: units[s.rate.unit] }) },
  });
}

export interface LaunchPlanParts {
  id: core.Identifier;
  workflowId: core.Identifier;
  inputs: SchemaMap;
  outputs: SchemaMap;
  defaults: Record<string, unknown>;
  fixed: Record<string, unknown>;
  schedule?: Schedule | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  maxParallelism?: number | undefined;
}

export async function launchPlanMessage(p: LaunchPlanParts, constant: ConstantFn): Promise<admin.LaunchPlan> {
  const where = `launch plan "${p.id.name}"`;
  const open = Object.fromEntries(Object.entries(p.inputs).filter(([k]) => !(k in p.fixed)));
  const defaultInputs = await parameterMap(open, p.defaults, constant, where);
  const fixedLiterals: Record<string, core.Literal> = {};
  for (const [k, v] of Object.entries(p.fixed)) fixedLiterals[k] = await constant(v, p.inputs[k] as Schema<unknown>, `${where} fixed ${k}`);
  const spec = create(admin.LaunchPlanSpecSchema, {
    workflowId: p.workflowId,
    entityMetadata: create(admin.LaunchPlanMetadataSchema, p.schedule ? { schedule: schedule(p.schedule, p.inputs, where) } : {}),
    defaultInputs,
    fixedInputs: create(core.LiteralMapSchema, { literals: fixedLiterals }),
    labels: create(admin.LabelsSchema, { values: p.labels ?? {} }),
    annotations: create(admin.AnnotationsSchema, { values: p.annotations ?? {} }),
    maxParallelism: p.maxParallelism ?? 0,
  });
  const closure = create(admin.LaunchPlanClosureSchema, { expectedInputs: defaultInputs, expectedOutputs: variableMap(p.outputs) });
  return create(admin.LaunchPlanSchema, { id: p.id, spec, closure });
}
